using Capture.Recorder.Interop;

namespace Capture.Recorder.Probes;

/// <summary>Where each hook of <see cref="TlsProbePlan"/> goes in one library file: on the named
/// function, or, for OpenSSL's read and write, on the internal function the plain and _ex variants
/// share when the kernel can emulate its first instruction (<see cref="OpenSslCallees"/>).</summary>
internal static class TlsProbePlacement
{
    /// <summary>A hook and the spot it attaches at: <paramref name="FileOffset"/> null means by
    /// name, resolved by libbpf; <paramref name="Note"/> says why it sits where it does.</summary>
    public sealed record Placed(TlsProbePlan.Hook Hook, ulong? FileOffset, string? Note);

    private static readonly (string Plain, string Ex, string Programs)[] SharedCallees =
    [
        ("SSL_read", "SSL_read_ex", "tls_read_ex"),
        ("SSL_write", "SSL_write_ex", "tls_write_ex"),
    ];

    public static IReadOnlyList<Placed> Place(TlsLibraryFile library)
    {
        var hooks = TlsProbePlan.For(library.Library)
            .Select(h => new Placed(h, library.Functions?.GetValueOrDefault(h.Function)?.FileOffset, null)).ToList();
        if (library.Library != TlsLibrary.OpenSsl) return hooks;
        IReadOnlyDictionary<string, ElfFunction> functions;
        try
        {
            functions = library.Functions ?? ElfSymbols.FindFunctions(library.Path, SharedCallees.SelectMany(s => new[] { s.Plain, s.Ex }).ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return hooks; // libbpf resolves the names itself and reports what it cannot find
        }
        foreach (var (plain, ex, programs) in SharedCallees)
        {
            if (!functions.TryGetValue(plain, out var plainFunction) || !functions.TryGetValue(ex, out var exFunction)) continue;
            ElfFunction? callee;
            string reason;
            try { (callee, reason) = OpenSslCallees.Shared(library.Path, plainFunction, exFunction); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (callee is null)
            {
                for (int i = 0; i < hooks.Count; i++)
                    if (hooks[i].Hook.Function == plain || hooks[i].Hook.Function == ex)
                        hooks[i] = hooks[i] with { Note = $"on the function's entry: {reason}" };
                continue;
            }
            var note = $"on the function {plain} and {ex} both call (0x{callee.Address:x}): the kernel emulates its first instruction, " +
                       $"where {plain}'s own would be single-stepped";
            hooks.RemoveAll(p => p.Hook.Function == plain || p.Hook.Function == ex);
            hooks.Add(new Placed(new TlsProbePlan.Hook(callee.Name, "uprobe_" + programs, false, false), callee.FileOffset, note));
            hooks.Add(new Placed(new TlsProbePlan.Hook(callee.Name, "uretprobe_" + programs, true, false), callee.FileOffset, note));
        }
        return hooks;
    }
}
