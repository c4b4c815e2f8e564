using System.Text;

namespace Capture.Recorder.Redaction;

/// <summary>
/// Which bytes of a field value are secret. What identifies without revealing is kept: the scheme of
/// Authorization ("Bearer", "Basic"), cookie names and Set-Cookie attributes, query parameter names, the path.
/// Each range is hashed on its own, so one cookie's value stays joinable whatever other cookies travel with it.
/// </summary>
internal static class SecretRanges
{
    /// <summary>Adds the secret ranges of <paramref name="value"/>, a value of field <paramref name="name"/>
    /// (null: a name the capture could not learn, so the whole value is treated as secret).</summary>
    public static void Find(RedactionPolicy policy, string? name, ReadOnlySpan<byte> value, List<Range> ranges)
    {
        if (name is null)
        {
            AddTrimmed(value, 0, value.Length, ranges);
            return;
        }
        if (name.Equals(RedactionPolicy.PathPseudoHeader, StringComparison.Ordinal))
        {
            FindInTarget(policy, value, ranges);
            return;
        }
        if (!policy.IsSecretHeader(name))
        {
            // Not a secret field (unless --redact-header names it, and then it is secret whole), but it may carry one.
            if (IsAuthority(name)) AuthorityUserInfo(value, ranges);
            return;
        }
        switch (name.ToLowerInvariant())
        {
            case "authorization" or "proxy-authorization":
                AfterScheme(value, ranges);
                break;
            case "cookie":
                CookieValues(value, ranges);
                break;
            case "set-cookie":
                SetCookieValues(value, ranges);
                break;
            default:
                AddTrimmed(value, 0, value.Length, ranges);
                break;
        }
    }

    /// <summary>Whether a field of this name may hold a secret part: a secret header, or one that names the request's
    /// target or authority (HTTP/2's :path, :authority and Host).</summary>
    public static bool MayHoldSecret(RedactionPolicy policy, string name) =>
        name == RedactionPolicy.PathPseudoHeader || IsAuthority(name) || policy.IsSecretHeader(name);

    /// <summary>Fields that state the authority: HTTP/2's :authority and Host, and HTTP/1's Host (which Http1Scanner passes
    /// here only when it holds an '@').</summary>
    private static bool IsAuthority(string name) =>
        name == RedactionPolicy.AuthorityPseudoHeader || name.Equals("host", StringComparison.OrdinalIgnoreCase);

    /// <summary>An authority's userinfo ("user:password@host", which RFC 9113 §8.3.1 forbids in :authority but a broken
    /// client may send): everything before the last '@', replaced whole as an absolute-form target's userinfo is.</summary>
    private static void AuthorityUserInfo(ReadOnlySpan<byte> authority, List<Range> ranges)
    {
        int at = authority.LastIndexOf((byte)'@');
        int start = 0; // an HTTP/1 field value comes with the whitespace after its colon
        while (start < at && authority[start] is (byte)' ' or (byte)'\t') start++;
        if (at > start) ranges.Add(new Range(start, at));
    }

    /// <summary>The values of secret query parameters in a request target ("/p?a=1&amp;token=x"). Parameters are split at
    /// '&amp;' and at ';' (which some servers take as a separator too), and a fragment's parameters count as well (OAuth's
    /// implicit flow puts access_token there, and a careless client sends it); a name is compared percent-decoded.</summary>
    public static void FindInTarget(RedactionPolicy policy, ReadOnlySpan<byte> target, List<Range> ranges)
    {
        UserInfo(target, ranges);
        int query = target.IndexOfAny((byte)'?', (byte)'#');
        if (query < 0) return;
        Span<char> buffer = stackalloc char[128];
        for (int start = query + 1; start < target.Length;)
        {
            int separator = target[start..].IndexOfAny(QuerySeparators);
            int partEnd = separator < 0 ? target.Length : start + separator;
            var part = target[start..partEnd];
            int eq = part.IndexOf((byte)'=');
            if (eq > 0 && eq + 1 < part.Length)
            {
                var name = eq <= buffer.Length ? buffer[..eq] : new char[eq];
                Encoding.Latin1.GetChars(part[..eq], name);
                if (policy.IsSecretQueryParameter(name[..PercentDecoding.DecodeInPlace(name)])) ranges.Add(new Range(start + eq + 1, partEnd));
            }
            start = partEnd + 1;
        }
    }

