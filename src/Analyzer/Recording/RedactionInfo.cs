namespace Capture.Analyzer.Recording;

/// <summary>
/// What the recorder replaced by keyed hashes of the same length (run_info: redaction, redacted_headers,
/// redacted_query_parameters). A replaced value looks like any token (`Bearer 7qts5gg5x`), so what the analyzer shows
/// of such a field must say it is not what was sent. Names compare case-insensitively, as the recorder compared them.
/// </summary>
internal sealed class RedactionInfo
{
    public static readonly RedactionInfo None = new([], []);

    private RedactionInfo(IEnumerable<string> headers, IEnumerable<string> queryParameters)
    {
        Headers = new HashSet<string>(headers, StringComparer.OrdinalIgnoreCase);
        QueryParameters = new HashSet<string>(queryParameters, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlySet<string> Headers { get; }
    public IReadOnlySet<string> QueryParameters { get; }

    /// <summary>A recording made with --no-redact, or before redaction was recorded, replaced nothing.</summary>
    public static RedactionInfo From(IReadOnlyDictionary<string, string?> runInfo) =>
        runInfo.GetValueOrDefault("redaction") == "on"
            ? new RedactionInfo(Names(runInfo.GetValueOrDefault("redacted_headers")), Names(runInfo.GetValueOrDefault("redacted_query_parameters")))
            : None;

    private static string[] Names(string? list) => (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The names of a request target's query parameters that were replaced: the recorder split the query (and a
    /// fragment a client sent) at '&amp;' and ';' and compared each name percent-decoded, up to a '[' ("token[0]" is
    /// "token" to PHP, Rails and Node's qs, so the recorder replaced it as "token").</summary>
    public IEnumerable<string> QueryParametersIn(string? target)
    {
        if (QueryParameters.Count == 0 || target is null || target.IndexOf('?') is not (>= 0 and var query)) yield break;
        foreach (var parameter in target[(query + 1)..].Split('&', ';', '#'))
        {
            string name = parameter.Split('=', 2)[0];
            string decoded;
            try { decoded = Uri.UnescapeDataString(name); }
            catch (UriFormatException) { decoded = name; }
            int bracket = decoded.IndexOf('[');
            if (QueryParameters.Contains(bracket < 0 ? decoded : decoded[..bracket])) yield return decoded;
        }
    }
}
