using System.Text;
using System.Text.Json;

namespace Capture.Analyzer.Output;

/// <summary>JSON lines: each object written whole into one reused buffer, then as one line.</summary>
internal sealed class JsonLines(TextWriter output)
{
    private readonly MemoryStream _buffer = new();

    /// <summary>Writes one object; <paramref name="writeFields"/> writes its fields.</summary>
    public void Write(Action<Utf8JsonWriter> writeFields)
    {
        _buffer.SetLength(0);
        using (var json = new Utf8JsonWriter(_buffer))
        {
            json.WriteStartObject();
            writeFields(json);
            json.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length));
    }
}
