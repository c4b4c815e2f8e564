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
    private readonly int _possibleCpus;

    public RingBuffer Ring { get; }
    public IReadOnlyList<ProbeReport> Probes { get; }

    private BpfSession(BpfObject obj, List<BpfLink> links, List<ProbeReport> probes, RingBuffer ring, int possibleCpus)
    {
        _object = obj;
        _links = links;
        Probes = probes;
        Ring = ring;
        _possibleCpus = possibleCpus;
        _drops = obj.Map("ringbuf_drops");
    }

    public static BpfSession Start(string objectPath, CaptureConfig config, uint ringBufferBytes, ISampleSink sink,
        IReadOnlyList<TlsLibraryFile>? tlsLibraries)
    {
        LibbpfLog.Install();
        var obj = BpfObject.Open(objectPath);
        try
        {
            var probes = new List<ProbeReport>();
            var wanted = new List<(BpfProgram Program, string Target)>();
            var programs = obj.Programs().ToDictionary(p => p.Name);
            foreach (var program in programs.Values)
            {
                var target = TracepointTarget(program.Section);
                if (target is null) continue; // uprobes are attached per library below
                if (!Tracefs.HasTracepoint(target))
                {
                    program.SetAutoload(false);
                    probes.Add(new ProbeReport(program.Name, "tracepoint", target, "missing",
                        $"this kernel has no tracepoint {target} (CONFIG_FTRACE_SYSCALLS?): that path is not recorded"));
                    continue;
                }
                wanted.Add((program, target));
            }
            if (!wanted.Any(w => w.Target.StartsWith("syscalls/sys_exit_read", StringComparison.Ordinal) || w.Target.StartsWith("syscalls/sys_exit_write", StringComparison.Ordinal)))
                throw new RecorderSetupException("this kernel offers none of the syscall tracepoints Capture records from (syscalls/sys_exit_read, sys_exit_write): enable CONFIG_FTRACE_SYSCALLS");

            int cpus = Libbpf.NumPossibleCpus();
            obj.Map(".rodata").WriteInitialValue(config);
            obj.Map("events").SetMaxEntries(ringBufferBytes);
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
                    "\nCapture needs kernel 5.17 or later with BPF ring buffers and bpf_loop; set CAPTURE_LIBBPF_DEBUG=1 for libbpf's full log");
            }

            var links = new List<BpfLink>();
            foreach (var (program, target) in wanted)
            {
                try
                {
                    links.Add(program.Attach());
                    probes.Add(new ProbeReport(program.Name, "tracepoint", target, "attached", null));
                }
                catch (LibbpfException e)
                {
                    probes.Add(new ProbeReport(program.Name, "tracepoint", target, "failed", e.Message));
                }
            }
            if (tlsLibraries is not null)
                AttachTls(programs, tlsLibraries, links, probes);
            if (links.Count == 0)
                throw new RecorderSetupException("no probe could be attached: " + string.Join("; ", probes.Select(p => $"{p.Name}: {p.Detail}").Distinct().Take(3)));
            var ring = new RingBuffer(obj.Map("events"), sink);
            return new BpfSession(obj, links, probes, ring, cpus);
        }
        catch
        {
            obj.Dispose();
            throw;
        }
    }

    /// <summary>Puts the TLS programs on each library's read/write functions. A library that
    /// cannot be probed is reported in the probes table, never fatal.</summary>
    private static void AttachTls(Dictionary<string, BpfProgram> programs, IReadOnlyList<TlsLibraryFile> libraries,
        List<BpfLink> links, List<ProbeReport> probes)
    {
        foreach (var library in libraries)
        {
            foreach (var hook in TlsProbePlan.For(library.Library))
            {
                var kind = hook.ReturnProbe ? "uretprobe" : "uprobe";
                var name = $"{hook.Program} {hook.Function} {library.Path}";
                var target = $"{library.Path}:{hook.Function}";
                try
                {
                    links.Add(programs[hook.Program].AttachUprobe(library.Path, hook.Function, hook.ReturnProbe, (ulong)library.Library));
                    probes.Add(new ProbeReport(name, kind, target, "attached", $"{library.Library} found in {library.FoundIn}"));
                }
                catch (LibbpfException e)
                {
                    var missing = e.Errno == 2 /* ENOENT: no such symbol */;
                    probes.Add(new ProbeReport(name, kind, target, missing ? "missing" : "failed",
                        missing ? $"{library.Path} has no {hook.Function}" + (hook.Optional ? " (older library; not needed)" : "")
                                : e.Message));
                }
            }
        }
    }

    /// <summary>Events the kernel could not put in the ring buffer, summed over CPUs.</summary>
    public ulong KernelDrops => _drops.SumPerCpuCounter(_possibleCpus);

    /// <summary>Stops the probes (no new events), keeping the ring readable so that the caller can drain it.</summary>
    public void Detach()
    {
        foreach (var link in _links) link.Dispose();
        _links.Clear();
    }

    public void Dispose()
    {
        Detach();
        Ring.Dispose();
        _object.Dispose();
    }

    private static string? TracepointTarget(string section) =>
        section.StartsWith("tracepoint/", StringComparison.Ordinal) ? section["tracepoint/".Length..] : null;

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
