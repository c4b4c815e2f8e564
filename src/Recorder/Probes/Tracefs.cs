using Capture.Recorder.Interop;

namespace Capture.Recorder.Probes;

/// <summary>Finds tracefs, mounting it at /sys/kernel/tracing when nothing has (as bpftrace does):
/// libbpf reads tracepoint ids from it.</summary>
internal static class Tracefs
{
    private const string Standard = "/sys/kernel/tracing";
    private const string UnderDebugfs = "/sys/kernel/debug/tracing";

    public static string? Root { get; private set; }

    /// <summary>Returns null when tracefs is usable, else what is wrong and what to do.</summary>
    public static string? EnsureMounted()
    {
        foreach (var candidate in new[] { Standard, UnderDebugfs })
            if (Directory.Exists(Path.Combine(candidate, "events")))
            {
                Root = candidate;
                return null;
            }
        if (Libc.Mount("nodev", Standard, "tracefs", 0, 0) != 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            return $"tracefs is not mounted and mounting it at {Standard} failed ({Libc.ErrorText(errno)}): " +
                   $"run 'mount -t tracefs nodev {Standard}' as root, or enable CONFIG_TRACING in the kernel";
        }
        Root = Standard;
        return Directory.Exists(Path.Combine(Standard, "events")) ? null : $"tracefs at {Standard} has no events/: the kernel lacks tracepoint support (CONFIG_TRACEPOINTS)";
    }

    /// <summary>True when the kernel offers tracepoint category/name (e.g. syscalls/sys_enter_read).</summary>
    public static bool HasTracepoint(string target) => Root is not null && File.Exists(Path.Combine(Root, "events", target, "id"));
}