    /// <summary>An absolute-form target's userinfo ("http://user:password@host/", as a forward proxy receives it): a
    /// credential whole, the user name included, which is often a token itself.</summary>
    private static void UserInfo(ReadOnlySpan<byte> target, List<Range> ranges)
    {
        if (!Http1RequestLine.TryFindAuthority(target, out var authority)) return;
        var (start, length) = authority.GetOffsetAndLength(target.Length);
        int at = target.Slice(start, length).LastIndexOf((byte)'@');
        if (at > 0) ranges.Add(new Range(start, start + at));
    }

    private static readonly System.Buffers.SearchValues<byte> QuerySeparators = System.Buffers.SearchValues.Create("&;#"u8);

    /// <summary>"Bearer abc" keeps "Bearer "; a value without a scheme is secret whole.</summary>
    private static void AfterScheme(ReadOnlySpan<byte> value, List<Range> ranges)
    {
        int start = 0;
        while (start < value.Length && value[start] is (byte)' ' or (byte)'\t') start++;
        int space = value[start..].IndexOfAny((byte)' ', (byte)'\t');
        if (space > 0)
        {
            int rest = start + space;
            while (rest < value.Length && value[rest] is (byte)' ' or (byte)'\t') rest++;
            if (rest < value.Length)
            {
                AddTrimmed(value, rest, value.Length, ranges);
                return;
            }
        }
        AddTrimmed(value, start, value.Length, ranges);
    }

    /// <summary>Cookie's "a=1; b=2": the values after '='; a part without '=' is secret whole.</summary>
    private static void CookieValues(ReadOnlySpan<byte> value, List<Range> ranges)
    {
        for (int start = 0; start < value.Length;)
        {
            int semi = value[start..].IndexOf((byte)';');
            int end = semi < 0 ? value.Length : start + semi;
            int eq = value[start..end].IndexOf((byte)'=');
            AddTrimmed(value, eq < 0 ? start : start + eq + 1, end, ranges);
            start = end + 1;
        }
    }

    /// <summary>Set-Cookie's cookie value; its attributes after the first ';' (Path, Expires, HttpOnly) are kept. A server
    /// that joins several Set-Cookie fields into one with commas (RFC 6265 §3 says it must not, but some do) gets each
    /// cookie's value replaced: after a comma, "name=" begins another cookie unless name is an attribute's. A date's
    /// comma ("Expires=Wed, 21 Oct 2026") is followed by no '=' before a space, and begins nothing.</summary>
    private static void SetCookieValues(ReadOnlySpan<byte> value, List<Range> ranges)
    {
        for (int cookie = 0; cookie < value.Length;)
        {
            var (comma, next) = NextJoinedCookie(value, cookie);
            int limit = comma < 0 ? value.Length : comma;
            int semi = value[cookie..limit].IndexOf((byte)';');
            int end = semi < 0 ? limit : cookie + semi;
            int eq = value[cookie..end].IndexOf((byte)'=');
            AddTrimmed(value, eq < 0 ? cookie : cookie + eq + 1, end, ranges);
            if (comma < 0) return;
            cookie = next;
        }
    }

    /// <summary>The first comma after <paramref name="from"/> that begins another cookie, and where that cookie's name
    /// begins; (-1, -1) when none does. A comma inside a value (JSON, say) is followed by no name=, and begins nothing.</summary>
    private static (int Comma, int Name) NextJoinedCookie(ReadOnlySpan<byte> value, int from)
    {
        for (int comma = from; comma < value.Length; comma++)
        {
            if (value[comma] != ',') continue;
            int name = comma + 1;
            while (name < value.Length && value[name] is (byte)' ' or (byte)'\t') name++;
            int nameEnd = name;
            while (nameEnd < value.Length && value[nameEnd] is not ((byte)'=' or (byte)';' or (byte)',' or (byte)' ' or (byte)'\t' or (byte)'"' or (byte)':')) nameEnd++;
            if (nameEnd > name && nameEnd < value.Length && value[nameEnd] == '=' && !IsCookieAttribute(value[name..nameEnd])) return (comma, name);
        }
        return (-1, -1);
    }

    private static bool IsCookieAttribute(ReadOnlySpan<byte> name)
    {
        foreach (var attribute in (ReadOnlySpan<string>)["Expires", "Max-Age", "Domain", "Path", "SameSite", "Priority"])
            if (Ascii.EqualsIgnoreCase(name, attribute)) return true;
        return false;
    }

    private static void AddTrimmed(ReadOnlySpan<byte> value, int start, int end, List<Range> ranges)
    {
        while (start < end && value[start] is (byte)' ' or (byte)'\t' or (byte)'"') start++;
        while (end > start && value[end - 1] is (byte)' ' or (byte)'\t' or (byte)'"' or (byte)'\r') end--;
        if (end > start) ranges.Add(new Range(start, end));
    }
}
