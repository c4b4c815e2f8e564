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

    public RedactionHarness(string[]? headers = null, string[]? query = null, byte[]? key = null, string[]? allow = null, string[]? deny = null)
    {
        _redactor = new StreamRedactor(new RedactionPolicy(headers ?? [], query ?? [], key ?? Key) { Exchanges = new ExchangePolicy(allow ?? [], deny ?? []) });
        _redactor.StreamDenied = (_, _, streamId) => DeniedStreams.Add(streamId);
    }

    /// <summary>HTTP/2 streams the redactor reported as denied, in order.</summary>
    public List<uint> DeniedStreams { get; } = [];

    /// <summary>Ranges stored as elided by policy (no data, call_bytes counting them), per direction.</summary>
    public Dictionary<Direction, List<(long From, long To)>> Elided { get; } = new() { [Direction.Egress] = [], [Direction.Ingress] = [] };

    public RedactionPolicy Policy => _redactor.Policy;

    /// <summary>The kernel joined the connection mid-way: its stream positions still count from 0.</summary>
    public RedactionHarness JoinedMidStream()
    {
        _redactor.JoinedMidStream(7);
        return this;
    }

    /// <summary>One chunk in <paramref name="direction"/>, at the next stream position (or after <paramref name="lost"/> bytes not captured).</summary>
    /// <param name="callBytes">The call's size, when the chunk is one piece of a call larger than an event (16 KiB).</param>
    public RedactionHarness Send(Direction direction, byte[] bytes, long lost = 0, long callBytes = 0)
    {
        _positions[direction] += lost;
        var ev = new DataEvent
        {
            Direction = direction, StreamPos = (ulong)_positions[direction], DataLen = (uint)bytes.Length,
            CallBytes = (ulong)(callBytes > 0 ? callBytes : bytes.Length),
        };
        ev.Header.ConnId = 7;
        _positions[direction] += bytes.Length;
        _redactor.Accept(ev, bytes.ToArray(), Store); // a copy: redaction rewrites it in place
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

    /// <summary>The redactor lends the bytes for the call only: what is kept is a copy.</summary>
    private void Store(in DataEvent ev, ReadOnlySpan<byte> bytes)
    {
        var stored = _stored[ev.Direction];
        long expected = Math.Max(stored.Count == 0 ? 0 : stored.Last().Key + stored.Last().Value.Length,
            Elided[ev.Direction].Count == 0 ? 0 : Elided[ev.Direction][^1].To);
        Assert.True((long)ev.StreamPos >= expected, "chunks are stored in stream order");
        if (((byte)ev.Flags & ChunkFlags.ElidedByPolicy) != 0)
        {
            Assert.True(bytes.IsEmpty, "an elided chunk carries bytes");
            Assert.Equal(0u, ev.DataLen);
            var ranges = Elided[ev.Direction];
            long from = (long)ev.StreamPos, to = from + (long)ev.CallBytes;
            if (ranges.Count > 0 && ranges[^1].To == from) ranges[^1] = (ranges[^1].From, to);
            else ranges.Add((from, to));
            return;
        }
        Assert.Equal((uint)bytes.Length, ev.DataLen);
        stored[(long)ev.StreamPos] = bytes.ToArray();
    }
}
