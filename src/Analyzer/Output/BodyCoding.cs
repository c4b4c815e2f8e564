namespace Capture.Analyzer.Output;

/// <summary>
/// The codings a body still carries once the parser undid chunked: every Content-Encoding field line's codings, in the
/// order they were applied (RFC 9110 §8.4: several field lines are one list), then those of Transfer-Encoding other than
/// chunked (RFC 9112 §6.1: `gzip, chunked` was gzipped, then chunked). Reading only the first Content-Encoding line, or
/// none of Transfer-Encoding, would show a body that is still coded as if it were the content.
/// </summary>
internal static class BodyCoding
{
    /// <summary>The codings as one comma-separated list, or null when there are none.</summary>
    public static string? Of(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var codings = new List<string>();
        foreach (var (name, value) in headers)
            if (name.Equals("content-encoding", StringComparison.OrdinalIgnoreCase)) codings.AddRange(Codings(value));
        foreach (var (name, value) in headers)
            if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
                codings.AddRange(Codings(value).Where(c => !c.Equals("chunked", StringComparison.OrdinalIgnoreCase)));
        codings.RemoveAll(c => c.Equals("identity", StringComparison.OrdinalIgnoreCase));
        return codings.Count == 0 ? null : string.Join(", ", codings);
    }

    /// <summary>A coding list's tokens, without their parameters (a transfer coding may have some).</summary>
    private static IEnumerable<string> Codings(string value) =>
        value.Split(',').Select(c => c.Split(';')[0].Trim()).Where(c => c.Length > 0);
}
