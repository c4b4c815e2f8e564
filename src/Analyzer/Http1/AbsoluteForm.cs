namespace Capture.Analyzer.Http1;

/// <summary>
/// absolute-form = absolute-URI (RFC 9112 §3.2.2), the target a client sends a proxy, for the http and https schemes:
/// scheme "://" authority path-abempty [ "?" query ] (RFC 3986 §3). It is split as sent and never normalized (no
/// dot-segment removal, percent-decoding, case folding or default-port removal, RFC 3986 §6): the exchange shows what
/// went over the wire, as it does for an origin-form target and the Host field.
/// </summary>
internal static class AbsoluteForm
{
    /// <summary>The host (authority without userinfo, RFC 3986 §3.2.1) and the path and query ("/" for an empty path,
    /// RFC 9112 §3.2.2); false when <paramref name="target"/> is not an http or https absolute-URI with a host.</summary>
    public static bool TrySplit(string target, out string host, out string path)
    {
        host = path = "";
        int separator = target.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0) return false;
        var scheme = target.AsSpan(0, separator);
        if (!scheme.Equals("http", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
            return false;

        // RFC 3986 §3.2: the authority ends at the next "/", "?" or "#", or at the end.
        int start = separator + 3;
        int end = target.AsSpan(start).IndexOfAny('/', '?', '#');
        end = end < 0 ? target.Length : start + end;
        var authority = target.AsSpan(start, end - start);
        var hostPort = authority[(authority.LastIndexOf('@') + 1)..];
        if (hostPort.IsEmpty) return false;

        var rest = target.AsSpan(end);
        int fragment = rest.IndexOf('#');
        if (fragment >= 0) rest = rest[..fragment];
        host = hostPort.ToString();
        path = rest.IsEmpty || rest[0] != '/' ? "/" + rest.ToString() : rest.ToString();
        return true;
    }
}
