namespace Capture.Pcapng.Synthetic;

/// <summary>The server port a synthetic flow uses. Wireshark joins TCP conversations by address
/// and port across interfaces, so a synthetic flow must not reuse the real 5-tuple (it would show
/// as retransmissions of the real packets and not be dissected), and the client's and the
/// server's view of one loopback connection must not share one either (each would look like the
/// other's retransmission). Wireshark finds HTTP/2 without "Decode As" only on ports it gives to
/// HTTP (the HTTP dissector recognises the HTTP/2 preface there), so the synthetic server port is
/// one of those: the client's view and the server's view each have their own, never the real one.
/// The real addresses and ports are in every packet's comment.</summary>
public static class SyntheticPorts
{
    // HTTP ports of Wireshark's default http.tcp.port range.
    private static readonly int[] ClientView = [80, 8088];
    private static readonly int[] ServerView = [8080, 3128];
    // A TLS connection through an HTTP proxy says CONNECT on its socket before its handshake; that plaintext is a
    // flow beside the TLS library's plaintext, so it needs ports of its own (ports Wireshark gives to HTTP as well).
    private static readonly int[] TunnelRequestClientView = [3132, 5985];
    private static readonly int[] TunnelRequestServerView = [11371, 2869];

    /// <param name="tunnelRequest">The flow of the socket bytes that ask a proxy for a tunnel (CONNECT).</param>
    public static int ServerPort(RecordedConnection connection, bool tunnelRequest = false) => Candidates(connection, tunnelRequest)[0];

    /// <summary>The HTTP ports the server end of the connection's flow may have, best first; never its real port. One is
    /// spare (unless it is the real one) for when another flow of the file took the first (<see cref="SyntheticPortAllocator"/>).</summary>
    public static int[] Candidates(RecordedConnection connection, bool tunnelRequest = false)
    {
        var candidates = (connection.LocalIsClient, tunnelRequest) switch
        {
            (true, false) => ClientView,
            (false, false) => ServerView,
            (true, true) => TunnelRequestClientView,
            (false, true) => TunnelRequestServerView,
        };
        return [.. candidates.Where(port => port != connection.ServerPort)];
    }

    /// <summary>A port this class gives to servers: no synthetic client end takes one.</summary>
    public static bool IsHttpPort(int port) =>
        ClientView.Contains(port) || ServerView.Contains(port) || TunnelRequestClientView.Contains(port) || TunnelRequestServerView.Contains(port);
}
