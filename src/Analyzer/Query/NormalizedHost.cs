using Capture.Analyzer.Exchanges;

namespace Capture.Analyzer.Query;

/// <summary>
/// The host an exchange went to, normalized as RFC 9110 §4.2.3 compares http and https URIs: the host is case-insensitive,
/// and a port that is empty or the scheme's default (80 for http, 443 for https, the scheme being the connection's: TLS or
/// not) is the same as none (RFC 3986 §6.2.3). A port is a decimal number (§3.2.3), so leading zeros do not change it:
/// `:0080` is `:80`, and `:08080` is `:8080`. `Host: Shop.Test:80`, `shop.test:0080` and `shop.test` name one server, and
/// `--stats` and `--by host` give them one row. A port that is not all digits is kept as sent. What shows a single
/// exchange keeps the Host as sent.
/// </summary>
internal static class NormalizedHost
{
    public static string? Of(Exchange e) => e.Host is { } host ? Normalize(host, e.Tls) : null;

    public static string Normalize(string host, bool tls)
    {
        int colon = host.LastIndexOf(':');
        // host = IP-literal / IPv4address / reg-name (RFC 3986 §3.2.2): an IPv6 address's colons are within its brackets,
        // so the port's is the one after "]"; more than one colon without brackets is an address with no port.
        bool hasPort = colon >= 0 && (host.StartsWith('[') ? colon > host.LastIndexOf(']') : host.IndexOf(':') == colon);
        if (!hasPort) return host.ToLowerInvariant();
        string port = WithoutLeadingZeros(host[(colon + 1)..]);
        string name = host[..colon].ToLowerInvariant();
        return port.Length == 0 || port == (tls ? "443" : "80") ? name : $"{name}:{port}";
    }

    /// <summary>The port's digits without the zeros before its value ("0" stays); a port with any other character as sent, in
    /// lower case as the name is.</summary>
    private static string WithoutLeadingZeros(string port)
    {
        if (!port.All(char.IsAsciiDigit)) return port.ToLowerInvariant();
        string value = port.TrimStart('0');
        return value.Length == 0 && port.Length > 0 ? "0" : value;
    }
}
