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

    private readonly HashSet<string> _headers;
    private readonly HashSet<string> _query;

    /// <param name="redact">False (--no-redact): nothing is replaced, and the scanners only serve --allow/--deny.</param>
    public RedactionPolicy(IEnumerable<string> extraHeaders, IEnumerable<string> extraQueryParameters, byte[]? key, bool redact = true)
    {
        _headers = new HashSet<string>(redact ? DefaultHeaders.Concat(extraHeaders).Select(n => n.ToLowerInvariant()) : [], StringComparer.OrdinalIgnoreCase);
        _query = new HashSet<string>(redact ? DefaultQueryParameters.Concat(extraQueryParameters) : [], StringComparer.OrdinalIgnoreCase);
        Redacts = redact;
        LongestHeaderName = _headers.Count == 0 ? 0 : _headers.Max(h => h.Length);
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

    public bool IsSecretQueryParameter(ReadOnlySpan<char> name) => _query.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name);

    /// <summary>The longest configured header name: a line whose first this-many+1 bytes hold no ':' is not a secret header.</summary>
    public int LongestHeaderName { get; }

    /// <summary>Counts, for run_info, values that could not be hashed because they outgrew what a connection may hold
    /// back; they were overwritten with <see cref="FillerByte"/> instead (readable by no one, joinable with nothing).</summary>
    public long Overflows;

    /// <summary>Replaces a value too long to hash; '*' is valid in header values and query strings.</summary>
    public const byte FillerByte = (byte)'*';
}
