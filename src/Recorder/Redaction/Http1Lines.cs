using System.Text;

namespace Capture.Recorder.Redaction;

/// <summary>The parts of an HTTP/1 line, read as octets where they lie: most lines are neither secret nor framing,
/// and passing them by must not decode or allocate anything.</summary>
internal static class Http1Lines
{
    /// <summary>Where a line that ends in LF (or CRLF) ends without it.</summary>
    public static int ContentEnd(ReadOnlySpan<byte> line)
    {
        int end = line.Length - 1;
        return end > 0 && line[end - 1] == '\r' ? end - 1 : end;
    }

    public static int AfterWhitespace(ReadOnlySpan<byte> line, int from)
    {
        while (from < line.Length && line[from] is (byte)' ' or (byte)'\t') from++;
        return from;
    }

    /// <summary>obs-fold (RFC 9112 §5.2): a line that begins with SP or HTAB continues the field line before it.</summary>
    public static bool IsContinuation(ReadOnlySpan<byte> line) => !line.IsEmpty && line[0] is (byte)' ' or (byte)'\t';

    /// <summary>A field name without the whitespace some senders put before the colon (invalid, RFC 9112 §5.1, but
    /// servers that take "Authorization : x" as Authorization exist).</summary>
    public static ReadOnlySpan<byte> FieldName(ReadOnlySpan<byte> beforeColon) => beforeColon.TrimEnd(" \t"u8);

    /// <summary>The 3 octets after "HTTP/1.x " as a number, as int.TryParse reads them (0 when it cannot);
    /// three digits, the usual case, without making a string of them.</summary>
    public static int StatusCode(ReadOnlySpan<byte> digits)
    {
        if (digits[0] is >= (byte)'0' and <= (byte)'9' && digits[1] is >= (byte)'0' and <= (byte)'9' && digits[2] is >= (byte)'0' and <= (byte)'9')
            return (digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0');
        return int.TryParse(Encoding.ASCII.GetString(digits), out int status) ? status : 0;
    }

    public static string Text(ReadOnlySpan<byte> value) => Encoding.Latin1.GetString(value).Trim();

    /// <summary>A Content-Length value, or -1 when it is not a number of octets. Digits between spaces, the usual
    /// case, are read as octets; anything else as the trimmed text long.TryParse reads.</summary>
    public static long ContentLength(ReadOnlySpan<byte> value)
    {
        var digits = value.Trim(" \t"u8);
        if (digits.Length is > 0 and <= 18 && digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0)
        {
            long length = 0;
            foreach (byte d in digits) length = length * 10 + (d - '0');
            return length;
        }
        return long.TryParse(Text(value), out long parsed) && parsed >= 0 ? parsed : -1;
    }
}
