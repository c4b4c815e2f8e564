using System.Buffers;
using System.Threading.Channels;
using Capture.Recorder.Interop;

namespace Capture.Recorder.Capture;

/// <summary>The bounded hand-off between the ring-buffer thread and the SQLite writer.
/// When the writer falls behind the queue fills and the poll thread waits; the kernel's ring
/// buffer then fills and the kernel drops (counted per CPU in ringbuf_drops). The traced
/// applications never wait on us, and our memory stays bounded by the queue's capacity.</summary>
internal sealed class SampleQueue : ISampleSink
{
    // 4096 samples of at most ~16 KiB each: at most ~64 MiB in flight.
    public const int Capacity = 4096;

    private readonly Channel<WriterItem> _channel = Channel.CreateBounded<WriterItem>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    public long Samples;
    public long Waits;

    public ChannelReader<WriterItem> Reader => _channel.Reader;

    public void OnSample(ReadOnlySpan<byte> sample)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(sample.Length);
        sample.CopyTo(buffer);
        Samples++;
        Enqueue(WriterItem.ForSample(buffer, sample.Length));
    }

    public void Enqueue(WriterItem item)
    {
        if (_channel.Writer.TryWrite(item)) return;
        Waits++;
        try
        {
            _channel.Writer.WriteAsync(item).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // The writer has stopped (a full disk): waiting would block the poll thread for ever.
            if (item.Sample is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
            Discarded++;
        }
    }

    /// <summary>Samples that arrived after the writer had stopped, and were dropped here.</summary>
    public long Discarded;

    /// <summary>No more samples: the capture ended, or the writer stopped and will take no more (a waiting
    /// <see cref="Enqueue"/> returns at once and later samples are discarded).</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
