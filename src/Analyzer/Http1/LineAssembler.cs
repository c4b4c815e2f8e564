namespace Capture.Analyzer.Http1;

internal enum LineStatus { NeedMore, Complete, TooLong }

/// <summary>
/// Collects one LF-terminated line across Feed calls. A line that arrives whole in one span is returned
/// as a slice of that span; only a line split across calls is copied, into a buffer that never grows past
/// the limit the caller gives. Lines end at LF; a CR before it is dropped (bare LF is accepted, RFC 9112 §2.2).
/// </summary>
internal sealed class LineAssembler
{
    private readonly int _maxCapacity;
    private byte[] _buffer = [];
    private int _length;

    /// <param name="maxCapacity">The longest line any caller's limit allows; the buffer never grows past it.</param>
    public LineAssembler(int maxCapacity) => _maxCapacity = maxCapacity;

    /// <summary>Stream offset of the first byte of the line being collected (valid once a line has begun).</summary>
    public long LineStart { get; private set; }

    /// <summary>True when part of a line has been taken and its LF is still to come.</summary>
    public bool InProgress => _length > 0;

    /// <summary>The bytes of the line in progress taken so far (valid until the next call).</summary>
    public ReadOnlySpan<byte> Partial => _buffer.AsSpan(0, _length);

    public void Reset() => _length = 0;

    /// <summary>
    /// Takes bytes of the current line from <paramref name="input"/>, whose first byte is at stream offset
    /// <paramref name="inputOffset"/>. The line, LF included, may not extend past stream offset
    /// <paramref name="limitEnd"/>: if its LF is not within that, the result is TooLong, exactly the bytes
    /// up to <paramref name="limitEnd"/> are consumed, so the outcome does not depend on how input was split, and
    /// <paramref name="line"/> is the line as far as it went: enough to tell what it began as.
    /// The returned line is valid until the next call.
    /// </summary>
    public LineStatus Take(ReadOnlySpan<byte> input, long inputOffset, long limitEnd, out ReadOnlySpan<byte> line, out int consumed)
    {
        line = default;
        if (_length == 0) LineStart = inputOffset;
        long room = limitEnd - LineStart - _length;
        int lf = input.IndexOf((byte)'\n');
        if (lf < 0 ? input.Length >= room : lf >= room)
        {
            consumed = (int)Math.Max(0, room);
            line = TakeLine(input[..consumed]);
            return LineStatus.TooLong;
        }

        if (lf < 0)
        {
            Append(input);
            consumed = input.Length;
            return LineStatus.NeedMore;
        }

        consumed = lf + 1;
        line = TakeLine(input[..lf]);
        if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
        return LineStatus.Complete;
    }

    /// <summary>The line in progress ended by <paramref name="tail"/>; the assembler starts afresh.</summary>
    private ReadOnlySpan<byte> TakeLine(ReadOnlySpan<byte> tail)
    {
        if (_length == 0) return tail;
        Append(tail);
        var line = _buffer.AsSpan(0, _length);
        _length = 0;
        return line;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        int needed = _length + bytes.Length;
        if (needed > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(needed, Math.Min(_maxCapacity, Math.Max(256, _buffer.Length * 2))));
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length = needed;
    }
}
