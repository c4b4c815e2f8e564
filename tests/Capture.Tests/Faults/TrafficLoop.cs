namespace Capture.Tests.Faults;

/// <summary>
/// Keeps HTTP requests flowing to one URL from a background thread until disposed, so that faults strike a
/// recorder in the middle of real traffic. Every request has a timeout; new connections are opened now and
/// then (the pool's connection lifetime is short), so connections open and close during the recording.
/// </summary>
internal sealed class TrafficLoop : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _responses, _failures;

    public TrafficLoop(string url, TimeSpan pause)
    {
        _thread = new Thread(() =>
        {
            using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMilliseconds(300) })
            {
                Timeout = TimeSpan.FromSeconds(5),
            };
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var response = client.GetAsync(url, _stop.Token).GetAwaiter().GetResult();
                    response.Content.ReadAsByteArrayAsync(_stop.Token).GetAwaiter().GetResult();
                    Interlocked.Increment(ref _responses);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                {
                    Interlocked.Increment(ref _failures);
                }
                if (pause > TimeSpan.Zero) _stop.Token.WaitHandle.WaitOne(pause);
            }
        }) { IsBackground = true, Name = "traffic loop" };
        _thread.Start();
    }

    public long Responses => Interlocked.Read(ref _responses);
    public long Failures => Interlocked.Read(ref _failures);

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
