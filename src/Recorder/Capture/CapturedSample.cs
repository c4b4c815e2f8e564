using Capture.Recorder.Probes;

namespace Capture.Recorder.Capture;

/// <summary>What travels from the ring-buffer thread to the writer: a copied sample (in a pooled
/// array the writer returns), a drop-counter window read off the kernel, or a probe attached
/// while recording (a TLS binary seen at exec).</summary>
internal readonly record struct WriterItem(byte[]? Sample, int Length, DropWindow? Drops, ProbeReport? Probe = null)
{
    public static WriterItem ForSample(byte[] buffer, int length) => new(buffer, length, null);
    public static WriterItem ForDrops(DropWindow window) => new(null, 0, window);
    public static WriterItem ForProbe(ProbeReport probe) => new(null, 0, null, probe);
}

internal sealed record DropWindow(long StartNs, long EndNs, ulong KernelDrops);
