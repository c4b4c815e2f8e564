using System.Security.Cryptography;

namespace Capture.Recorder.Redaction;

/// <summary>
/// What `record` replaces before anything is stored: the values of these header fields and query parameters,
/// each by a keyed hash of the same length (see <see cref="SecretHasher"/>). Names compare case-insensitively.
/// </summary>
internal sealed class RedactionPolicy
{
    /// <summary>Credentials and session ids: replaced unless --no-redact.</summary>
    public static readonly string[] DefaultHeaders = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"];

    /// <summary>Query parameters that commonly carry tokens (OAuth, API keys, signed URLs).</summary>
    public static readonly string[] DefaultQueryParameters =
        ["access_token", "refresh_token", "id_token", "token", "api_key", "apikey", "password", "secret", "signature", "sig"];

    /// <summary>The name of an HTTP/2 :path pseudo-header, whose query parameters are checked like a request target's.</summary>
    public const string PathPseudoHeader = ":path";

    /// <summary>The name of an HTTP/2 :authority pseudo-header, whose userinfo (if a broken client sends one) is a credential.</summary>
    public const string AuthorityPseudoHeader = ":authority";

    private readonly HashSet<string> _headers;
    private readonly HashSet<string> _query;

    /// <param name="redact">False (--no-redact): nothing is replaced, and the scanners only serve --allow/--deny.</param>
    public RedactionPolicy(IEnumerable<string> extraHeaders, IEnumerable<string> extraQueryParameters, byte[]? key, bool redact = true)
    {
        _headers = new HashSet<string>(redact ? DefaultHeaders.Concat(extraHeaders).Select(n => n.ToLowerInvariant()) : [], StringComparer.OrdinalIgnoreCase);
        _query = new HashSet<string>(redact ? DefaultQueryParameters.Concat(extraQueryParameters) : [], StringComparer.OrdinalIgnoreCase);
        Redacts = redact;
        LongestHeaderName = _headers.Count == 0 ? 0 : _headers.Max(h => h.Length);
        _firstBytesByLength = FirstBytesByLength(_headers, LongestHeaderName);
        KeyFromFile = key is not null;
        Hasher = new SecretHasher(key ?? RandomNumberGenerator.GetBytes(32));
    }

    public SecretHasher Hasher { get; }

    public bool Redacts { get; }

    /// <summary>--allow/--deny: which exchanges are kept at all.</summary>
    public ExchangePolicy Exchanges { get; set; } = new([], []);

    /// <summary>The key came from --redact-key (recordings made with the same file can be joined), not from chance.</summary>
    public bool KeyFromFile { get; }

    public IEnumerable<string> Headers => _headers.Order(StringComparer.Ordinal);
    public IEnumerable<string> QueryParameters => _query.Order(StringComparer.Ordinal);

    public bool IsSecretHeader(ReadOnlySpan<char> name) => _headers.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name);

    /// <summary><see cref="IsSecretHeader(ReadOnlySpan{char})"/> for a name as it arrived (Latin-1 octets). Most header lines
    /// of a message are not secret; they are turned away by their length and first octet without decoding them.</summary>
    public bool IsSecretHeader(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > LongestHeaderName || !_firstBytesByLength[name.Length * 256 + name[0]]) return false;
        Span<char> chars = stackalloc char[name.Length];
        System.Text.Encoding.Latin1.GetChars(name, chars);
        return IsSecretHeader(chars);
    }

    /// <summary>[length * 256 + octet]: whether some secret header name of that length begins with that octet (Latin-1,
    /// compared as the name set compares: OrdinalIgnoreCase). One flat array: one bounds check per header line.</summary>
    private readonly bool[] _firstBytesByLength;

    private static bool[] FirstBytesByLength(HashSet<string> names, int longest)
    {
        var table = new bool[(longest + 1) * 256];
        foreach (var name in names)
        {
            if (name.Length == 0) continue;
            for (int b = 0; b < 256; b++)
                if (string.Equals(((char)b).ToString(), name[..1], StringComparison.OrdinalIgnoreCase)) table[name.Length * 256 + b] = true;
        }
        return table;
    }

    /// <summary>Whether a query parameter, its name percent-decoded, is secret. A name followed by brackets counts as that
    /// name: PHP, Rails (Rack) and Node's qs read "token[]", "token[0]" and "token[a][b]" as an array or map named "token",
    /// so a server that takes a token from "token" takes it from these too. Anything from the first '[' on is ignored,
    /// an unclosed "token[" included (Rack reads that as "token" too): erring towards replacing.</summary>
    public bool IsSecretQueryParameter(ReadOnlySpan<char> name)
    {
        int bracket = name.IndexOf('[');
        return _query.GetAlternateLookup<ReadOnlySpan<char>>().Contains(bracket < 0 ? name : name[..bracket]);
    }

    /// <summary>The longest configured header name: a line whose first this-many+1 bytes hold no ':' is not a secret header.</summary>
    public int LongestHeaderName { get; }

    /// <summary>Counts, for run_info, values that could not be hashed because they outgrew what a connection may hold
    /// back; they were overwritten with <see cref="FillerByte"/> instead (readable by no one, joinable with nothing).</summary>
    public long Overflows;

    /// <summary>Replaces a value too long to hash; '*' is valid in header values and query strings.</summary>
    public const byte FillerByte = (byte)'*';
}
