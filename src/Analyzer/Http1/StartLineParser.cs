namespace Capture.Analyzer.Http1;

/// <summary>The parts of a request line, as positions in the line.</summary>
internal readonly record struct RequestLine(int MethodLength, int TargetStart, int TargetLength, int Minor);

/// <summary>The parts of a status line; the reason phrase runs from <see cref="ReasonStart"/> to the line end.</summary>
internal readonly record struct StatusLine(int Status, int ReasonStart, int Minor);

/// <summary>
/// Request line (RFC 9112 §3) and status line (RFC 9112 §4). Each parse returns null on success or a
/// stable error message; it allocates nothing, so resynchronisation can try every line cheaply.
/// </summary>
internal static class StartLineParser
{
    // RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT
    private const int VersionLength = 8;

    /// <summary>request-line = method SP request-target SP HTTP-version</summary>
    public static string? ParseRequestLine(ReadOnlySpan<byte> line, out RequestLine parts)
    {
        parts = default;
        int sp1 = line.IndexOf((byte)' ');
        var method = sp1 < 0 ? line : line[..sp1];
        if (method.IsEmpty) return "invalid request line: empty method";
        if (!Http1Syntax.IsToken(method)) return "invalid request line: method is not a token";
        if (sp1 < 0) return "invalid request line: missing request target";

        int sp2 = line.LastIndexOf((byte)' ');
        if (sp2 == sp1) return "invalid request line: missing HTTP version";
        var target = line[(sp1 + 1)..sp2];
        if (target.IsEmpty) return "invalid request line: empty request target";
        if (target.ContainsAny(Http1Syntax.NotInTarget))
            return "invalid request line: whitespace or control character in request target";

        var version = line[(sp2 + 1)..];
        if (!TryParseVersion(version, out int major, out int minor)) return "invalid request line: malformed HTTP version";
        if (major != 1)
        {
            return method.SequenceEqual("PRI"u8) && target.SequenceEqual("*"u8) && major == 2
                ? "invalid request line: HTTP/2 connection preface, not HTTP/1.x"
                : $"invalid request line: unsupported HTTP version HTTP/{major}.{minor}";
        }

        parts = new RequestLine(sp1, sp1 + 1, target.Length, minor);
        return null;
    }

    /// <summary>status-line = HTTP-version SP status-code SP [ reason-phrase ]; a missing SP before an empty reason is tolerated.</summary>
    public static string? ParseStatusLine(ReadOnlySpan<byte> line, out StatusLine parts)
    {
        parts = default;
        if (!line.StartsWith("HTTP/"u8)) return "invalid status line: missing HTTP version";
        if (line.Length < VersionLength || !TryParseVersion(line[..VersionLength], out int major, out int minor))
            return "invalid status line: malformed HTTP version";
        if (line.Length == VersionLength) return "invalid status line: missing status code";
        if (line[VersionLength] != ' ') return "invalid status line: malformed HTTP version";
        if (major != 1) return $"invalid status line: unsupported HTTP version HTTP/{major}.{minor}";

        var rest = line[(VersionLength + 1)..];
        if (rest.Length < 3 || !IsDigit(rest[0]) || !IsDigit(rest[1]) || !IsDigit(rest[2]) || (rest.Length > 3 && rest[3] != ' '))
            return "invalid status line: status code is not 3 digits";
        int status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
        if (status < 100) return "invalid status line: status code below 100";

        parts = new StatusLine(status, Math.Min(line.Length, VersionLength + 1 + 4), minor);
        return null;
    }

    /// <summary>A method worth resynchronising on: a known one, or an all-uppercase token (letters, '-', '_').</summary>
    public static bool IsPlausibleMethod(ReadOnlySpan<byte> method)
    {
        if (Http1Syntax.Methods.Contains(method)) return true;
        foreach (byte b in method)
        {
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (byte)'-' or (byte)'_')) return false;
        }
        return !method.IsEmpty;
    }

    /// <summary>A line that begins as a request line does, with a plausible method and SP, whatever follows: one that does
    /// not parse is still most likely a request of its own, where other bytes are most likely a body that ran long.</summary>
    public static bool BeginsWithMethod(ReadOnlySpan<byte> line)
    {
        int sp = line.IndexOf((byte)' ');
        return sp > 0 && IsPlausibleMethod(line[..sp]);
    }

    private static bool TryParseVersion(ReadOnlySpan<byte> v, out int major, out int minor)
    {
        major = minor = 0;
        if (v.Length != VersionLength || !v.StartsWith("HTTP/"u8) || !IsDigit(v[5]) || v[6] != '.' || !IsDigit(v[7]))
            return false;
        major = v[5] - '0';
        minor = v[7] - '0';
        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
