using System.Text.RegularExpressions;
using Capture.Recorder.Interop;

namespace Capture.Recorder.Probes;

/// <summary>A TLS library file to probe, where it was found, and which library family it is.</summary>
internal sealed record TlsLibraryFile(string Path, TlsLibrary Library, string FoundIn);

/// <summary>Finds every TLS library on the host: the loader cache, plus the libraries mapped by
/// running processes (containers and non-standard paths, reached through /proc/PID/root).
/// Files are deduplicated by device and inode, since a uprobe belongs to the file, not the path.</summary>
internal static partial class TlsLibraries
{
    public static IReadOnlyList<TlsLibraryFile> Find()
    {
        var found = new List<TlsLibraryFile>();
        var seen = new HashSet<(ulong, ulong)>();
        void Consider(string path, string foundIn)
        {
            var library = Classify(path);
            if (library == TlsLibrary.None) return;
            var id = FileIdentity(path);
            if (id is null || !seen.Add(id.Value)) return;
            found.Add(new TlsLibraryFile(path, library, foundIn));
        }

        foreach (var path in LoaderCache.Paths()) Consider(path, "loader cache");
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var pid = System.IO.Path.GetFileName(dir);
            if (!pid.All(char.IsAsciiDigit)) continue;
            string[] maps;
            try { maps = File.ReadAllLines(System.IO.Path.Combine(dir, "maps")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var line in maps)
            {
                int slash = line.IndexOf('/');
                if (slash < 0) continue;
                var mapped = line[slash..];
                if (Classify(mapped) == TlsLibrary.None) continue;
                // The process may live in another mount namespace: its root shows its view.
                var viaRoot = $"{dir}/root{mapped}";
                Consider(File.Exists(mapped) && SameFile(mapped, viaRoot) ? mapped : viaRoot, $"maps of pid {pid}");
            }
        }
        return found;
    }

    public static TlsLibrary Classify(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (OpenSslName().IsMatch(name)) return TlsLibrary.OpenSsl;
        if (GnuTlsName().IsMatch(name)) return TlsLibrary.GnuTls;
        return TlsLibrary.None;
    }

    private static bool SameFile(string a, string b) => FileIdentity(a) is { } x && FileIdentity(b) is { } y && x == y;

    private static (ulong Device, ulong Inode)? FileIdentity(string path)
    {
        try
        {
            return Stat(path, out var st) == 0 ? (st.Device, st.Inode) : null;
        }
        catch (Exception) { return null; }
    }

    [GeneratedRegex(@"^libssl\.so(\.\d+)*$")]
    private static partial Regex OpenSslName();

    [GeneratedRegex(@"^libgnutls\.so(\.\d+)*$")]
    private static partial Regex GnuTlsName();

    private struct StatBuffer
    {
        public ulong Device;
        public ulong Inode;
    }

    private static unsafe int Stat(string path, out StatBuffer result)
    {
        // struct stat on x86_64/arm64 glibc begins with st_dev, st_ino (both 8 bytes); 256 bytes covers it.
        byte* buffer = stackalloc byte[256];
        int rc = NativeStat(path, buffer);
        result = rc == 0 ? new StatBuffer { Device = *(ulong*)buffer, Inode = *(ulong*)(buffer + 8) } : default;
        return rc;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "stat", CharSet = System.Runtime.InteropServices.CharSet.Ansi)]
    private static extern unsafe int NativeStat(string path, byte* buffer);
}
