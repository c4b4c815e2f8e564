namespace Capture.Recorder.Capture;

/// <summary>What travels from the ring-buffer thread to the writer: a copied sample (in a pooled
/// array the writer returns), or a drop-counter window read off the kernel.</summary>
internal readonly record struct WriterItem(byte[]? Sample, int Length, DropWindow? Drops)
{
    public static WriterItem ForSample(byte[] buffer, int length) => new(buffer, length, null);
    public static WriterItem ForDrops(DropWindow window) => new(null, 0, window);
}

internal sealed record DropWindow(long StartNs, long EndNs, ulong KernelDrops);
