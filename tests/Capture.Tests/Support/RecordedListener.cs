using System.Net;
using System.Net.Sockets;

namespace Capture.Tests.Support;

/// <summary>A listening socket on loopback, then a recorder of its port: the test's own client and server
/// sockets make the traffic, byte for byte and call for call as the test means it.</summary>
internal sealed class RecordedListener : IDisposable
{
    private readonly TempDir _dir = new();

    public TcpListener Listener { get; }
    public int Port { get; }
    public RecorderRun Recorder { get; }

    public RecordedListener(int backlog = 16)
    {
        Listener = new TcpListener(IPAddress.Loopback, 0);
        Listener.Start(backlog);
        Port = ((IPEndPoint)Listener.LocalEndpoint).Port;
        Recorder = RecorderRun.Start(_dir.Path, "--port", Port.ToString());
    }

    public void Dispose()
    {
        Recorder.Dispose();
        Listener.Dispose();
        _dir.Dispose();
    }
}
