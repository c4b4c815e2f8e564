using Capture.Recorder.Interop;

namespace Capture.Recorder.Probes;

/// <summary>Decides whether an executable carries a TLS library inside it (OpenSSL or BoringSSL
/// linked statically, as node does) from the functions its ELF symbols define, and where each
/// function sits in the file. Every process of a binary shares one file, so the verdict is cached
/// per device and inode: a busy host that starts the same program a thousand times reads its ELF
/// once.</summary>
internal sealed class StaticTlsDetector
{
    private static readonly TlsLibrary[] Families = [TlsLibrary.OpenSsl, TlsLibrary.GnuTls];
    private static readonly string[] AllFunctions = Families.SelectMany(TlsProbePlan.For).Select(h => h.Function).Distinct().ToArray();

    private readonly Dictionary<FileIdentity, Verdict> _verdicts = [];
    private readonly Lock _lock = new();

    /// <summary>What one file holds: a TLS library to probe, or why not.</summary>
    public sealed record Verdict(TlsLibraryFile? File, string Reason, bool Cached);

    /// <summary>Marks a file as already handled (a shared library probed by name, or a binary
    /// attached once): later sightings are cache hits that attach nothing.</summary>
    public bool Claim(FileIdentity identity, string reason)
    {
        lock (_lock) return _verdicts.TryAdd(identity, new Verdict(null, reason, true));
    }

    public Verdict Inspect(string path, string foundIn)
    {
        if (FileIdentity.Of(path) is not { } identity) return new Verdict(null, $"{path}: cannot stat it", false);
        lock (_lock)
        {
            if (_verdicts.TryGetValue(identity, out var known)) return known with { Cached = true };
        }
        var verdict = Decide(path, foundIn);
        lock (_lock)
        {
            // Once attached, a file never needs attaching again: later sightings see no File.
            _verdicts[identity] = verdict.File is null ? verdict : new Verdict(null, $"already probed as {verdict.File.Path}", true);
        }
        return verdict;
    }

    private static Verdict Decide(string path, string foundIn)
    {
        IReadOnlyDictionary<string, ElfFunction> functions;
        try
        {
            functions = ElfSymbols.FindFunctions(path, AllFunctions);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            return new Verdict(null, e.Message, false);
        }
        foreach (var family in Families)
        {
            var required = TlsProbePlan.For(family).Where(h => !h.Optional).Select(h => h.Function).Distinct();
            if (required.All(functions.ContainsKey))
                return new Verdict(new TlsLibraryFile(path, family, foundIn, functions), $"{family} linked into the file", false);
        }
        return new Verdict(null, "defines neither SSL_read/SSL_write nor gnutls_record_recv/send", false);
    }
}
