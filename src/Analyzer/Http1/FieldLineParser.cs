namespace Capture.Analyzer.Http1;

/// <summary>
/// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5). Returns null on success or a stable
/// error message. Lines starting with SP/HTAB are obs-fold continuations (§5.2) and are handled by the caller.
/// </summary>
internal static class FieldLineParser
{
    public static bool IsContinuation(ReadOnlySpan<byte> line) => !line.IsEmpty && Http1Syntax.IsOws(line[0]);

    public static string? Parse(ReadOnlySpan<byte> line, out int nameLength, out Range value)
    {
        value = default;
        nameLength = line.IndexOf((byte)':');
        if (nameLength < 0) return "invalid header line: missing colon";
        if (nameLength == 0) return "invalid header line: empty field name";
        var name = line[..nameLength];
        // RFC 9112 §5.1: no whitespace is allowed between the field name and colon; a server MUST reject it.
        if (Http1Syntax.IsOws(name[^1])) return "invalid header line: whitespace before colon";
        if (!Http1Syntax.IsToken(name)) return "invalid header line: field name is not a token";

        int start = nameLength + 1, end = line.Length;
        while (start < end && Http1Syntax.IsOws(line[start])) start++;
        while (end > start && Http1Syntax.IsOws(line[end - 1])) end--;
        // RFC 9110 §5.5: CR, LF and NUL are never allowed in a field value; other CTLs are not field-vchar either.
        if (line[start..end].ContainsAny(Http1Syntax.NotInFieldValue))
            return "invalid header line: control character in field value";
        value = start..end;
        return null;
    }
}
