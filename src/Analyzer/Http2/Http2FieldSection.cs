using Capture.Hpack;

namespace Capture.Analyzer.Http2;

/// <summary>Which of a message's field sections a field block is (RFC 9113 §8.1).</summary>
internal enum Http2Section { Request, Response, Trailers }

/// <summary>
/// What RFC 9113 requires of one field section, as far as the section alone shows it: lowercase names (§8.2.1),
/// pseudo-header fields only those defined for its kind, each at most once and all before the regular fields, none
/// in trailers (§8.3), and a response's :status (§8.3.2). A field whose name is in an HPACK entry the capture never
/// saw could be either kind, so nothing is concluded from it.
/// </summary>
internal static class Http2FieldSection
{
    /// <summary>The rule the section breaks, or null. <paramref name="whole"/>: every field of the block was decoded
    /// and none is unknown, so a missing field is really missing.</summary>
    public static string? Violation(IReadOnlyList<KeyValuePair<string, string>> fields, Http2Section section, bool whole)
    {
        int pseudoSeen = 0;
        string? regular = null, method = null, path = null;
        foreach (var (name, value) in fields)
        {
            if (name == HpackDecoder.UnknownName) continue;
            if (name.Any(char.IsAsciiLetterUpper)) return $"field name {name} has uppercase letters (§8.2.1)";
            if (!name.StartsWith(':'))
            {
                regular ??= name;
                continue;
            }
            int bit = PseudoBit(name, section);
            if (bit == 0) return $"pseudo-header field {name} is not defined for {Name(section)} (§8.3)";
            if (regular is not null) return $"pseudo-header field {name} after the regular field {regular} (§8.3)";
            if ((pseudoSeen & bit) != 0) return $"pseudo-header field {name} repeated (§8.3)";
            pseudoSeen |= bit;
            if (name == ":method") method = value;
            else if (name == ":path") path = value;
        }
        if (whole && section == Http2Section.Response && pseudoSeen == 0) return "response without :status (§8.3.2)";
        if (path is not null && !IsPath(path, method)) return $":path {path} is neither an absolute path nor * of an OPTIONS (§8.3.1)";
        return null;
    }

    /// <summary>§8.3.1: :path is the target's path and query, so it begins with '/', or it is '*' for an OPTIONS request
    /// with no path. Anything else ("noslash?a=1") would be shown glued to the authority as if part of the host.</summary>
    private static bool IsPath(string path, string? method) =>
        path.StartsWith('/') || path == "*" && method is "OPTIONS" or null || path == HpackDecoder.UnknownValue;

    /// <summary>A bit of its own for each pseudo-header field the section may carry (RFC 8441 adds :protocol), else 0.</summary>
    private static int PseudoBit(string name, Http2Section section) => section switch
    {
        Http2Section.Request => name switch
        {
            ":method" => 1,
            ":scheme" => 2,
            ":authority" => 4,
            ":path" => 8,
            ":protocol" => 16,
            _ => 0,
        },
        Http2Section.Response => name == ":status" ? 1 : 0,
        _ => 0,
    };

    private static string Name(Http2Section section) => section switch
    {
        Http2Section.Request => "a request",
        Http2Section.Response => "a response",
        _ => "trailers",
    };
}
