using System.Globalization;
using Capture.Hpack;

namespace Capture.Analyzer.Http2;

/// <summary>Which of a message's field sections a field block is (RFC 9113 §8.1).</summary>
internal enum Http2Section { Request, Response, Trailers }

/// <summary>
/// What RFC 9113 requires of one field section, as far as the section alone shows it: lowercase names (§8.2.1),
/// pseudo-header fields only those defined for its kind, each at most once and all before the regular fields, none
/// in trailers (§8.3), those every request needs (§8.3.1, §8.5), and a response's :status of three digits (§8.3.2). A field whose name is in an HPACK entry the capture never
/// saw could be either kind, so nothing is concluded from it.
/// </summary>
internal static class Http2FieldSection
{
    /// <summary>The rule the section breaks, or null. <paramref name="whole"/>: every field of the block was decoded
    /// and none is unknown, so a missing field is really missing.</summary>
    public static string? Violation(IReadOnlyList<KeyValuePair<string, string>> fields, Http2Section section, bool whole)
    {
        int pseudoSeen = 0;
        string? regular = null, method = null, path = null, status = null;
        bool unknownSeen = false;
        foreach (var (name, value) in fields)
        {
            if (name == HpackDecoder.UnknownName)
            {
                unknownSeen = true;
                continue;
            }
            if (name.Any(char.IsAsciiLetterUpper)) return $"field name {name} has uppercase letters (RFC 9113 §8.2.1)";
            if (!name.StartsWith(':'))
            {
                regular ??= name;
                continue;
            }
            int bit = PseudoBit(name, section);
            if (bit == 0) return $"pseudo-header field {name} is not defined for {Name(section)} (RFC 9113 §8.3)";
            if (regular is not null) return $"pseudo-header field {name} after the regular field {regular} (RFC 9113 §8.3)";
            if ((pseudoSeen & bit) != 0) return $"pseudo-header field {name} repeated (RFC 9113 §8.3)";
            pseudoSeen |= bit;
            if (name == ":method") method = value;
            else if (name == ":path") path = value;
            else if (name == ":status") status = value;
        }
        if (status is not null && StatusCode(status) is null) return $":status {status} is not three digits (RFC 9113 §8.3.2)";
        // §8.6: HTTP/2 has no 101; a connection changes protocol only by the HTTP/1.1 Upgrade that preceded it (h2c), and
        // extended CONNECT (RFC 8441) opens a tunnel on one stream with a 2xx.
        if (status == "101") return ":status 101 (Switching Protocols), which HTTP/2 does not have (RFC 9113 §8.6)";
        // A field whose name is unknown may be the one missing.
        if (whole && !unknownSeen && MissingField(section, pseudoSeen, method) is { } missing) return missing;
        if (path is not null && !IsPath(path, method)) return $":path {path} is neither an absolute path nor * of an OPTIONS (RFC 9113 §8.3.1)";
        return null;
    }

    /// <summary>§8.3: a trailer section has no pseudo-header field, a header section begins with them. Fields, none of them a
    /// pseudo-header field nor one whose name is in an HPACK entry never seen, could be trailers.</summary>
    public static bool MayBeTrailers(IReadOnlyList<KeyValuePair<string, string>> fields) =>
        fields.Count > 0 && fields.All(f => f.Key != HpackDecoder.UnknownName && !f.Key.StartsWith(':'));

    /// <summary>A :status value as a number: exactly three digits (RFC 9110 §15), not whatever int.TryParse takes (" 200", "+20").</summary>
    public static int? StatusCode(string? value) =>
        value is { Length: 3 } && value.All(char.IsAsciiDigit) ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    /// <summary>§8.3.1: every request names :method, :scheme and :path, but a CONNECT (§8.5), which names only :authority;
    /// §8.3.2: every response names :status.</summary>
    private static string? MissingField(Http2Section section, int pseudoSeen, string? method)
    {
        bool Has(string name) => (pseudoSeen & PseudoBit(name, section)) != 0;
        if (section == Http2Section.Response) return Has(":status") ? null : "response without :status (RFC 9113 §8.3.2)";
        if (section != Http2Section.Request) return null;
        if (!Has(":method")) return "request without :method (RFC 9113 §8.3.1)";
        // RFC 8441's extended CONNECT (with :protocol) is a request like any other.
        if (method == "CONNECT" && !Has(":protocol"))
        {
            if (!Has(":authority")) return "CONNECT request without :authority (RFC 9113 §8.5)";
            if (Has(":scheme")) return "CONNECT request with :scheme (RFC 9113 §8.5)";
            return Has(":path") ? "CONNECT request with :path (RFC 9113 §8.5)" : null;
        }
        if (!Has(":scheme")) return "request without :scheme (RFC 9113 §8.3.1)";
        return Has(":path") ? null : "request without :path (RFC 9113 §8.3.1)";
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
