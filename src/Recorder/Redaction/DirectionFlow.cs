using System.Runtime.InteropServices;
using Capture.Recorder.Interop;

namespace Capture.Recorder.Redaction;

/// <summary>
/// One direction of one connection on its way to storage: each chunk is scanned, then stored at once unless part
/// of a secret value may lie in it that the scanner has not seen the end of. Held chunks are bounded by
/// <see cref="MaxHeldBytes"/>; past it the scanner overwrites the unfinished secret with filler.
/// </summary>
internal sealed class DirectionFlow(DirectionFlow.ScannerStart start) : IHeldBytes
{
    /// <summary>The scanner for a direction, chosen from its first captured bytes.</summary>
    public delegate DirectionScanner ScannerStart(IHeldBytes held, ReadOnlySpan<byte> first);

    /// <summary>Most bytes one direction may hold back waiting for the end of a header line or block.</summary>
    public const int MaxHeldBytes = 256 * 1024;

    /// <summary>Chunks not stored yet. The newest may still be the caller's memory until <see cref="Accept"/> returns.</summary>
    private readonly List<(DataEvent Event, Memory<byte> Bytes)> _held = [];
    /// <summary>The chunk <see cref="Accept"/> is scanning, while it is not in <see cref="_held"/>; the scanner may rewrite it.</summary>
    private Memory<byte> _scanning;
    private long _scanningPos;
    /// <summary>Ranges of held bytes to store as elided, in stream order.</summary>
    private readonly List<(long From, long To)> _elided = [];
    private long _heldBytes;
    private long _next = -1;
    /// <summary>Where the last call seen ends: a call larger than an event (16 KiB) comes as several, and only its first
    /// begins where the program's call did (HTTP/2 resynchronises only there).</summary>
    private long _callEnd = -1;
    private DirectionScanner? _scanner;

    /// <param name="bytes">The chunk, which the flow may rewrite in place; it is the caller's again when Accept returns
    /// (a chunk still held by then is copied).</param>
    public void Accept(in DataEvent ev, Memory<byte> bytes, ChunkStore store)
    {
        var span = bytes.Span;
        _scanner ??= start(this, span);
        long pos = (long)ev.StreamPos;
        if (_next >= 0 && pos != _next) _scanner.Lost(Math.Max(pos - _next, 0));
        _next = pos + span.Length;
        bool callStart = pos >= _callEnd;
        _callEnd = Math.Max(_callEnd, pos + (long)ev.CallBytes);
        (_scanning, _scanningPos) = (bytes, pos);
        try
        {
            for (int offset = 0; offset < span.Length;)
            {
                int used = _scanner.Feed(span[offset..], pos + offset, callStart: callStart && offset == 0);
                offset += used;
                if (offset < span.Length)
                {
                    if (_scanner.Successor is not { } next) break;
                    _scanner = next;
                }
                else if (_scanner.Successor is { } after) _scanner = after;
            }
            if (_heldBytes + bytes.Length > MaxHeldBytes) _scanner.GiveUpHolding();
        }
        finally
        {
            _scanning = default;
        }
        long holdFrom = _scanner.HoldFrom;
        // Nearly every chunk: nothing waits before it and nothing in it must wait.
        if (_held.Count == 0 && pos + bytes.Length <= holdFrom)
        {
            Store(ev, span, store);
            return;
        }
        _held.Add((ev, bytes));
        _heldBytes += bytes.Length;
        Release(holdFrom, store);
        // Held past this call: the caller's memory goes back to it, so the chunk gets bytes of its own.
        if (_held.Count > 0 && _held[^1].Bytes.Equals(bytes)) _held[^1] = (_held[^1].Event, bytes.ToArray());
    }

    /// <summary>The connection ended (or the recording did): store everything, an unfinished secret as filler.</summary>
    public void Flush(ChunkStore store)
    {
        if (_held.Count == 0) return;
        _scanner?.GiveUpHolding();
        Release(DirectionScanner.NothingHeld, store);
    }

