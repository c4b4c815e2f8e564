namespace Capture.Recorder.Capture;

/// <summary>Where a program of capture.bpf.o attaches, read from its ELF section name: a perf
/// tracepoint ("tracepoint/sock/inet_sock_set_state", found through tracefs) or a BTF-typed raw
/// tracepoint ("tp_btf/sys_exit", found through the kernel's BTF). Uprobes have no fixed point:
/// they are attached per TLS library.</summary>
internal sealed record ProbePoint(string Kind, string Target)
{
    public const string Tracepoint = "tracepoint";
    public const string RawTracepoint = "tp_btf";

    /// <summary>The raw syscall hooks carry every socket call: without them there is nothing to
    /// record, so failing to attach one stops the recorder; a missing tracepoint is reported.</summary>
    public bool Required => Kind == RawTracepoint;

    public static ProbePoint? Of(string section)
    {
        foreach (var kind in (ReadOnlySpan<string>)[Tracepoint, RawTracepoint])
            if (section.StartsWith(kind + "/", StringComparison.Ordinal))
                return new ProbePoint(kind, section[(kind.Length + 1)..]);
        return null;
    }
}
