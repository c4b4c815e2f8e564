using System.Text.RegularExpressions;
using Capture.Recorder.Interop;

namespace Capture.Recorder.Probes;

/// <summary>A TLS library file to probe, where it was found, and which library family it is.
/// <paramref name="Functions"/> is set for files whose functions our own ELF reader located
/// (executables with a TLS library linked in); shared libraries are resolved by name in libbpf.</summary>
internal sealed record TlsLibraryFile(string Path, TlsLibrary Library, string FoundIn,
    IReadOnlyDictionary<string, ElfFunction>? Functions = null);

/// <summary>Finds every TLS library on the host: the loader cache, the libraries mapped by
/// running processes (containers and non-standard paths, reached through /proc/PID/root), and the
/// executables of running processes that carry OpenSSL/BoringSSL inside them (node).
/// Files are deduplicated by device and inode, since a uprobe belongs to the file, not the path.</summary>
internal static partial class TlsLibraries
{
    /// <summary>What was found, plus what was looked at and not probed (for the probes table).</summary>
    public sealed record Findings(IReadOnlyList<TlsLibraryFile> Files, IReadOnlyList<ProbeReport> NotProbed);

    public static Findings Find(StaticTlsDetector detector, IReadOnlyList<string> forcedBinaries)
    {
        var found = new List<TlsLibraryFile>();
        var notProbed = new List<ProbeReport>();
        void Consider(string path, string foundIn)
        {
            var library = Classify(path);
            if (library == TlsLibrary.None) return;
            if (FileIdentity.Of(path) is not { } id || !detector.Claim(id, $"shared library {path}")) return;
            found.Add(new TlsLibraryFile(path, library, foundIn));
        }
        void ConsiderBinary(string path, string foundIn, bool forced)
        {
            var verdict = detector.Inspect(path, foundIn);
            if (verdict.File is { } file) found.Add(file);
            else if (forced && !verdict.Cached) notProbed.Add(new ProbeReport($"tls-binary {path}", "uprobe", path, "missing", verdict.Reason));
        }

        foreach (var path in forcedBinaries) ConsiderBinary(path, "--tls-binary", forced: true);
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
                Consider(HostPath(dir, mapped), $"maps of pid {pid}");
            }
            if (ExecutablePath(dir) is { } exe) ConsiderBinary(exe, $"executable of pid {pid}", forced: false);
        }
        return new Findings(found, notProbed);
    }

    /// <summary>The executable of /proc/PID (<paramref name="procDir"/>), as a path this process can open.</summary>
    public static string? ExecutablePath(string procDir)
    {
        string? target;
        try { target = new FileInfo(System.IO.Path.Combine(procDir, "exe")).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        if (target is null || !target.StartsWith('/')) return null; // kernel threads have no executable
        if (target.EndsWith(" (deleted)", StringComparison.Ordinal)) return null;
        return HostPath(procDir, target);
    }

    /// <summary>A path as the process at <paramref name="procDir"/> sees it, made openable here: the
    /// process may live in another mount namespace, and its root shows its view.</summary>
    private static string HostPath(string procDir, string path)
    {
        var viaRoot = $"{procDir}/root{path}";
        return File.Exists(path) && FileIdentity.Same(path, viaRoot) ? path : viaRoot;
    }

    public static TlsLibrary Classify(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (OpenSslName().IsMatch(name)) return TlsLibrary.OpenSsl;
        if (GnuTlsName().IsMatch(name)) return TlsLibrary.GnuTls;
        return TlsLibrary.None;
    }

    [GeneratedRegex(@"^libssl\.so(\.\d+)*$")]
    private static partial Regex OpenSslName();

    [GeneratedRegex(@"^libgnutls\.so(\.\d+)*$")]
    private static partial Regex GnuTlsName();
}
