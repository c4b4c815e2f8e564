namespace Capture.Recorder.Cli;

/// <summary>Everything `record` was asked to do, checked and defaulted.</summary>
internal sealed record RecordSettings(
    string OutputPath,
    TimeSpan? Duration,
    uint? Pid,
    string? Comm,
    ushort? Port,
    bool AllTcp,
    uint MaxCaptureBytes,
    uint RingBufferMegabytes,
    bool Overwrite,
    bool NoTls,
    IReadOnlyList<string> Arguments)
{
    /// <summary>--pcapng FILE: also write a pcapng file while recording (null: none).</summary>
    public string? PcapngPath { get; init; }
    /// <summary>Executables to check for a TLS library linked into them even if no process runs them yet.</summary>
    public IReadOnlyList<string> TlsBinaries { get; init; } = [];
    /// <summary>What is replaced before it is stored; null: --no-redact.</summary>
    public Redaction.RedactionPolicy? Redaction { get; init; }
}
