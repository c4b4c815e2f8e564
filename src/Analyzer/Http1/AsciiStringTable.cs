using System.Text;

namespace Capture.Analyzer.Http1;

/// <summary>
/// Hands out one shared string for bytes that match a known value (case-sensitive: names are kept as sent)
/// and a new Latin-1 string otherwise, so the common fields of millions of messages cost no allocation.
/// </summary>
internal sealed class AsciiStringTable
{
    private const int MaxLength = 32;
    private readonly string[][] _byLength = new string[MaxLength + 1][];

    public AsciiStringTable(params string[] values)
    {
        for (int i = 0; i <= MaxLength; i++)
            _byLength[i] = values.Where(v => v.Length == i).Distinct(StringComparer.Ordinal).ToArray();
    }

    public static AsciiStringTable WithLowercase(params string[] values) =>
        new(values.Concat(values.Select(v => v.ToLowerInvariant())).ToArray());

    public bool Contains(ReadOnlySpan<byte> bytes) => Find(bytes) is not null;

    public string Get(ReadOnlySpan<byte> bytes) => Find(bytes) ?? Encoding.Latin1.GetString(bytes);

    private string? Find(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxLength) return null;
        foreach (var candidate in _byLength[bytes.Length])
        {
            if (Ascii.Equals(bytes, candidate)) return candidate;
        }
        return null;
    }
}
