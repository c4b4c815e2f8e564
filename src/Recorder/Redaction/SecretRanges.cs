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
        if (!policy.IsSecretHeader(name)) return;
        switch (name.ToLowerInvariant())
        {
            case "authorization" or "proxy-authorization":
                AfterScheme(value, ranges);
                break;
            case "cookie":
                CookieValues(value, 0, value.Length, allParts: true, ranges);
                break;
            case "set-cookie":
                CookieValues(value, 0, value.Length, allParts: false, ranges);
                break;
            default:
                AddTrimmed(value, 0, value.Length, ranges);
                break;
        }
    }

    /// <summary>The values of secret query parameters in a request target ("/p?a=1&amp;token=x#f").</summary>
    public static void FindInTarget(RedactionPolicy policy, ReadOnlySpan<byte> target, List<Range> ranges)
    {
        int query = target.IndexOf((byte)'?');
        if (query < 0) return;
        int end = target.IndexOf((byte)'#');
        if (end < 0) end = target.Length;
        Span<char> name = stackalloc char[64];
        for (int start = query + 1; start < end;)
        {
            int amp = target[start..end].IndexOf((byte)'&');
            int partEnd = amp < 0 ? end : start + amp;
            var part = target[start..partEnd];
            int eq = part.IndexOf((byte)'=');
            if (eq > 0 && eq <= name.Length && eq + 1 < part.Length)
            {
                int chars = Encoding.Latin1.GetChars(part[..eq], name);
                if (policy.IsSecretQueryParameter(name[..chars])) ranges.Add(new Range(start + eq + 1, partEnd));
            }
            start = partEnd + 1;
        }
    }

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

    /// <summary>"a=1; b=2": the values after '='; a part without '=' is secret whole. Set-Cookie's
    /// attributes after the first ';' (Path, Expires, HttpOnly) are kept.</summary>
    private static void CookieValues(ReadOnlySpan<byte> value, int from, int to, bool allParts, List<Range> ranges)
    {
        for (int start = from; start < to;)
        {
            int semi = value[start..to].IndexOf((byte)';');
            int end = semi < 0 ? to : start + semi;
            int eq = value[start..end].IndexOf((byte)'=');
            AddTrimmed(value, eq < 0 ? start : start + eq + 1, end, ranges);
            if (!allParts) return;
            start = end + 1;
        }
    }

    private static void AddTrimmed(ReadOnlySpan<byte> value, int start, int end, List<Range> ranges)
    {
        while (start < end && value[start] is (byte)' ' or (byte)'\t' or (byte)'"') start++;
        while (end > start && value[end - 1] is (byte)' ' or (byte)'\t' or (byte)'"' or (byte)'\r') end--;
        if (end > start) ranges.Add(new Range(start, end));
    }
}
