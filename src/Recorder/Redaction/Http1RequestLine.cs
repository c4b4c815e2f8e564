using System.Text;
using System.Buffers;

namespace Capture.Recorder.Redaction;

/// <summary>
/// A request line read the way servers accept it, which is more leniently than RFC 9112 §3 writes it. Redaction must
/// find the target wherever a server would: the method is any token (RFC 9110 §5.6.2: "M-SEARCH", "get"); runs of
/// SP or HTAB separate the parts (nginx serves "GET  /a HTTP/1.1"); a GET line without a version is HTTP/0.9 and
/// its target runs to the end of the line. Positions are offsets in the line; reading one allocates nothing.
/// </summary>
internal readonly record struct Http1RequestLine(int MethodLength, int TargetStart, int TargetEnd, bool HasVersion)
{
    /// <summary>tchar (RFC 9110 §5.6.2): token = 1*tchar.</summary>
    private static readonly SearchValues<byte> TChar = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private static ReadOnlySpan<byte> Whitespace => " \t"u8;

    /// <summary>"HTTP/1.x" is 8 octets (RFC 9112 §2.3).</summary>
    private const int VersionLength = 8;

    public static bool TryRead(ReadOnlySpan<byte> line, out Http1RequestLine parts)
    {
        parts = default;
        int methodLength = MethodLengthOf(line);
        if (methodLength == 0) return false;
        int targetStart = line[methodLength..].IndexOfAnyExcept(Whitespace);
        if (targetStart < 0) return false;
        targetStart += methodLength;
        var content = line.TrimEnd(Whitespace);
        int lastSpace = content.LastIndexOfAny(Whitespace);
        bool hasVersion = lastSpace >= targetStart && IsVersion(content[(lastSpace + 1)..]);
        // HTTP/0.9 knew only GET, and servers refuse any other method without a version (nginx, Python's http.server):
        // a line of prose where a start line was expected is not taken for a request.
        if (!hasVersion && !Ascii.EqualsIgnoreCase(line[..methodLength], "GET"u8)) return false;
        int targetEnd = hasVersion ? content[..lastSpace].TrimEnd(Whitespace).Length : content.Length;
        parts = new Http1RequestLine(methodLength, targetStart, targetEnd, hasVersion);
        return true;
    }

    /// <summary>The length of the method a line begins with (a token, then SP or HTAB), or 0 when it begins with none.</summary>
    public static int MethodLengthOf(ReadOnlySpan<byte> line)
    {
        int length = line.IndexOfAnyExcept(TChar);
        return length > 0 && IsWhitespace(line[length]) ? length : 0;
    }

    /// <summary>
    /// Whether an unfinished line could still become a request line with a version, the only kind that can be told
    /// from text after lost bytes. Strict on purpose (no whitespace inside the target): a body's line of prose is
    /// turned away by its third word, so it is not held back while its end is awaited.
    /// </summary>
    public static bool MayBecomeOne(ReadOnlySpan<byte> prefix)
    {
        prefix = prefix.TrimEnd((byte)'\r'); // the LF is yet to come
        int methodLength = prefix.IndexOfAnyExcept(TChar);
        if (methodLength < 0) return !prefix.IsEmpty;
        if (methodLength == 0 || !IsWhitespace(prefix[methodLength])) return false;
        var rest = prefix[methodLength..].TrimStart(Whitespace);
        int space = rest.IndexOfAny(Whitespace);
        if (space < 0) return true; // still in the target
        var version = rest[space..].TrimStart(Whitespace);
        int versionEnd = version.IndexOfAny(Whitespace);
        if (versionEnd < 0) return IsVersionPrefix(version);
        return IsVersion(version[..versionEnd]) && version[versionEnd..].IndexOfAnyExcept(Whitespace) < 0;
    }

    private static bool IsVersionPrefix(ReadOnlySpan<byte> prefix) =>
        prefix.Length < VersionLength ? "HTTP/1."u8.StartsWith(prefix) : IsVersion(prefix);

    /// <summary>The method as a kind: HEAD and CONNECT change how the response is framed.</summary>
    public static RequestKind KindOf(ReadOnlySpan<byte> method) =>
        // Methods are case-sensitive (RFC 9110 §9.1), but a server may take "head" for HEAD. Taking a response for
        // bodiless wrongly only costs scanning its body line by line; the other mistake skips the next response's
        // head as body, so these compare ignoring case.
        Ascii.EqualsIgnoreCase(method, "HEAD"u8) ? RequestKind.Head : Ascii.EqualsIgnoreCase(method, "CONNECT"u8) ? RequestKind.Connect : RequestKind.Other;

    /// <summary>
    /// What --allow/--deny match of a target: its authority, when the target names one (absolute-form, RFC 9112
    /// §3.2.2, where the Host field is then ignored; CONNECT's authority-form, §3.2.3), and its path without the query.
    /// An absolute-form target's authority loses its userinfo; its empty path is "/", which is what the origin gets.
    /// </summary>
    public static void PolicyParts(ReadOnlySpan<byte> target, RequestKind kind, out ReadOnlySpan<byte> authority, out ReadOnlySpan<byte> path)
    {
        if (kind == RequestKind.Connect)
        {
            authority = target;
            path = [];
            return;
        }
        int query = target.IndexOfAny((byte)'?', (byte)'#');
        path = query < 0 ? target : target[..query];
        authority = [];
        if (!TryFindAuthority(target, out var found)) return;
        var (start, length) = found.GetOffsetAndLength(target.Length);
        if (!IsScheme(target[..(start - SchemeSeparator.Length)])) return;
        authority = target.Slice(start, length);
        int at = authority.LastIndexOf((byte)'@');
        if (at >= 0) authority = authority[(at + 1)..];
        path = target[(start + length)..];
        int pathEnd = path.IndexOfAny("?#"u8);
        if (pathEnd >= 0) path = path[..pathEnd];
        if (path.IsEmpty) path = "/"u8;
    }

    private static ReadOnlySpan<byte> SchemeSeparator => "://"u8;

    /// <summary>Where an absolute-form target's authority lies, userinfo included ("http://user@host:80/p" gives
    /// "user@host:80"): after the first "://" that comes before any path, query or fragment; false when there is none.
    /// The scheme's own syntax is not checked here: redaction treats anything in that place as userinfo.</summary>
    public static bool TryFindAuthority(ReadOnlySpan<byte> target, out Range authority)
    {
        authority = default;
        int scheme = target.IndexOf(SchemeSeparator);
        if (scheme <= 0 || target[..scheme].IndexOfAny("/?#"u8) >= 0) return false;
        int start = scheme + SchemeSeparator.Length;
        int end = target[start..].IndexOfAny("/?#"u8);
        authority = new Range(start, end < 0 ? target.Length : start + end);
        return true;
    }

    /// <summary>scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1).</summary>
    private static bool IsScheme(ReadOnlySpan<byte> scheme)
    {
        if (!char.IsAsciiLetter((char)scheme[0])) return false;
        foreach (byte b in scheme)
            if (!char.IsAsciiLetterOrDigit((char)b) && b is not ((byte)'+' or (byte)'-' or (byte)'.')) return false;
        return true;
    }

    /// <summary>HTTP-version for HTTP/1 (RFC 9112 §2.3): "HTTP/1." DIGIT.</summary>
    private static bool IsVersion(ReadOnlySpan<byte> token) =>
        token.Length == VersionLength && token.StartsWith("HTTP/1."u8) && char.IsAsciiDigit((char)token[7]);

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t';
}

/// <summary>What a response's framing depends on in the request it answers.</summary>
internal enum RequestKind { Other, Head, Connect }
