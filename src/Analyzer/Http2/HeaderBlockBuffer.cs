namespace Capture.Analyzer.Http2;

/// <summary>
/// Joins the fragments of one field block: a HEADERS or PUSH_PROMISE frame and the CONTINUATION frames that
/// must follow it on the same stream with nothing in between (RFC 9113 §4.3, §6.10). Holds at most the limit given.
/// </summary>
internal sealed class HeaderBlockBuffer(int maxBytes)
{
    private byte[] _bytes = [];
    private int _length;

    /// <summary>A block has begun and its END_HEADERS has not been seen.</summary>
    public bool Active { get; private set; }
    /// <summary>The block outgrew the limit: its remaining fragments are skipped.</summary>
    public bool Discarding { get; private set; }
    public int StreamId { get; private set; }
    public long Offset { get; private set; }
    public bool EndStream { get; private set; }
    public bool IsPushPromise { get; private set; }
    public int PromisedStreamId { get; private set; }

    public ReadOnlySpan<byte> Block => _bytes.AsSpan(0, _length);
    /// <summary>Octets of the block so far, those skipped while <see cref="Discarding"/> included.</summary>
    public long TotalBytes { get; private set; }

    public void Begin(long offset, int streamId, bool endStream, bool isPushPromise, int promisedStreamId)
    {
        Active = true;
        Discarding = false;
        _length = 0;
        TotalBytes = 0;
        Offset = offset;
        StreamId = streamId;
        EndStream = endStream;
        IsPushPromise = isPushPromise;
        PromisedStreamId = promisedStreamId;
    }

    /// <summary>Adds a fragment; false (and discarding from now on) if the block would exceed the limit.</summary>
    public bool Append(ReadOnlySpan<byte> fragment)
    {
        TotalBytes += fragment.Length;
        if (Discarding) return true;
        if ((long)_length + fragment.Length > maxBytes)
        {
            Discarding = true;
            _length = 0;
            return false;
        }
        if (_bytes.Length < _length + fragment.Length)
            Array.Resize(ref _bytes, Math.Min(maxBytes, Math.Max(_length + fragment.Length, _bytes.Length * 2)));
        fragment.CopyTo(_bytes.AsSpan(_length));
        _length += fragment.Length;
        return true;
    }

    public void Reset()
    {
        Active = false;
        Discarding = false;
        _length = 0;
    }
}