    private void Release(long holdFrom, ChunkStore store)
    {
        int released = 0;
        var held = CollectionsMarshal.AsSpan(_held); // by reference: a held chunk's event is 100-odd bytes
        while (released < held.Length && (long)held[released].Event.StreamPos + held[released].Bytes.Length <= holdFrom)
        {
            ref var chunk = ref held[released];
            Store(chunk.Event, chunk.Bytes.Span, store);
            _heldBytes -= chunk.Bytes.Length;
            released++;
        }
        if (released == _held.Count) _held.Clear();
        else if (released > 0) _held.RemoveRange(0, released);
    }

    /// <summary>Stores a chunk, split around the ranges to elide: kept bytes as chunks of their own, each elided range as
    /// a chunk without data whose call_bytes counts it, flagged <see cref="ChunkFlags.ElidedByPolicy"/>.</summary>
    private void Store(in DataEvent ev, ReadOnlySpan<byte> bytes, ChunkStore store)
    {
        long start = (long)ev.StreamPos, end = start + bytes.Length;
        while (_elided.Count > 0 && _elided[0].To <= start) _elided.RemoveAt(0);
        if (_elided.Count == 0 || _elided[0].From >= end)
        {
            store(ev, bytes);
            return;
        }
        long at = start;
        foreach (var (from, to) in _elided)
        {
            if (from >= end) break;
            long cutFrom = Math.Max(from, at), cutTo = Math.Min(to, end);
            if (cutFrom >= cutTo) continue;
            if (cutFrom > at) store(Part(ev, at, cutFrom - at, elided: false), bytes[(int)(at - start)..(int)(cutFrom - start)]);
            store(Part(ev, cutFrom, cutTo - cutFrom, elided: true), []);
            at = cutTo;
        }
        if (at < end) store(Part(ev, at, end - at, elided: false), bytes[(int)(at - start)..]);
    }

    private static DataEvent Part(DataEvent ev, long pos, long length, bool elided)
    {
        var part = ev;
        part.StreamPos = (ulong)pos;
        part.DataLen = elided ? 0 : (uint)length;
        if (elided)
        {
            part.CallBytes = (ulong)length;
            part.Flags = (DataFlags)((byte)ev.Flags | ChunkFlags.ElidedByPolicy);
        }
        return part;
    }

    public void Elide(long from, long to)
    {
        if (from >= to) return;
        if (_elided.Count > 0 && _elided[^1].To >= from) _elided[^1] = (_elided[^1].From, Math.Max(_elided[^1].To, to));
        else _elided.Add((from, to));
    }

    public void Overwrite(long streamPos, ReadOnlySpan<byte> bytes)
    {
        foreach (var (ev, chunk) in _held) Overwrite((long)ev.StreamPos, chunk.Span, streamPos, bytes);
        if (!_scanning.IsEmpty) Overwrite(_scanningPos, _scanning.Span, streamPos, bytes);
    }

    private static void Overwrite(long chunkPos, Span<byte> chunk, long streamPos, ReadOnlySpan<byte> bytes)
    {
        var (inChunk, inBytes, count) = Overlap(chunkPos, chunk.Length, streamPos, bytes.Length);
        if (count > 0) bytes.Slice(inBytes, count).CopyTo(chunk[inChunk..]);
    }

    public void Zero(long streamPos, long length)
    {
        foreach (var (ev, chunk) in _held) Zero((long)ev.StreamPos, chunk.Span, streamPos, length);
        if (!_scanning.IsEmpty) Zero(_scanningPos, _scanning.Span, streamPos, length);
    }

    private static void Zero(long chunkPos, Span<byte> chunk, long streamPos, long length)
    {
        var (inChunk, _, count) = Overlap(chunkPos, chunk.Length, streamPos, length);
        if (count > 0) chunk.Slice(inChunk, count).Clear();
    }

    /// <summary>Where a chunk and a stream range [streamPos, streamPos + length) meet: offsets into each, and how many bytes
    /// (0: they do not meet).</summary>
    private static (int InChunk, int InRange, int Count) Overlap(long chunkPos, int chunkLength, long streamPos, long length)
    {
        long from = Math.Max(chunkPos, streamPos), to = Math.Min(chunkPos + chunkLength, streamPos + length);
        return from < to ? ((int)(from - chunkPos), (int)(from - streamPos), (int)(to - from)) : (0, 0, 0);
    }
}
