using System.Runtime.InteropServices;

namespace Capture.Recorder.Interop;

/// <summary>The few libc calls .NET does not wrap.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport("libc", EntryPoint = "vsnprintf")]
    internal static partial int VsnPrintf(byte* buffer, nuint size, nint format, nint args);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Mount(string source, string target, string fileSystemType, ulong flags, nint data);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    internal static partial int ClockGetTime(int clockId, out Timespec time);

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    internal const int ClockRealtime = 0;
    internal const int ClockMonotonic = 1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
        public readonly long TotalNanoseconds => Seconds * 1_000_000_000L + Nanoseconds;
    }

    internal static string ErrorText(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";

    internal static long MonotonicNanoseconds()
    {
        ClockGetTime(ClockMonotonic, out var t);
        return t.TotalNanoseconds;
    }

    internal static long RealtimeNanoseconds()
    {
        ClockGetTime(ClockRealtime, out var t);
        return t.TotalNanoseconds;
    }
}
