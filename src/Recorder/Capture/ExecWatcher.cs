using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Capture.Recorder.Interop;
using Capture.Recorder.Probes;

namespace Capture.Recorder.Capture;

/// <summary>Programs started during the recording: each exec event names a new program; this
/// checks it for a TLS library linked into it (the verdict is cached per file) and attaches the
/// uprobes, on its own thread so that the ring buffer keeps draining. How long that took after
/// the exec is measured, per binary (probes table) and over the run (manifest).</summary>
internal sealed class ExecWatcher : IDisposable
{
    private readonly BpfSession _session;
    private readonly StaticTlsDetector _detector;
    private readonly Action<ProbeReport> _report;
    // Exec storms (a build) must not stall the ring thread: beyond this backlog the oldest wait is dropped.
    private readonly Channel<PendingExec> _pending = Channel.CreateBounded<PendingExec>(
        new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Task _loop;
    private readonly Lock _lock = new();
    private readonly List<double> _attachLatenciesMs = [];

    private readonly record struct PendingExec(uint Pid, string Comm, long ExecNs, string Filename);

    public ExecWatcher(BpfSession session, StaticTlsDetector detector, Action<ProbeReport> report)
    {
        _session = session;
        _detector = detector;
        _report = report;
        _loop = Task.Factory.StartNew(RunAsync, TaskCreationOptions.LongRunning).Unwrap();
    }

    /// <summary>Called on the ring-buffer thread: copies what it needs and returns.</summary>
    public unsafe void Offer(ReadOnlySpan<byte> sample)
    {
        if (sample.Length < sizeof(ExecEvent)) return;
        var ev = MemoryMarshal.Read<ExecEvent>(sample);
        var name = new ReadOnlySpan<byte>(ev.Filename, CaptureAbi.PathLength);
        int end = name.IndexOf((byte)0);
        var filename = Encoding.UTF8.GetString(end < 0 ? name : name[..end]);
        _pending.Writer.TryWrite(new PendingExec(ev.Header.Pid, EventDecoder.Comm(ev.Header), (long)ev.Header.TimestampNs, filename));
    }

    /// <summary>Attach latencies (exec → last uprobe attached) of the binaries attached at exec.</summary>
    public IReadOnlyList<double> AttachLatenciesMs
    {
        get { lock (_lock) return _attachLatenciesMs.ToList(); }
    }

    private async Task RunAsync()
    {
        await foreach (var exec in _pending.Reader.ReadAllAsync())
        {
            try
            {
                Handle(exec);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or LibbpfException or InvalidDataException)
            {
                _report(new ProbeReport($"exec {exec.Filename}", "uprobe", exec.Filename, "failed", $"pid {exec.Pid}: {e.Message}"));
            }
        }
    }

    private void Handle(PendingExec exec)
    {
        // /proc/PID/exe names the program even for scripts (#!) and in other mount namespaces;
        // a process that already exited leaves only the name it was started with.
        var path = TlsLibraries.ExecutablePath($"/proc/{exec.Pid}") ?? (exec.Filename.StartsWith('/') ? exec.Filename : null);
        if (path is null) return;
        var verdict = _detector.Inspect(path, $"exec of pid {exec.Pid} ({exec.Comm})");
        if (verdict.File is not { } file) return;
        var reports = _session.AttachTls(file);
        double latencyMs = (Libc.MonotonicNanoseconds() - exec.ExecNs) / 1e6;
        if (reports.Any(r => r.Attached))
        {
            lock (_lock) _attachLatenciesMs.Add(latencyMs);
        }
        foreach (var report in reports)
            _report(report.Attached ? report with { Detail = $"{report.Detail}; attached {latencyMs:0.0} ms after the exec" } : report);
    }

    public void Dispose()
    {
        _pending.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

/// <summary>The ring buffer's one consumer: exec events go to the <see cref="ExecWatcher"/>,
/// everything else to the writer's queue.</summary>
internal sealed class EventRouter(SampleQueue queue) : ISampleSink
{
    public ExecWatcher? Execs { get; set; }

    public void OnSample(ReadOnlySpan<byte> sample)
    {
        if (EventDecoder.KindOf(sample) == EventKind.Exec)
        {
            Execs?.Offer(sample);
            return;
        }
        queue.OnSample(EventDecoder.WithoutSlack(sample));
    }
}
