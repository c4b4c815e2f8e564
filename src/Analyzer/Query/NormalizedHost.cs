using Capture.Analyzer.Exchanges;

namespace Capture.Analyzer.Query;

/// <summary>
/// The host an exchange went to, normalized as RFC 9110 §4.2.3 compares http and https URIs: the host is case-insensitive,
/// and a port that is empty or the scheme's default (80 for http, 443 for https, the scheme being the connection's: TLS or
/// not) is the same as none (RFC 3986 §6.2.3). `Host: Shop.Test:80` and `shop.test` name one server, and `--stats` and
/// `--by host` give them one row. What shows a single exchange keeps the Host as sent.
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
        if (hasPort && host.AsSpan(colon + 1) is var port && (port.IsEmpty || port.SequenceEqual(tls ? "443" : "80")))
            host = host[..colon];
        return host.ToLowerInvariant();
    }
}
