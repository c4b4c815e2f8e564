using Capture.Recorder.Probes;

namespace Capture.Recorder.Capture;

/// <summary>What travels from the ring-buffer thread to the writer: a batch of copied samples (which the writer
/// hands back to the queue for reuse), a drop-counter window read off the kernel, or a probe attached while
/// recording (a TLS binary seen at exec).</summary>
internal readonly record struct WriterItem(SampleBatch? Samples, DropWindow? Drops, ProbeReport? Probe = null)
{
    public static WriterItem ForSamples(SampleBatch batch) => new(batch, null);
    public static WriterItem ForDrops(DropWindow window) => new(null, window);
    public static WriterItem ForProbe(ProbeReport probe) => new(null, null, probe);
}

internal sealed record DropWindow(long StartNs, long EndNs, ulong KernelDrops);

/// <summary>Samples copied back to back into one buffer: the poll thread fills it, the writer reads it, and it
/// goes round again. One hand-off and no allocation per sample, where a queue item per sample cost a pooled
/// array, a channel write and a read each (bench/profile.sh).</summary>
internal sealed class SampleBatch
{
    /// <summary>Room for a couple of thousand small samples; a ring sample is at most ~16 KiB (capture.h ChunkBytes plus its header).</summary>
    public const int BufferBytes = 2 << 20;
    public const int MaxSamples = 2048;

    private readonly byte[] _buffer = new byte[BufferBytes];
    private readonly int[] _ends = new int[MaxSamples];

    public int Count { get; private set; }

    private int Used => Count == 0 ? 0 : _ends[Count - 1];

    /// <summary>False when the sample does not fit: publish this batch and start another.</summary>
    public bool TryAdd(ReadOnlySpan<byte> sample)
    {
        int used = Used;
        if (Count == MaxSamples || sample.Length > _buffer.Length - used) return false;
        sample.CopyTo(_buffer.AsSpan(used));
        _ends[Count++] = used + sample.Length;
        return true;
    }

    /// <summary>Sample <paramref name="index"/>, valid until the batch is returned to the queue. The writer may rewrite it
    /// in place (redaction does).</summary>
    public Memory<byte> this[int index]
    {
        get
        {
            int start = index == 0 ? 0 : _ends[index - 1];
            return _buffer.AsMemory(start, _ends[index] - start);
        }
    }

    public void Clear() => Count = 0;
}
