using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Capture.Recorder.Interop;

/// <summary>Routes libbpf's log (including the verifier's) into a bounded buffer, so that
/// a failed step can name its last lines instead of spraying the terminal.</summary>
internal static unsafe class LibbpfLog
{
    private const int KeptLines = 4000;
    private static readonly Queue<string> Lines = new();
    private static readonly object Gate = new();
    private static bool _installed;

    public static void Install()
    {
        if (_installed) return;
        _installed = true;
        Libbpf.SetPrint(&OnPrint);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnPrint(int level, nint format, nint args)
    {
        try
        {
            const int size = 8192;
            byte* buffer = stackalloc byte[size];
            int n = Libc.VsnPrintf(buffer, size, format, args);
            if (n <= 0) return 0;
            var text = Encoding.UTF8.GetString(buffer, Math.Min(n, size - 1));
            lock (Gate)
            {
                foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    Lines.Enqueue(line);
                    if (Lines.Count > KeptLines) Lines.Dequeue();
                }
            }
            if (Environment.GetEnvironmentVariable("CAPTURE_LIBBPF_DEBUG") == "1") Console.Error.Write(text);
        }
        catch
        {
            // Never throw across the native boundary.
        }
        return 0;
    }

    /// <summary>Forgets what was logged, so the next failure shows only its own lines.</summary>
    public static void Clear()
    {
        lock (Gate) Lines.Clear();
    }

    public static IReadOnlyList<string> LastLines(int count)
    {
        lock (Gate) return Lines.Skip(Math.Max(0, Lines.Count - count)).ToList();
    }
}
