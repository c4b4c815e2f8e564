using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Capture.Recorder.Interop;

/// <summary>A libbpf ring_buffer polled by one thread. The native callback copies each sample
/// out through <see cref="ISampleSink"/> and returns; it never throws across the boundary.</summary>
internal sealed unsafe class RingBuffer : IDisposable
{
    private readonly nint _ring;
    private GCHandle _self;
    private readonly ISampleSink _sink;

    public RingBuffer(BpfMap map, ISampleSink sink)
    {
        _sink = sink;
        _self = GCHandle.Alloc(this);
        LibbpfLog.Clear();
        _ring = Libbpf.RingBufferNew(map.Fd, &OnSample, GCHandle.ToIntPtr(_self), 0);
        if (_ring == 0)
        {
            _self.Free();
            throw LibbpfException.FromErrno("create ring buffer reader for", map.Name, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Waits at most <paramref name="timeoutMs"/> for a wake-up, then consumes everything in the ring.
    /// Returns the sample count or -errno. The kernel side wakes us only when the backlog crosses a mark
    /// (bpf/capture.bpf.c, wakeup_flag), so the timeout is what normally ends the wait, and the samples
    /// are there without any wake-up: hence the consume after every poll.</summary>
    public int Poll(int timeoutMs)
    {
        int woken = Libbpf.RingBufferPoll(_ring, timeoutMs);
        if (woken < 0) return woken;
        int consumed = Libbpf.RingBufferConsume(_ring);
        return consumed < 0 ? consumed : woken + consumed;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnSample(nint context, nint data, nuint size)
    {
        try
        {
            var ring = (RingBuffer)GCHandle.FromIntPtr(context).Target!;
            ring._sink.OnSample(new ReadOnlySpan<byte>((void*)data, checked((int)size)));
        }
        catch
        {
            // A sample we could not take is lost like a ring-buffer drop; the sink counts it.
        }
        return 0;
    }

    public void Dispose()
    {
        Libbpf.RingBufferFree(_ring);
        if (_self.IsAllocated) _self.Free();
    }
}

internal interface ISampleSink
{
    void OnSample(ReadOnlySpan<byte> sample);
}
