using Capture.Recorder.Interop;

namespace Capture.Recorder.Capture;

/// <summary>
/// The one offset from CLOCK_MONOTONIC, the clock of every event, to wall-clock time: the db's manifest states it and
/// the live pcapng stamps its synthetic packets with it, so that both give one call the same time and the synthetic
/// packets sit among the real ones (stamped by the kernel in wall-clock time) where they happened. Two offsets read at
/// different moments differed by 118–205 µs: a preemption between reading the two clocks skews an offset by its length,
/// so this one is the tightest of several reads.
/// </summary>
internal static class MonotonicToWall
{
    public static long OffsetNs { get; } = Measure();

    private static long Measure()
    {
        long best = 0, tightest = long.MaxValue;
        for (int i = 0; i < 16; i++)
        {
            long before = Libc.MonotonicNanoseconds();
            long wall = Libc.RealtimeNanoseconds();
            long after = Libc.MonotonicNanoseconds();
            if (after - before >= tightest) continue;
            tightest = after - before;
            best = wall - (before + tightest / 2);
        }
        return best;
    }
}
