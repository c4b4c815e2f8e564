using System.Globalization;
using System.Net;
using System.Text;
using Capture.Analyzer.Exchanges;

namespace Capture.Analyzer.Output;

/// <summary>
/// A HAR entry's request.url: always a URL a browser's devtools (and RFC 3986) accept, whatever the request carried.
/// The path and query keep what is allowed there and percent-encode every other byte (a space, a quote, a raw UTF-8
/// "é", read as the Latin-1 characters "Ã©", becomes %C3%A9, the escape a browser would have sent); a Host that is no
/// host[:port] (a space, a '|', a quote, an empty Host, or none) cannot be escaped into one, so the url names the connection's
/// server address instead, and <see cref="Result.Comment"/> says so. The headers keep the Host as sent.
/// </summary>
internal static class HarUrl
{
    public sealed record Result(string Url, string? Comment);

    public static Result Of(Exchange e)
    {
        string scheme = e.Tls ? "https" : "http";
        string path = Path(e.Path);
        // A request that sent no Host has the server's address as its host (Exchange.NoHostSent): the url is the same, but
        // without the comment it would pass for an address the client named.
        string host = e.NoHostSent ? "" : e.Host ?? "";
        if (IsHostPort(host)) return new($"{scheme}://{host}{path}", null);

        string server = e.Side == "client" ? e.Remote : e.Local;
        string why = host.Length == 0 ? "the request named no host" : $"the Host \"{host}\" is no valid host[:port] (RFC 3986 §3.2.2)";
        return new($"{scheme}://{server}{path}", $"url: {why}, so it names the server's address");
    }

    /// <summary>RFC 9110 §7.1: an asterisk-form target (OPTIONS *) is the server itself, a URI with an empty path; a target
    /// that begins with neither '/' nor '?' (one the parser kept though it is no origin-form) gets a '/', or its first
    /// characters would read as part of the host.</summary>
    private static string Path(string? target) => target switch
    {
        null => "/",
        "*" => "",
        _ when target.StartsWith('/') || target.StartsWith('?') => Escape(target),
        _ => "/" + Escape(target),
    };

    /// <summary>pchar, '/' and '?' (RFC 3986 §3.3, §3.4) stay; a '%' stays when it begins an escape (%2F), since the client
    /// sent it escaped; any other byte becomes %XX. Characters are bytes (header and target bytes are read as Latin-1).</summary>
    public static string Escape(string target)
    {
        var url = new StringBuilder(target.Length);
        for (int i = 0; i < target.Length; i++)
        {
            char c = target[i];
            if (IsPathChar(c) || c == '%' && i + 2 < target.Length && char.IsAsciiHexDigit(target[i + 1]) && char.IsAsciiHexDigit(target[i + 2]))
                url.Append(c);
            else if (c <= 0xFF)
                url.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else // not a byte: no parser makes one, but a URL must still hold only ASCII.
                foreach (byte b in Encoding.UTF8.GetBytes(c.ToString())) url.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return url.ToString();
    }

    /// <summary>pchar = unreserved / sub-delims / ":" / "@", and the '/' and '?' a path and query hold.</summary>
    private static bool IsPathChar(char c) => IsRegNameChar(c) || c is ':' or '@' or '/' or '?';

    /// <summary>unreserved / sub-delims (RFC 3986 §2.2, §2.3): all a reg-name holds but escapes, which no Host needs and the
    /// WHATWG URL parser would decode into code points it forbids in a host.</summary>
    private static bool IsRegNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or
        '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=';

    /// <summary>host [ ":" port ] (RFC 3986 §3.2.2, §3.2.3): a non-empty reg-name or IPv4 address, or an IPv6 address in
    /// brackets; a port of digits up to 65535, or none after the colon (RFC 3986 allows "host:").</summary>
    private static bool IsHostPort(string authority)
    {
        string host = authority, port = "";
        int close = authority.StartsWith('[') ? authority.IndexOf(']') : -1;
        int colon = close >= 0 ? (authority.Length > close + 1 ? close + 1 : -1) : authority.IndexOf(':');
        if (colon >= 0)
        {
            if (authority[colon] != ':') return false;
            host = authority[..colon];
            port = authority[(colon + 1)..];
        }
        if (port.Length > 0 && (port.Length > 5 || !port.All(char.IsAsciiDigit) || int.Parse(port, CultureInfo.InvariantCulture) > 65535))
            return false;
        if (host.StartsWith('['))
            return host.EndsWith(']') && host.Length > 2 && host[1..^1].All(c => char.IsAsciiHexDigit(c) || c is ':' or '.') &&
                   IPAddress.TryParse(host[1..^1], out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        return host.Length > 0 && host.All(IsRegNameChar);
    }
}
