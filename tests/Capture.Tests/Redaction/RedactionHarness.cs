using System.Text;
using Capture.Recorder.Interop;
using Capture.Recorder.Redaction;

namespace Capture.Tests.Redaction;

/// <summary>Feeds byte streams through the recorder's <see cref="StreamRedactor"/> as chunks of one connection and
/// reassembles what it stores, per direction, checking that every stored byte keeps its stream position.</summary>
internal sealed class RedactionHarness
{
    public static readonly byte[] Key = Encoding.ASCII.GetBytes("a fixed test key, 32 bytes long!");

    private readonly StreamRedactor _redactor;
    private readonly Dictionary<Direction, SortedDictionary<long, byte[]>> _stored = new() { [Direction.Egress] = new(), [Direction.Ingress] = new() };
    private readonly Dictionary<Direction, long> _positions = new() { [Direction.Egress] = 0, [Direction.Ingress] = 0 };

    public RedactionHarness(string[]? headers = null, string[]? query = null, byte[]? key = null) =>
        _redactor = new StreamRedactor(new RedactionPolicy(headers ?? [], query ?? [], key ?? Key));

    public RedactionPolicy Policy => _redactor.Policy;

    /// <summary>One chunk in <paramref name="direction"/>, at the next stream position (or after <paramref name="lost"/> bytes not captured).</summary>
    public RedactionHarness Send(Direction direction, byte[] bytes, long lost = 0)
    {
        _positions[direction] += lost;
        var ev = new DataEvent { Direction = direction, StreamPos = (ulong)_positions[direction], DataLen = (uint)bytes.Length, CallBytes = (ulong)bytes.Length };
        ev.Header.ConnId = 7;
        _positions[direction] += bytes.Length;
        _redactor.Accept(ev, bytes.ToArray(), Store);
        return this;
    }

    public RedactionHarness Send(Direction direction, string text) => Send(direction, Encoding.Latin1.GetBytes(text));

    /// <summary>Sends <paramref name="stream"/> cut at the given offsets.</summary>
    public RedactionHarness SendSplit(Direction direction, byte[] stream, params int[] cuts)
    {
        int from = 0;
        foreach (int cut in cuts.Append(stream.Length))
        {
            Send(direction, stream[from..cut]);
            from = cut;
        }
        return this;
    }

    public RedactionHarness Close()
    {
        _redactor.Close(7, Store);
        return this;
    }

    public byte[] Stored(Direction direction) => _stored[direction].Values.SelectMany(b => b).ToArray();

    public string StoredText(Direction direction) => Encoding.Latin1.GetString(Stored(direction));

    private void Store(DataEvent ev, byte[] bytes)
    {
        var stored = _stored[ev.Direction];
        long expected = stored.Count == 0 ? 0 : stored.Last().Key + stored.Last().Value.Length;
        Assert.True((long)ev.StreamPos >= expected, "chunks are stored in stream order");
        stored[(long)ev.StreamPos] = bytes;
    }
}
