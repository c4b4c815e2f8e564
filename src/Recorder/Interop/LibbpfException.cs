namespace Capture.Recorder.Interop;

/// <summary>The one error funnel for libbpf: which operation failed, on what, why (errno),
/// and the last lines libbpf logged (the verifier's, for a failed load).</summary>
internal sealed class LibbpfException(string operation, string subject, int errno, IReadOnlyList<string> log)
    : Exception($"{operation} {subject} failed: {Libc.ErrorText(errno)} (errno {errno})")
{
    public string Operation { get; } = operation;
    public string Subject { get; } = subject;
    public int Errno { get; } = errno;
    public IReadOnlyList<string> Log { get; } = log;

    public static LibbpfException FromErrno(string operation, string subject, int errno) =>
        new(operation, subject, Math.Abs(errno), LibbpfLog.LastLines(12));
}
