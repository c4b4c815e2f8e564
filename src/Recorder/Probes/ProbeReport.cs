namespace Capture.Recorder.Probes;

/// <summary>What became of one probe: attached, missing from this kernel, or failed (and why).</summary>
internal sealed record ProbeReport(string Name, string Kind, string Target, string Status, string? Detail)
{
    public bool Attached => Status == "attached";
}
