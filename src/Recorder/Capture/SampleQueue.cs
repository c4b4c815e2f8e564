using Capture.Recorder.Interop;

namespace Capture.Recorder.Capture;

/// <summary>The bounded hand-off between the ring-buffer thread and the SQLite writer.
/// The poll thread copies samples into a <see cref="SampleBatch"/> and hands it over when it is full or the ring
/// is read empty (<see cref="Publish"/>). When the writer falls behind the queue fills and the poll thread waits;
/// the kernel's ring buffer then fills and the kernel drops (counted per CPU in ringbuf_drops). The traced
/// applications never wait on us, and our memory stays bounded by the queue's capacity.
/// Both sides block on a monitor rather than spin: an idle writer costs nothing, and a busy one is woken once per
/// batch, not once per sample.</summary>
internal sealed class SampleQueue : ISampleSink
{
    /// <summary>Batches waiting for the writer: at most 8 × 2048 samples and 16 MiB in flight.</summary>
    public const int CapacityBatches = 8;

    private readonly object _lock = new();
    private readonly Queue<WriterItem> _items = new();
    private readonly Stack<SampleBatch> _free = new();
    private int _queuedBatches;
    private bool _completed;
    private SampleBatch? _filling;

    public long Samples;
    public long Waits;

    /// <summary>Samples that arrived after the writer had stopped, and were dropped here.</summary>
    public long Discarded;

    /// <summary>Poll thread only: copies the sample into the batch being filled.</summary>
    public void OnSample(ReadOnlySpan<byte> sample)
    {
        Samples++;
        _filling ??= Rent();
        if (_filling.TryAdd(sample)) return;
        Publish();
        _filling = Rent();
        if (!_filling.TryAdd(sample)) Discarded++; // larger than a whole batch: no ring sample is
    }

    /// <summary>Poll thread only: hands the samples copied since the last call to the writer.</summary>
    public void Publish()
    {
        if (_filling is not { Count: > 0 } batch) return;
        _filling = null;
        lock (_lock)
        {
            while (_queuedBatches >= CapacityBatches && !_completed)
            {
                Waits++;
                Monitor.Wait(_lock);
            }
            if (_completed)
            {
                Discarded += batch.Count;
                batch.Clear();
                _free.Push(batch);
                return;
            }
            _queuedBatches++;
            _items.Enqueue(WriterItem.ForSamples(batch));
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Any thread: a drop window or a probe report, which the writer takes in turn with the batches.</summary>
    public void Enqueue(WriterItem item)
    {
        lock (_lock)
        {
            if (_completed) return;
            _items.Enqueue(item);
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Writer: the next item, waiting at most <paramref name="timeout"/>. False on a timeout (item default) or
    /// when the queue is complete and empty (<paramref name="finished"/>).</summary>
    public bool TryTake(TimeSpan timeout, out WriterItem item, out bool finished)
    {
        lock (_lock)
        {
            if (_items.Count == 0 && !_completed && timeout > TimeSpan.Zero) Monitor.Wait(_lock, timeout);
            finished = _items.Count == 0 && _completed;
            if (!_items.TryDequeue(out item)) return false;
            if (item.Samples is not null)
            {
                _queuedBatches--;
                Monitor.PulseAll(_lock);
            }
            return true;
        }
    }

    /// <summary>Writer: a batch it has written, for the poll thread to fill again.</summary>
    public void Return(SampleBatch batch)
    {
        batch.Clear();
        lock (_lock) _free.Push(batch);
    }

    private SampleBatch Rent()
    {
        lock (_lock) return _free.TryPop(out var batch) ? batch : new SampleBatch();
    }

    /// <summary>No more samples: the capture ended, or the writer stopped and will take no more (a waiting
    /// <see cref="Publish"/> returns at once and later samples are discarded). What is queued is still taken.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            Monitor.PulseAll(_lock);
        }
    }
}
