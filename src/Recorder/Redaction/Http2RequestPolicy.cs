using Capture.Hpack;

namespace Capture.Recorder.Redaction;

/// <summary>
/// What --allow/--deny decide of an HTTP/2 request's fields: a client's HEADERS block, or a server's PUSH_PROMISE block,
/// which carries the request of the stream it promises (RFC 9113 §8.4) and is judged just the same.
///
/// A request is kept only when it would be kept whichever of its names a server goes by. RFC 9113 §8.3.1 has
/// :authority and Host agree, but a client that sends both with different values (or a field twice) leaves it to the
/// server which one routes the request, and servers differ; so every :authority and Host value is a candidate host,
/// and every :method and :path a candidate method and path (a repeated pseudo-header is as ambiguous). An authority
/// with userinfo gives three candidates (<see cref="AuthorityReadings"/>). A --deny that
/// matches any candidate keeps the request out, and under --allow every candidate must be allowed: no choice of the
/// server's lets an exchange past the patterns. A client that follows the RFC sends one name, and loses nothing.
/// </summary>
internal static class Http2RequestPolicy
{
    /// <summary>Whether the request named by <paramref name="fields"/> is kept out. A response (no :method), or a request
    /// whose method or path the capture could not learn, or whose only host is one it could not (HPACK context lost), is
    /// kept, as HTTP/1 keeps a request on a connection that lost bytes; the names it did learn still decide. A request
    /// that names no authority at all is matched with an empty host, as an HTTP/1 request without Host is: a server may
    /// answer it, and kept whatever --allow says it would slip past the patterns.</summary>
    public static bool IsDenied(ExchangePolicy exchanges, IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        List<string> methods = [], hosts = [], paths = [];
        bool hostUnknown = false;
        foreach (var (name, value) in fields)
        {
            switch (name)
            {
                case ":method": methods.Add(value); break;
                case ":path": paths.Add(value); break;
                case ":authority" or "host" when value == HpackDecoder.UnknownValue: hostUnknown = true; break;
                case ":authority" or "host": hosts.AddRange(AuthorityReadings.Of(value)); break;
            }
        }
        if (methods.Count == 0 || paths.Count == 0 || methods.Contains(HpackDecoder.UnknownValue) || paths.Contains(HpackDecoder.UnknownValue))
            return false;
        if (hosts.Count == 0)
        {
            if (hostUnknown) return false;
            hosts.Add("");
        }
        foreach (var method in methods)
            foreach (var host in hosts)
                foreach (var path in paths)
                    if (!exchanges.Keeps(method, host, path)) return true;
        return false;
    }
}
