namespace Capture.Recorder.Redaction;

/// <summary>
/// The hosts a server may take an authority for. One without userinfo is itself. One with userinfo
/// ("user:password@host", which RFC 9110 §4.2.4 and RFC 9113 §8.3.1 forbid in Host and :authority but a broken client
/// may send) gives three: as sent, the host after the last '@' (what a proxy makes of an absolute-form target), and the
/// userinfo itself, which a server that splits host from port at a ':' takes for host and port
/// ("denied.example:1@other.example"). --allow/--deny keep a request only when every reading is kept.
/// </summary>
internal static class AuthorityReadings
{
    /// <summary>The readings of <paramref name="authority"/>: itself, and with userinfo the userinfo and the host too.</summary>
    public static string[] Of(string authority)
    {
        int at = authority.LastIndexOf('@');
        return at < 0 ? [authority] : [authority, authority[..at], authority[(at + 1)..]];
    }

    /// <summary>Whether the patterns keep the request whatever reading of <paramref name="authority"/> a server goes by.</summary>
    public static bool AllKept(ExchangePolicy exchanges, string method, string authority, string path) =>
        Of(authority).All(host => exchanges.Keeps(method, host, path));
}
