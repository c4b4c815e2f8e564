using Capture.Hpack;

namespace Capture.Recorder.Redaction;

/// <summary>
/// What --allow/--deny decide of an HTTP/2 request's fields: a client's HEADERS block, or a server's PUSH_PROMISE block,
/// which carries the request of the stream it promises (RFC 9113 §8.4) and is judged just the same.
/// </summary>
internal static class Http2RequestPolicy
{
    /// <summary>Whether the request named by <paramref name="fields"/> is kept out. A response (no :method), or a request
    /// whose method, authority or path the capture could not learn (HPACK context lost), is kept, as HTTP/1 keeps a
    /// request on a connection that lost bytes. A request that names no authority at all is matched with an empty host,
    /// as an HTTP/1 request without Host is: a server may answer it, and kept whatever --allow says it would slip past
    /// the patterns.</summary>
    public static bool IsDenied(ExchangePolicy exchanges, IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        string? method = null, authority = null, host = null, path = null;
        foreach (var (name, value) in fields)
        {
            switch (name)
            {
                case ":method": method = value; break;
                case ":authority": authority = value; break;
                case "host": host = value; break;
                case ":path": path = value; break;
            }
        }
        authority ??= host ?? "";
        if (method is null || path is null) return false;
        if (method == HpackDecoder.UnknownValue || path == HpackDecoder.UnknownValue || authority == HpackDecoder.UnknownValue) return false;
        return !exchanges.Keeps(method, authority, path);
    }
}
