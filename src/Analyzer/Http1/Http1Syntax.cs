using System.Buffers;

namespace Capture.Analyzer.Http1;

/// <summary>Character classes of RFC 9110 §5.6 and the strings a parser hands out for them.</summary>
internal static class Http1Syntax
{
    /// <summary>tchar (RFC 9110 §5.6.2): token = 1*tchar.</summary>
    public static readonly SearchValues<byte> TChar = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Bytes that may not appear in a request-target: whitespace and CTLs.</summary>
    public static readonly SearchValues<byte> NotInTarget = SearchValues.Create(ControlBytes(includeHtab: true));

    /// <summary>Bytes that may not appear in a field value (RFC 9110 §5.5): CTLs other than HTAB.</summary>
    public static readonly SearchValues<byte> NotInFieldValue = SearchValues.Create(ControlBytes(includeHtab: false));

    /// <summary>Methods of RFC 9110 §9 and PATCH (RFC 5789).</summary>
    public static readonly AsciiStringTable Methods = new(
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    public static readonly AsciiStringTable FieldNames = AsciiStringTable.WithLowercase(
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Accept-Ranges", "Age",
        "Authorization", "Cache-Control", "Connection", "Content-Encoding", "Content-Length", "Content-Type",
        "Content-Range", "Cookie", "Date", "ETag", "Expect", "Expires", "If-Modified-Since", "If-None-Match",
        "Keep-Alive", "Last-Modified", "Location", "Origin", "Pragma", "Range", "Referer", "Server",
        "Set-Cookie", "Transfer-Encoding", "Upgrade", "Vary", "Via", "X-Forwarded-For", "X-Request-Id",
        "Access-Control-Allow-Origin", "Sec-WebSocket-Key", "Sec-WebSocket-Accept", "Sec-WebSocket-Version",
        "Strict-Transport-Security", "Proxy-Connection", "TE", "Trailer");

    public static readonly AsciiStringTable FieldValues = new(
        "keep-alive", "close", "Keep-Alive", "Close", "chunked", "gzip", "deflate", "br", "identity", "*/*",
        "no-cache", "Upgrade", "upgrade", "websocket", "100-continue", "0", "13", "trailers", "bytes",
        "application/json", "text/html", "text/plain", "text/html; charset=utf-8", "application/octet-stream",
        "gzip, deflate", "gzip, deflate, br", "nginx", "Accept-Encoding");

    public static readonly AsciiStringTable Reasons = new(
        "OK", "Continue", "Switching Protocols", "Created", "Accepted", "No Content", "Partial Content",
        "Moved Permanently", "Found", "See Other", "Not Modified", "Temporary Redirect", "Permanent Redirect",
        "Bad Request", "Unauthorized", "Forbidden", "Not Found", "Method Not Allowed", "Request Timeout",
        "Conflict", "Too Many Requests", "Internal Server Error", "Bad Gateway", "Service Unavailable",
        "Gateway Timeout", "Connection established", "Connection Established");

    public static bool IsToken(ReadOnlySpan<byte> s) => !s.IsEmpty && !s.ContainsAnyExcept(TChar);

    public static bool IsOws(byte b) => b is (byte)' ' or (byte)'\t';

    /// <summary>Trims OWS (RFC 9110 §5.6.3: SP / HTAB) from both ends.</summary>
    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsOws(s[start])) start++;
        while (end > start && IsOws(s[end - 1])) end--;
        return s[start..end];
    }

    /// <summary>"HTTP/1.0" and "HTTP/1.1" without allocating; other 1.x versions as sent.</summary>
    public static string Version(int minor) => minor switch
    {
        0 => "HTTP/1.0",
        1 => "HTTP/1.1",
        _ => "HTTP/1." + (char)('0' + minor),
    };

    private static byte[] ControlBytes(bool includeHtab)
    {
        var bytes = new List<byte>();
        for (int b = 0; b < 0x20; b++)
        {
            if (b != '\t' || includeHtab) bytes.Add((byte)b);
        }
        bytes.Add(0x7F);
        if (includeHtab) bytes.Add((byte)' ');
        return bytes.ToArray();
    }
}
