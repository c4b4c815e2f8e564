using System.Text.RegularExpressions;
using Capture.Recorder.Interop;
using Capture.Recorder.Probes;

namespace Capture.Recorder.Capture;

/// <summary>The kernel side of one recording: open capture.bpf.o → write settings into .rodata and
/// size the maps → load → attach each probe the kernel offers → read the ring buffer.
/// Disposing detaches every probe and frees every map: nothing is left in the kernel.</summary>
internal sealed partial class BpfSession : IDisposable
{
    private readonly BpfObject _object;
    private readonly List<BpfLink> _links = [];
    private readonly BpfMap _drops;
    private readonly BpfMap _unsentCloses;
    private readonly int _possibleCpus;

    private readonly Dictionary<string, BpfProgram> _programs;
    private readonly List<ProbeReport> _probes;
    private readonly Lock _lock = new();
    private bool _detached;

    public RingBuffer Ring { get; }

    /// <summary>Every probe tried at start (later ones are reported by whoever attached them).</summary>
    public IReadOnlyList<ProbeReport> Probes => _probes;

    private BpfSession(BpfObject obj, Dictionary<string, BpfProgram> programs, List<BpfLink> links, List<ProbeReport> probes, RingBuffer ring, int possibleCpus)
    {
        _object = obj;
        _programs = programs;
        _links = links;
        _probes = probes;
        Ring = ring;
        _possibleCpus = possibleCpus;
        _drops = obj.Map("ringbuf_drops");
        _unsentCloses = obj.Map("unsent_closes");
    }

    public static BpfSession Start(string objectPath, CaptureConfig config, uint ringBufferBytes, ISampleSink sink,
        IReadOnlyList<TlsLibraryFile>? tlsLibraries)
    {
        LibbpfLog.Install();
        var obj = BpfObject.Open(objectPath);
        try
        {
            var probes = new List<ProbeReport>();
            var wanted = new List<(BpfProgram Program, ProbePoint Probe)>();
            var programs = obj.Programs().ToDictionary(p => p.Name);
            foreach (var program in programs.Values)
            {
                var probe = ProbePoint.Of(program.Section);
                if (probe is null) continue; // uprobes are attached per library below
                if (probe.Target == ExecTracepoint && tlsLibraries is null)
                {
                    program.SetAutoload(false); // process starts matter only for TLS binaries
                    continue;
                }
                if (probe.Kind == ProbePoint.Tracepoint && !Tracefs.HasTracepoint(probe.Target))
                {
                    program.SetAutoload(false);
                    probes.Add(new ProbeReport(program.Name, probe.Kind, probe.Target, "missing",
                        $"this kernel has no tracepoint {probe.Target}: that path is not recorded"));
                    continue;
                }
                wanted.Add((program, probe));
            }

            int cpus = Libbpf.NumPossibleCpus();
            var events = obj.Map("events");
            events.SetMaxEntries(ringBufferBytes);
            config.RingBytes = events.MaxEntries; // read per event by the programs' wake-up and shedding marks
            obj.Map(".rodata").WriteInitialValue(config);
            obj.Map("data_scratch").SetMaxEntries((uint)Math.Max(1, cpus));
            try
            {
                obj.Load();
            }
            catch (LibbpfException e)
            {
                var program = FailedProgram(e.Log);
                throw new RecorderSetupException(
                    (program is null ? "loading the BPF programs failed" : $"the kernel refused BPF program {program}") +
                    $": {Interop.Libc.ErrorText(e.Errno)}. Verifier's last lines:\n  " + string.Join("\n  ", e.Log.TakeLast(8)) +
                    "\nCapture needs kernel 6.2 or later with BTF, BPF ring buffers, bpf_loop and bpf_rdonly_cast; set CAPTURE_LIBBPF_DEBUG=1 for libbpf's full log");
            }

            var links = new List<BpfLink>();
            foreach (var (program, probe) in wanted)
            {
                try
                {
                    links.Add(program.Attach());
                    probes.Add(new ProbeReport(program.Name, probe.Kind, probe.Target, "attached", null));
                }
                catch (LibbpfException e) when (!probe.Required)
                {
                    probes.Add(new ProbeReport(program.Name, probe.Kind, probe.Target, "failed", e.Message));
                }
                catch (LibbpfException e)
                {
                    foreach (var link in links) link.Dispose();
                    throw new RecorderSetupException(
                        $"the kernel refused to attach {program.Name} to the raw tracepoint {probe.Target}: {Interop.Libc.ErrorText(e.Errno)}. " +
                        "Capture reads every socket call there; it needs BTF-typed raw tracepoints (tp_btf) of the syscalls: CONFIG_FTRACE_SYSCALLS=y and CONFIG_DEBUG_INFO_BTF=y");
                }
            }
            if (links.Count == 0)
                throw new RecorderSetupException("no probe could be attached: " + string.Join("; ", probes.Select(p => $"{p.Name}: {p.Detail}").Distinct().Take(3)));
            var ring = new RingBuffer(obj.Map("events"), sink);
            var session = new BpfSession(obj, programs, links, probes, ring, cpus);
            foreach (var library in tlsLibraries ?? []) probes.AddRange(session.AttachTls(library));
            return session;
        }
        catch
        {
            obj.Dispose();
            throw;
        }
    }

