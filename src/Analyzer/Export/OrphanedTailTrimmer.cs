using Capture.Analyzer.Exchanges;
using Capture.Pcapng.Synthetic;

namespace Capture.Analyzer.Export;

/// <summary>Leaves out of the exported HTTP/2 directions the bytes the analysis skipped after a hole to find a frame
/// boundary again (<see cref="OrphanedFrameTail"/>). Wireshark walks HTTP/2 frames by their length fields and never
/// looks for a boundary: it would read the rest of a frame whose start was lost as a frame header, and take every later
/// byte of that direction into the bogus frame it announces. Left out, the tail and the hole before it make one jump in
/// the sequence numbers (Wireshark's "previous segment not captured"), the stream goes on at a real frame header, and
/// the first packet after it says in its comment how many captured bytes were left out.</summary>
internal sealed class OrphanedTailTrimmer
{
    private readonly Dictionary<(long Connection, bool Tls, bool Egress), List<OrphanedFrameTail>> _tails = [];
    private readonly HashSet<(long Connection, OrphanedFrameTail Tail)> _noted = [];

    /// <param name="tls">Which of the connection's streams the analysis read (TLS plaintext or socket bytes).</param>
    public void Add(long connectionId, bool tls, IEnumerable<OrphanedFrameTail> tails)
    {
        foreach (var tail in tails)
        {
            var key = (connectionId, tls, tail.Direction == 0);
            if (!_tails.TryGetValue(key, out var list)) _tails[key] = list = [];
            list.Add(tail);
        }
    }

    /// <summary>The chunk without the tails' bytes, in the pieces left; chunks of one direction must come in stream order.</summary>
    public IEnumerable<PlaintextChunk> Trim(PlaintextChunk chunk)
    {
        if (!_tails.TryGetValue((chunk.ConnectionId, chunk.Tls, chunk.Egress), out var tails)) return [chunk];
        var pieces = new List<PlaintextChunk> { chunk };
        foreach (var tail in tails) pieces = [.. pieces.SelectMany(piece => Without(piece, tail))];
        return [.. pieces.Select(piece => piece.Data.IsEmpty ? piece : piece with { Note = NoteFor(piece, tails) })];
    }

    private static IEnumerable<PlaintextChunk> Without(PlaintextChunk piece, OrphanedFrameTail tail)
    {
        long end = piece.StreamPos + piece.Data.Length;
        if (tail.To <= piece.StreamPos || tail.From >= end) return [piece];
        var kept = new List<PlaintextChunk>(2);
        if (tail.From > piece.StreamPos) kept.Add(piece with { Data = piece.Data[..(int)(tail.From - piece.StreamPos)] });
        if (tail.To < end) kept.Add(piece with { StreamPos = tail.To, Data = piece.Data[(int)(tail.To - piece.StreamPos)..] });
        return kept;
    }

    /// <summary>The note of the first piece with bytes after a tail (a piece without any makes no packet to carry it).</summary>
    private string? NoteFor(PlaintextChunk piece, List<OrphanedFrameTail> tails)
    {
        var after = tails.Where(t => t.To <= piece.StreamPos && _noted.Add((piece.ConnectionId, t))).ToList();
        return after.Count == 0 ? null
            : $"left_out={after.Sum(t => t.Length)} (captured after a hole, before the next HTTP/2 frame: the rest of a frame whose start was lost)";
    }
}
