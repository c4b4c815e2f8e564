using System.Text;
using Capture.Tests.EndToEnd;
using Capture.Tests.Support;

namespace Capture.Tests.Faults;

/// <summary>Ten thousand connections open at the same moment, each with one request: every exchange is recorded on both
/// sides, or flagged where bytes were lost. The clients are a process of their own (fixtures/clients/many_connections.py):
/// both ends' sockets would not fit in one process's file limit.</summary>
[Collection(RecordingCollection.Name)]
public sealed class ManyConnectionsTests
{
    public const int Connections = 10_000;

    [Fact]
    public async Task Ten_thousand_concurrent_connections_are_each_recorded_as_one_exchange_per_side()
    {
        Requires.RootAndBpf();
        using var recorded = new RecordedListener(backlog: Connections);
        var (listener, port, recorder) = (recorded.Listener, recorded.Port, recorded.Recorder);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));

        var server = Task.Run(async () =>
        {
            var handlers = new List<Task>();
            for (int i = 0; i < Connections; i++)
            {
                var socket = await listener.AcceptTcpClientAsync(timeout.Token);
                handlers.Add(Task.Run(async () =>
                {
                    using (socket)
                    {
                        var stream = socket.GetStream();
                        var buffer = new byte[1024];
                        int read = 0;
                        while (!Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n"))
                            read += await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray(), timeout.Token);
                    }
                }));
            }
            await Task.WhenAll(handlers);
        }, timeout.Token);
        var clients = ProcessRunner.Run("/usr/bin/python3", [Repo.Fixture("clients/many_connections.py"), port.ToString(), Connections.ToString(), "100"],
            TimeSpan.FromSeconds(110));
        Assert.True(clients.ExitCode == 0, clients.Stderr);
        Assert.Equal(Connections, int.Parse(clients.Stdout.Trim()));
        await server;
        listener.Stop();
        Thread.Sleep(500);
        Assert.Equal(0, recorder.Stop());

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        long drops = KernelDrops(recorder.DbPath);
        foreach (var side in new[] { "client", "server" })
        {
            var paths = exchanges.Where(e => e.GetProperty("side").GetString() == side).ToList();
            Assert.All(paths, e => Assert.True(e.GetProperty("flags").GetArrayLength() == 0 ||
                e.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "gap"), e.ToString()));
            var clean = paths.Where(e => e.GetProperty("flags").GetArrayLength() == 0).Select(e => e.GetProperty("path").GetString()!).ToHashSet();
            // Without drops every request is there, cleanly; with drops (a loaded machine) the losses are counted and flagged.
            if (drops == 0) Assert.Equal(Enumerable.Range(0, Connections).Select(i => $"/c{i}").ToHashSet(), clean);
            else Assert.True(clean.Count > Connections / 2, $"{side}: only {clean.Count} of {Connections} exchanges recorded cleanly ({drops} drops)");
        }
    }

    private static long KernelDrops(string db)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM run_info WHERE key = 'kernel_drops'";
        return long.Parse((string)command.ExecuteScalar()!);
    }
}
