namespace Capture.Analyzer.Http2;

/// <summary>
/// Finds a frame boundary in a stream joined mid-connection or after lost bytes. A candidate offset is taken
/// when a plausible frame header (<see cref="Http2FrameRules.IsPlausible"/>) starts there and another plausible
/// header follows its payload. The scanner keeps bytes from the current candidate on, so its buffer holds at
/// most one frame and two headers; it takes from its input only what the next decision needs, so once a
/// boundary is found, the buffered bytes from it on (<see cref="Found"/>) and the input not taken are exactly
/// the rest of the stream.
/// </summary>
internal sealed class Http2FrameScanner
{
    /// <summary>Rejected bytes are dropped from the buffer's front once this many have piled up.</summary>
    private const int CompactThreshold = 4096;

    private byte[] _buffer = new byte[64];
    private int _length;
    private int _candidate;
    private long _start;

    /// <summary>Starts scanning at stream offset <paramref name="offset"/>, with <paramref name="seen"/> the bytes already read from there.</summary>
    public void Begin(long offset, ReadOnlySpan<byte> seen)
    {
        _start = offset;
        _length = 0;
        _candidate = 0;
        Append(seen);
    }

    /// <summary>Stream offset of the frame boundary found; valid after <see cref="Scan"/> returned true.</summary>
    public long FoundOffset => _start + _candidate;

    /// <summary>The buffered bytes from the boundary found on.</summary>
    public ReadOnlySpan<byte> Found => _buffer.AsSpan(_candidate, _length - _candidate);

    /// <summary>Takes bytes from <paramref name="input"/>; true when a boundary is found.</summary>
    public bool Scan(ReadOnlySpan<byte> input, int maxFrameSize, bool clientToServer, out int consumed)
    {
        consumed = 0;
        while (true)
        {
            if (_candidate >= CompactThreshold || (_candidate > 0 && _candidate == _length)) Compact();

            if (!Fill(input, ref consumed, _candidate + Http2FrameHeader.Size)) return false;
            var first = Http2FrameHeader.Read(_buffer.AsSpan(_candidate));
            if (!Http2FrameRules.IsPlausible(first, maxFrameSize, clientToServer))
            {
                _candidate++;
                continue;
            }

            int next = _candidate + Http2FrameHeader.Size + first.Length;
            if (!Fill(input, ref consumed, next + Http2FrameHeader.Size)) return false;
            var second = Http2FrameHeader.Read(_buffer.AsSpan(next));
            if (IsPlausiblePayload(first) && Http2FrameRules.IsPlausible(second, maxFrameSize, clientToServer)) return true;
            _candidate++;
        }
    }

    /// <summary>
    /// The stream ended: decides on the buffered bytes alone. A candidate whose frame runs past the end is
    /// rejected; one whose frame ends exactly at the end is taken without a second header to confirm it.
    /// </summary>
    public bool Finish(int maxFrameSize, bool clientToServer)
    {
        for (; _candidate + Http2FrameHeader.Size <= _length; _candidate++)
        {
            var first = Http2FrameHeader.Read(_buffer.AsSpan(_candidate));
            if (!Http2FrameRules.IsPlausible(first, maxFrameSize, clientToServer)) continue;
            int next = _candidate + Http2FrameHeader.Size + first.Length;
            if (next > _length || !IsPlausiblePayload(first)) continue;
            if (next == _length) return true;
            if (next + Http2FrameHeader.Size > _length) continue;
            if (Http2FrameRules.IsPlausible(Http2FrameHeader.Read(_buffer.AsSpan(next)), maxFrameSize, clientToServer)) return true;
        }
        return false;
    }

    private bool IsPlausiblePayload(in Http2FrameHeader header) =>
        Http2FrameRules.IsPlausiblePayload(header, _buffer.AsSpan(_candidate + Http2FrameHeader.Size, header.Length));

    /// <summary>Tops the buffer up to <paramref name="needed"/> bytes from the input; false if the input runs out first.</summary>
    private bool Fill(ReadOnlySpan<byte> input, ref int consumed, int needed)
    {
        if (_length >= needed) return true;
        int take = Math.Min(needed - _length, input.Length - consumed);
        Append(input.Slice(consumed, take));
        consumed += take;
        return _length >= needed;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_length + bytes.Length, _buffer.Length * 2));
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Compact()
    {
        _buffer.AsSpan(_candidate, _length - _candidate).CopyTo(_buffer);
        _length -= _candidate;
        _start += _candidate;
        _candidate = 0;
    }
}
