using Capture.Recorder.Probes;
using Capture.Tests.Support;

namespace Capture.Tests.Probes;

/// <summary>OpenSSL's read and write probes move to the function the plain and _ex variants share
/// only when the file proves that function takes the _ex arguments, and only when that saves the
/// kernel a single-step. The shapes are pinned in assembly (fixtures/elf/tls_wrappers.s).</summary>
public sealed class OpenSslCalleesTests
{
    private static (ElfFunction? Callee, string Reason) Place(string shape, out IReadOnlyDictionary<string, ElfFunction> functions)
    {
        using var dir = new TempDir();
        var library = dir.File("libwrappers.so");
        var built = ProcessRunner.Run("clang", ["-shared", "-nostdlib", "-o", library, Path.Combine(Repo.Root, "fixtures/elf/tls_wrappers.s")]);
        Assert.True(built.ExitCode == 0, "clang failed: " + built.Stderr);
        functions = ElfSymbols.FindFunctions(library, [$"{shape}_read", $"{shape}_read_ex", $"{shape}_inner"]);
        return OpenSslCallees.Shared(library, functions[$"{shape}_read"], functions[$"{shape}_read_ex"]);
    }

    [Fact]
    public void A_single_stepped_entry_moves_to_the_callee_both_variants_share()
    {
        var (callee, _) = Place("shaped", out var functions);

        Assert.NotNull(callee);
        Assert.Equal(functions["shaped_inner"].Address, callee.Address);
        Assert.Equal(functions["shaped_inner"].FileOffset, callee.FileOffset);
    }

    [Fact]
    public void A_wrapper_that_changes_an_argument_register_keeps_the_probes_on_the_exported_functions()
    {
        var (callee, reason) = Place("extra_argument", out _);

        Assert.Null(callee);
        Assert.Equal("extra_argument_read_ex is not a thin wrapper of one call", reason);
    }

    [Fact]
    public void A_plain_function_that_does_not_call_the_wrappers_callee_keeps_its_probe()
    {
        var (callee, reason) = Place("other_callee", out _);

        Assert.Null(callee);
        Assert.Equal("other_callee_read does not call the function other_callee_read_ex calls", reason);
    }

    [Fact]
    public void An_entry_the_kernel_already_emulates_stays_where_it_is()
    {
        var (callee, reason) = Place("emulated_entry", out _);

        Assert.Null(callee);
        Assert.Equal("emulated_entry_read starts with an instruction the kernel emulates", reason);
    }
    /// <summary>On the machine's own libssl, objdump is the independent witness: when the probes move, SSL_read and
    /// SSL_read_ex (SSL_write and SSL_write_ex) both call the address they move to, and it starts with a push.</summary>
    [Theory]
    [InlineData("SSL_read", "SSL_read_ex")]
    [InlineData("SSL_write", "SSL_write_ex")]
    public void On_this_machines_libssl_the_callee_is_one_objdump_shows_both_variants_calling(string plain, string ex)
    {
        var libssl = HostLibraries.Path("libssl.so.3");
        var functions = ElfSymbols.FindFunctions(libssl, [plain, ex]);
        var (callee, reason) = OpenSslCallees.Shared(libssl, functions[plain], functions[ex]);
        if (callee is null)
        {
            // Another build of OpenSSL: the probes stay on the exported functions, and the reason is one of the rule's.
            Assert.Matches("^(.* starts with an instruction the kernel (emulates|single-steps)|.* is not a thin wrapper of one call|.* does not call the function .* calls)$", reason);
            return;
        }
        foreach (var caller in new[] { functions[plain], functions[ex] })
        {
            var listing = ProcessRunner.Run("objdump", ["-d", "-w", $"--start-address=0x{caller.Address:x}", $"--stop-address=0x{caller.Address + 0x60:x}", libssl]).Stdout;
            Assert.Matches($@"\s(call|jmp)\s+{callee.Address:x}\b", listing);
        }
        var entry = ProcessRunner.Run("objdump", ["-d", "-w", $"--start-address=0x{callee.Address:x}", $"--stop-address=0x{callee.Address + 2:x}", libssl]).Stdout;
        Assert.Matches(@"\spush\s+%r", entry);
    }
}
