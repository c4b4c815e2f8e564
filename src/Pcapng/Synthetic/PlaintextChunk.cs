using System.Net;

namespace Capture.Pcapng.Synthetic;

/// <summary>Which end of the TCP connection the recorded process is.</summary>
public enum ConnectionSide { Unknown, Client, Server }

/// <summary>A recorded connection as one process saw it: its own address (local) and its peer's.</summary>
/// <param name="JoinedMidStream">The recorder first saw it open (connections.mid_stream): its stream positions count
/// from where the recording joined it, so position 0 is not its first byte and its handshake was never seen.</param>
public sealed record RecordedConnection(long Id, IPAddress Local, int LocalPort, IPAddress Remote, int RemotePort, ConnectionSide Side,
    bool JoinedMidStream = false)
{
    /// <summary>Client, or when the side is not known (a connection open before recording began, live), the end with the higher port.</summary>
    public bool LocalIsClient => Side switch
    {
        ConnectionSide.Client => true,
        ConnectionSide.Server => false,
        _ => LocalPort > RemotePort,
    };

    public int ServerPort => LocalIsClient ? RemotePort : LocalPort;

    public static string Endpoint(IPAddress address, int port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}

/// <summary>Payload bytes one process moved on a connection (a row of the db's chunks table).
/// <paramref name="TimestampNs"/> is wall-clock nanoseconds since the Unix epoch. <paramref name="Note"/>, when given,
/// ends the comment of its packets: what the writer changed of the recorded bytes before them.</summary>
public readonly record struct PlaintextChunk(
    long ConnectionId, long TimestampNs, uint Pid, uint Tid, int Fd, string Comm,
    bool Egress, long StreamPos, ReadOnlyMemory<byte> Data, bool Tls, string? Note = null);
