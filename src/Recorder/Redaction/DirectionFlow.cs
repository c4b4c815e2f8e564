using Capture.Recorder.Interop;

namespace Capture.Recorder.Redaction;

/// <summary>
/// One direction of one connection on its way to storage: each chunk is scanned, then stored at once unless part
/// of a secret value may lie in it that the scanner has not seen the end of. Held chunks are bounded by
/// <see cref="MaxHeldBytes"/>; past it the scanner overwrites the unfinished secret with filler.
/// </summary>
internal sealed class DirectionFlow(Func<IHeldBytes, DirectionScanner> start) : IHeldBytes
{
    /// <summary>Most bytes one direction may hold back waiting for the end of a header line or block.</summary>
    public const int MaxHeldBytes = 256 * 1024;

    private readonly List<(DataEvent Event, byte[] Bytes)> _held = [];
    private long _heldBytes;
    private long _next = -1;
    private DirectionScanner? _scanner;

    public void Accept(DataEvent ev, byte[] bytes, Action<DataEvent, byte[]> store)
    {
        _scanner ??= start(this);
        long pos = (long)ev.StreamPos;
        if (_next >= 0 && pos != _next) _scanner.Lost(Math.Max(pos - _next, 0));
        _next = pos + bytes.Length;
        _held.Add((ev, bytes));
        _heldBytes += bytes.Length;
        for (int offset = 0; offset < bytes.Length;)
        {
            int used = _scanner.Feed(bytes.AsSpan(offset), pos + offset, callStart: offset == 0);
            offset += used;
            if (offset < bytes.Length)
            {
                if (_scanner.Successor is not { } next) break;
                _scanner = next;
            }
            else if (_scanner.Successor is { } after) _scanner = after;
        }
        if (_heldBytes > MaxHeldBytes) _scanner.GiveUpHolding();
        Release(_scanner.HoldFrom, store);
    }

    /// <summary>The connection ended (or the recording did): store everything, an unfinished secret as filler.</summary>
    public void Flush(Action<DataEvent, byte[]> store)
    {
        if (_held.Count == 0) return;
        _scanner?.GiveUpHolding();
        Release(DirectionScanner.NothingHeld, store);
    }

    private void Release(long holdFrom, Action<DataEvent, byte[]> store)
    {
        int released = 0;
        while (released < _held.Count && (long)_held[released].Event.StreamPos + _held[released].Bytes.Length <= holdFrom)
        {
            store(_held[released].Event, _held[released].Bytes);
            _heldBytes -= _held[released].Bytes.Length;
            released++;
        }
        if (released > 0) _held.RemoveRange(0, released);
    }

    public void Overwrite(long streamPos, ReadOnlySpan<byte> bytes)
    {
        foreach (var (ev, chunk) in _held)
        {
            long start = (long)ev.StreamPos;
            long from = Math.Max(start, streamPos), to = Math.Min(start + chunk.Length, streamPos + bytes.Length);
            if (from < to) bytes.Slice((int)(from - streamPos), (int)(to - from)).CopyTo(chunk.AsSpan((int)(from - start)));
        }
    }
}
