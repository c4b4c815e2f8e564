using System.Runtime.InteropServices;
using Capture.Recorder.Capture;
using Capture.Recorder.Cli;
using Capture.Recorder.Interop;
using Capture.Recorder.Pcapng;
using Capture.Recorder.Probes;
using Capture.Recorder.Storage;

namespace Capture.Recorder;

/// <summary>One recording from start to summary. Signals and --duration arrive as the cancellation token.</summary>
internal sealed class Recording(RecordSettings settings, TextWriter stderr)
{
    public const int ExitOk = 0, ExitFailed = 1, ExitUsage = 2, ExitUnsupported = 3;

    /// <summary>How often the ring buffer is read: the kernel does not wake us per event (see RingBuffer.Poll),
    /// so this bounds how long an event waits in the ring.</summary>
    private const int PollIntervalMs = 20;

    public int Run(CancellationToken stop)
    {
        if (Preflight.Check() is { } missing)
        {
            stderr.WriteLine($"record: {missing}");
            return ExitUnsupported;
        }
        if (File.Exists(settings.OutputPath) && !settings.Overwrite)
        {
            stderr.WriteLine($"record: {settings.OutputPath} already exists: choose another -o, or pass --overwrite");
            return ExitUsage;
        }
        if (settings.PcapngPath is { } existing && File.Exists(existing) && !settings.Overwrite)
        {
            stderr.WriteLine($"record: {existing} already exists: choose another --pcapng, or pass --overwrite");
            return ExitUsage;
        }
        var objectPath = Path.Combine(AppContext.BaseDirectory, "capture.bpf.o");
        if (!File.Exists(objectPath))
        {
            stderr.WriteLine($"record: {objectPath} is missing: rebuild with ./record (it builds bpf/ on first use)");
            return ExitFailed;
        }

        RunDatabase db;
        try
        {
            if (settings.Overwrite) RunDatabase.Delete(settings.OutputPath);
            db = RunDatabase.Create(settings.OutputPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            stderr.WriteLine($"record: cannot create {settings.OutputPath}: {e.Message}");
            return ExitFailed;
        }

        LivePcapng? pcapng;
        try
        {
            pcapng = settings.PcapngPath is { } pcapngPath ? LivePcapng.Create(pcapngPath, settings.Overwrite) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            db.Dispose();
            RunDatabase.Delete(settings.OutputPath); // nothing was recorded into it
            stderr.WriteLine($"record: cannot create {settings.PcapngPath}: {e.Message}");
            return ExitFailed;
        }

        using (pcapng)
        using (db)
        {
            var manifest = new RunManifest(db, settings);
            if (!Stored(manifest.WriteStart)) return ExitFailed;
            // Compiles the writer's code now, so that the first events do not wait for it (WriterWarmUp). A failure
            // here (a full disk) is left for the recording to meet and report.
            try { WriterWarmUp.Run(settings.Redaction, Path.GetDirectoryName(db.Path)!); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException) { }
            var queue = new SampleQueue();
            var router = new EventRouter(queue);
            var detector = new StaticTlsDetector();
            TlsLibraries.Findings? tls = null;
            BpfSession session;
            try
            {
                tls = settings.NoTls ? null : TlsLibraries.Find(detector, settings.TlsBinaries);
                session = BpfSession.Start(objectPath, BuildConfig(), settings.RingBufferMegabytes * 1024 * 1024, router, tls?.Files);
                pcapng?.CaptureRealPackets(settings.Port, keepPayload: settings.Redaction is null);
            }
            catch (Exception e) when (e is RecorderSetupException or LibbpfException or InvalidOperationException)
            {
                manifest.WriteEnd("failed to start: " + e.Message.Split('\n')[0], new RecordingTotals(), 0);
                stderr.WriteLine($"record: {e.Message}");
                return ExitUnsupported;
            }

            using (session)
            using (var execs = tls is null ? null : new ExecWatcher(session, detector, p => queue.Enqueue(WriterItem.ForProbe(p))))
            {
                router.Execs = execs;
                if (!Stored(() => db.RecordProbes(session.Probes.Concat(tls?.NotProbed ?? [])))) return ExitFailed;
                var writer = new EventWriter(db.Connection, pcapng is null ? null : pcapng.Offer,
                    settings.Redaction is { } policy ? new Redaction.StreamRedactor(policy) : null, pcapng is null ? null : pcapng.JoinedMidStream);
                // A thread of its own: the writer is busy whenever traffic is, and a pool thread handed work
                // per wake-up spun (sched_yield) between batches.
                var writing = Task.Factory.StartNew(() =>
                {
                    try { writer.Run(queue); }
                    finally { queue.Complete(); }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

                int attached = session.Probes.Count(p => p.Attached);
                var unavailable = session.Probes.Where(p => p.Status == "failed" || (p.Status == "missing" && p.Kind == ProbePoint.Tracepoint)).ToList();
                var tlsFiles = session.Probes.Where(p => p.Kind == "uprobe" && p.Attached).Select(p => p.Target.Split(':')[0]).Distinct().ToList();
                stderr.WriteLine($"recording to {settings.OutputPath}: {attached} probes attached" +
                                 (unavailable.Count > 0 ? $", {unavailable.Count} unavailable ({string.Join(", ", unavailable.Select(p => p.Name))})" : "") +
                                 $", TLS plaintext from {(tlsFiles.Count == 0 ? "no library" : string.Join(", ", tlsFiles))}" +
                                 (settings.Duration is { } d ? $", for {DurationParser.Format(d)}" : "") + "; Ctrl-C stops");

                var (endReason, drops) = Poll(session, queue, writer, writing, stop);

                session.Detach();
                while (session.Ring.Poll(0) > 0) { }
                HandOverUnsentCloses(session, queue);
                queue.Publish();
                drops = session.KernelDrops;
                execs?.Dispose(); // its last probe reports go into the queue before it completes
                queue.Complete();
                string? writeFailure = null;
                try
                {
                    writing.GetAwaiter().GetResult();
                }
                catch (Exception e) when (WriteFailure.Describe(e, settings.OutputPath) is { } failure)
                {
                    writeFailure = failure;
                    endReason = "write failed: " + failure;
                }
                try
                {
                    manifest.WriteEnd(endReason, writer.Totals, drops);
                    if (execs is not null) manifest.WriteExecAttachLatencies(execs.AttachLatenciesMs);
                }
                catch (Exception e) when (writeFailure is not null && WriteFailure.Describe(e, settings.OutputPath) is not null)
                {
                    // Still no room: run_info keeps its start rows, and the chunks already committed stay readable.
                }
                if (writeFailure is not null) stderr.WriteLine($"record: {writeFailure}");
                PrintSummary(writer.Totals, drops, writeFailure is null ? endReason : "write failed, see above");
                if (pcapng is not null) stderr.WriteLine(pcapng.Finish());
                return writeFailure is null ? ExitOk : ExitFailed;
            }
        }
    }

    private (string EndReason, ulong Drops) Poll(BpfSession session, SampleQueue queue, EventWriter writer, Task writing, CancellationToken stop)
    {
        var status = new LiveStatus(stderr, !Console.IsErrorRedirected);
        var started = DateTime.UtcNow;
        var nextTick = started.AddSeconds(1);
        long windowStart = Libc.MonotonicNanoseconds();
        ulong dropsSoFar = 0;
        string endReason = "stopped by signal";
        while (!stop.IsCancellationRequested)
        {
            if (settings.Duration is { } limit && DateTime.UtcNow - started >= limit)
            {
                endReason = "duration reached";
                break;
            }
            if (writing.IsCompleted)
            {
                endReason = "writer stopped: " + (writing.Exception?.InnerException?.Message ?? "unknown");
                break;
            }
            int polled = session.Ring.Poll(PollIntervalMs);
            queue.Publish();
            if (polled < 0 && polled != -4 /* EINTR */)
            {
                endReason = $"ring buffer poll failed: {Libc.ErrorText(-polled)}";
                break;
            }
            if (DateTime.UtcNow >= nextTick)
            {
                nextTick = DateTime.UtcNow.AddSeconds(1);
                HandOverUnsentCloses(session, queue);
                var drops = session.KernelDrops;
                long now = Libc.MonotonicNanoseconds();
                if (drops > dropsSoFar) queue.Enqueue(WriterItem.ForDrops(new DropWindow(windowStart, now, drops - dropsSoFar)));
                dropsSoFar = drops;
                windowStart = now;
                status.Show(DateTime.UtcNow - started, writer.Totals, drops);
            }
        }
        status.Clear();
        var final = session.KernelDrops;
        if (final > dropsSoFar) queue.Enqueue(WriterItem.ForDrops(new DropWindow(windowStart, Libc.MonotonicNanoseconds(), final - dropsSoFar)));
        return (endReason, final);
    }

    /// <summary>Passes the writer the close events that waited in the kernel's map for want of room in the ring, after
    /// what the ring holds by then: the events a connection sent before its close were in the ring before it.</summary>
    private static void HandOverUnsentCloses(BpfSession session, SampleQueue queue)
    {
        var closes = session.TakeUnsentCloses();
        if (closes.Count == 0) return;
        session.Ring.Poll(0);
        foreach (var close in closes) queue.OnSample(MemoryMarshal.AsBytes(new ReadOnlySpan<ConnEvent>(in close)));
        queue.Publish();
    }

    /// <summary>Runs one of the writes before the recording starts; false, having said why in one line, when the disk
    /// refused it (full, read-only, failing).</summary>
    private bool Stored(Action write)
    {
        try
        {
            write();
            return true;
        }
        catch (Exception e) when (WriteFailure.Describe(e, settings.OutputPath) is { } failure)
        {
            stderr.WriteLine($"record: {failure}");
            return false;
        }
    }

    private CaptureConfig BuildConfig()
    {
        var config = new CaptureConfig
        {
            MaxCaptureBytes = settings.MaxCaptureBytes,
            FilterPid = settings.Pid ?? 0,
            SelfPid = (uint)Environment.ProcessId,
            FilterPort = settings.Port ?? 0,
            CaptureAllTcp = settings.AllTcp ? (byte)1 : (byte)0,
            FilterCommSet = settings.Comm is null ? (byte)0 : (byte)1,
        };
        if (settings.Comm is { } comm)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(comm);
            unsafe
            {
                for (int i = 0; i < Math.Min(bytes.Length, CaptureAbi.CommLength - 1); i++) config.FilterComm[i] = bytes[i];
            }
        }
        return config;
    }

    private void PrintSummary(RecordingTotals totals, ulong drops, string endReason)
    {
        stderr.WriteLine($"recorded {settings.OutputPath} ({endReason}): {totals.Connections:N0} connections, " +
                         $"{totals.MessageStarts:N0} HTTP messages seen, {totals.Chunks:N0} calls, {Format.Bytes(totals.CapturedBytes)} captured, " +
                         $"{drops:N0} events dropped by the kernel ring buffer" +
                         (drops > 0 ? " (raise --ring-buffer-mb or narrow with --pid/--comm/--port)" : ""));
        if (totals.Shed.Calls > 0)
            stderr.WriteLine($"record: the recorder fell behind: {totals.Shed.Calls:N0} calls kept only their first KiB ({Format.Bytes(totals.Shed.UncapturedBytes)} " +
                             "not captured) while the ring buffer was nearly full, rather than lose whole events; their exchanges are flagged truncated (run_info shed_calls)");
        if (totals.HeldTlsWritesDropped > 0)
            stderr.WriteLine($"record: {totals.HeldTlsWritesDropped:N0} TLS writes of memory-BIO libraries (node, .NET) were dropped: " +
                             "no socket write of their thread named their connection in time (run_info tls_writes_unbound)");
        stderr.WriteLine($"next: ./analyze {settings.OutputPath} --slowest");
    }
}
