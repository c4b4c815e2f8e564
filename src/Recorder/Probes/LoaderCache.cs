using System.Buffers.Binary;
using System.Text;

namespace Capture.Recorder.Probes;

/// <summary>Reads the dynamic loader's cache (/etc/ld.so.cache, glibc's "glibc-ld.so.cache1.1"
/// format) directly: the library paths the loader would resolve, without running ldconfig.</summary>
internal static class LoaderCache
{
    private const string Magic = "glibc-ld.so.cache";
    private const int HeaderSize = 48; // magic+version (20), nlibs, len_strings, flags+pad, extension offset, 3 unused
    private const int EntrySize = 24;  // flags, key, value, osversion (4 each), hwcap (8)

    public static IReadOnlyList<string> Paths(string cachePath = "/etc/ld.so.cache")
    {
        byte[] cache;
        try { cache = File.ReadAllBytes(cachePath); }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }

        // Old-format caches ("ld.so-1.7.0") may carry the new format after their own table.
        int start = IndexOf(cache, Encoding.ASCII.GetBytes(Magic));
        if (start < 0 || cache.Length < start + HeaderSize) return [];
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(cache.AsSpan(start + 20));
        var paths = new List<string>();
        for (long i = 0; i < count; i++)
        {
            long entry = start + HeaderSize + i * EntrySize;
            if (entry + EntrySize > cache.Length) break;
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(cache.AsSpan((int)entry + 8));
            // In the new format string offsets count from the start of the new-format header.
            long at = start + value;
            if (at <= 0 || at >= cache.Length) continue;
            int end = Array.IndexOf(cache, (byte)0, (int)at);
            if (end < 0) continue;
            paths.Add(Encoding.UTF8.GetString(cache, (int)at, end - (int)at));
        }
        return paths;
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
