using System.Net;

namespace Capture.Pcapng.Synthetic;

/// <summary>
/// Gives each synthetic flow of one file ports no other flow of the file has. The server port is one of
/// <see cref="SyntheticPorts"/>' HTTP ports and the client port the real one, so two real connections that differ only in
/// their server port (one client socket to two ports of one host, one after the other; or a client's view and a server's
/// view that meet) would otherwise share a 5-tuple, and Wireshark, which joins TCP conversations by addresses and ports
/// across interfaces, would read them as one stream. A flow whose first choice is taken tries the view's other HTTP port,
/// then keeps its first server port and moves its client port up to the next one free (not an HTTP port, which would make
/// that end look like a server). The real endpoints stay in every packet's comment.
///
/// Only the last <see cref="RememberedFlows"/> flows are remembered. `record --pcapng` runs for hours: remembering every
/// flow would grow without end, and on loopback, where every connection joins 127.0.0.1 to itself and the kernel hands
/// out ephemeral ports round and round, each new flow would find its real port taken by a long-closed one and walk ever
/// further to a free one. A flow that old ended long before (with the handshake and FIN that separate it in Wireshark).
/// </summary>
public sealed class SyntheticPortAllocator
{
    /// <summary>Flows remembered: far more than are open at once on any host this records, far fewer than the
    /// ephemeral ports a busy loopback cycles through.</summary>
    public const int RememberedFlows = 8192;

    private readonly HashSet<(IPAddress, int, IPAddress, int)> _used = [];
    private readonly Queue<(IPAddress, int, IPAddress, int)> _byAge = new();

    /// <summary>The ports of a new flow for <paramref name="connection"/> (see <see cref="SyntheticPorts.Candidates"/>).</summary>
    public (int ClientPort, int ServerPort) Allocate(RecordedConnection connection, bool tunnelRequest = false)
    {
        var (local, remote) = SyntheticFlow.SameFamily(connection.Local, connection.Remote);
        var (clientAddress, serverAddress) = connection.LocalIsClient ? (local, remote) : (remote, local);
        int clientPort = connection.LocalIsClient ? connection.LocalPort : connection.RemotePort;
        var servers = SyntheticPorts.Candidates(connection, tunnelRequest);
        foreach (int server in servers)
            if (TryTake(clientAddress, clientPort, serverAddress, server)) return (clientPort, server);
        for (int i = 1; i < 65536; i++)
        {
            int moved = 1024 + (clientPort - 1024 + i + 64512) % 64512; // 1024..65535, from the real port up, round again
            if (!SyntheticPorts.IsHttpPort(moved) && TryTake(clientAddress, moved, serverAddress, servers[0])) return (moved, servers[0]);
        }
        return (clientPort, servers[0]); // every port of the pair taken: 64,512 flows between two addresses
    }

    /// <summary>Wireshark matches a conversation in either direction, so a flow takes its 5-tuple both ways.</summary>
    private bool TryTake(IPAddress client, int clientPort, IPAddress server, int serverPort)
    {
        if (_used.Contains((server, serverPort, client, clientPort)) || !_used.Add((client, clientPort, server, serverPort))) return false;
        _used.Add((server, serverPort, client, clientPort));
        _byAge.Enqueue((client, clientPort, server, serverPort));
        if (_byAge.Count > RememberedFlows)
        {
            var (oldClient, oldClientPort, oldServer, oldServerPort) = _byAge.Dequeue();
            _used.Remove((oldClient, oldClientPort, oldServer, oldServerPort));
            _used.Remove((oldServer, oldServerPort, oldClient, oldClientPort));
        }
        return true;
    }
}