    /// <summary>Puts the TLS programs on one library's read/write functions; callable while
    /// recording (a binary seen at exec). A library that cannot be probed is reported in the
    /// probes table, never fatal. Returns what became of each probe.</summary>
    public IReadOnlyList<ProbeReport> AttachTls(TlsLibraryFile library)
    {
        var reports = new List<ProbeReport>();
        foreach (var (hook, fileOffset, note) in TlsProbePlacement.Place(library))
        {
            var kind = hook.ReturnProbe ? "uretprobe" : "uprobe";
            var name = $"{hook.Program} {hook.Function} {library.Path}";
            var target = $"{library.Path}:{hook.Function}";
            if (library.Functions is not null && fileOffset is null)
            {
                reports.Add(new ProbeReport(name, kind, target, "missing", $"{library.Path} defines no {hook.Function}" + (hook.Optional ? " (not needed)" : "")));
                continue;
            }
            try
            {
                var link = _programs[hook.Program].AttachUprobe(library.Path, hook.Function, hook.ReturnProbe, (ulong)library.Library, fileOffset);
                lock (_lock)
                {
                    // Stopped meanwhile (an exec seen as the recording ends): nothing may stay attached.
                    if (_detached) link.Dispose();
                    else _links.Add(link);
                }
                var where = fileOffset is null ? "" : $" at file offset 0x{fileOffset:x}";
                reports.Add(new ProbeReport(name, kind, target, "attached", $"{library.Library} found in {library.FoundIn}{where}" + (note is null ? "" : $"; {note}")));
            }
            catch (LibbpfException e)
            {
                var missing = e.Errno == 2 /* ENOENT: no such symbol */;
                reports.Add(new ProbeReport(name, kind, target, missing ? "missing" : "failed",
                    missing ? $"{library.Path} has no {hook.Function}" + (hook.Optional ? " (older library; not needed)" : "")
                            : e.Message));
            }
        }
        return reports;
    }

    /// <summary>Events the kernel could not put in the ring buffer, summed over CPUs.</summary>
    public ulong KernelDrops => _drops.SumPerCpuCounter(_possibleCpus);

    /// <summary>The close events the ring buffer was too full to take since the last call (bpf/capture.bpf.c,
    /// unsent_closes), taken out of the kernel's map.</summary>
    public List<ConnEvent> TakeUnsentCloses() => _unsentCloses.TakeAll<ConnEvent>();

    /// <summary>Stops the probes (no new events), keeping the ring readable so that the caller can drain it.</summary>
    public void Detach()
    {
        List<BpfLink> links;
        lock (_lock)
        {
            _detached = true;
            links = [.. _links];
            _links.Clear();
        }
        // Closing a uprobe link waits for an RCU grace period (synchronize_rcu_tasks_trace), which
        // takes up to a second on a busy host; closed one after another, fifty probes took longer
        // than a user waits for Ctrl-C. Closed together, the waits overlap.
        var closers = links.Select(link => new Thread(link.Dispose) { IsBackground = true }).ToList();
        foreach (var closer in closers) closer.Start();
        foreach (var closer in closers) closer.Join();
    }

    public void Dispose()
    {
        Detach();
        Ring.Dispose();
        _object.Dispose();
    }

    private const string ExecTracepoint = "sched/sched_process_exec";

    private static string? FailedProgram(IReadOnlyList<string> log)
    {
        foreach (var line in log.Reverse())
        {
            var m = FailedProgramPattern().Match(line);
            if (m.Success) return m.Groups[1].Value;
        }
        return null;
    }

    [GeneratedRegex(@"prog '([^']+)': failed to load")]
    private static partial Regex FailedProgramPattern();
}

/// <summary>A setup failure the user can act on: its message is the whole story.</summary>
internal sealed class RecorderSetupException(string message) : Exception(message);
