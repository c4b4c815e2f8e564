namespace Capture.Recorder.Redaction;

/// <summary>
/// A request path as a server resolves it, for --allow/--deny: percent-encoded octets decoded, runs of '/' merged and
/// dot segments removed (RFC 3986 §6.2.2, §5.2.4), as nginx does before it matches a location. Otherwise "/%61dmin" or
/// "/public/../admin" would reach a server as /admin while a pattern read the raw text.
/// </summary>
internal static class RequestPath
{
    public static string Normalize(string path)
    {
        if (path.AsSpan().IndexOfAny("%./") < 0) return path;
        var segments = new List<string>();
        foreach (var segment in Decode(path).Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..")
            {
                if (segments.Count > 0) segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(segment);
        }
        bool directory = path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal);
        string joined = "/" + string.Join('/', segments);
        return directory && segments.Count > 0 ? joined + "/" : joined;
    }

    private static string Decode(string path)
    {
        if (!path.Contains('%')) return path;
        var chars = path.ToCharArray();
        return new string(chars, 0, PercentDecoding.DecodeInPlace(chars));
    }
}
