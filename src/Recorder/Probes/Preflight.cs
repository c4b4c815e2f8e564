using System.Runtime.InteropServices;
using Capture.Recorder.Interop;

namespace Capture.Recorder.Probes;

/// <summary>Checks up front what recording needs, so that a missing piece is one line that says
/// what to do rather than a failure deep inside libbpf.</summary>
internal static class Preflight
{
    public static string? Check()
    {
        if (Libc.GetEffectiveUserId() != 0)
            return "recording needs root (to load BPF programs): run it with sudo";
        if (!File.Exists("/sys/kernel/btf/vmlinux"))
            return "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): Capture needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian 11 and later kernels are)";
        if (!NativeLibrary.TryLoad("libbpf.so.1", out _))
            return "libbpf.so.1 was not found: install it with 'apt-get install libbpf1'";
        return Tracefs.EnsureMounted();
    }
}
