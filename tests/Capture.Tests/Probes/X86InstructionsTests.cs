using System.Globalization;
using System.Text.RegularExpressions;
using Capture.Recorder.Probes;
using Capture.Tests.Support;

namespace Capture.Tests.Probes;

/// <summary>Our x86-64 length decoder, checked against binutils' objdump on real code: the TLS
/// libraries of this machine. It may decline an instruction (null), never give a wrong length,
/// since a probe placed inside an instruction would corrupt the traced program.</summary>
public sealed partial class X86InstructionsTests
{
    [Theory]
    [InlineData("libssl.so.3")]
    [InlineData("libcrypto.so.3")]
    [InlineData("libgnutls.so.30")]
    public void Decodes_every_instruction_objdump_decodes_to_the_same_length_or_declines(string library)
    {
        var path = HostLibraries.Path(library);
        var code = File.ReadAllBytes(path);
        var listing = ProcessRunner.Run("objdump", ["-d", "-w", "--no-addresses", "--show-raw-insn", "-F", path], TimeSpan.FromMinutes(2));
        Assert.Equal(0, listing.ExitCode);
        int agreed = 0, declined = 0;
        var wrong = new List<string>();
        foreach (var (fileOffset, bytes, text) in Instructions(listing.Stdout))
        {
            var decoded = X86Instructions.Decode(code.AsSpan(fileOffset, Math.Min(15, code.Length - fileOffset)));
            if (decoded is null) declined++;
            else if (decoded.Value.Length == bytes) agreed++;
            else if (wrong.Count < 10) wrong.Add($"0x{fileOffset:x} {text}: objdump {bytes} bytes, ours {decoded.Value.Length}");
        }
        Assert.Empty(wrong);
        // Declining is safe but must stay rare, or placement would never find a call.
        Assert.True(agreed > 10_000, $"only {agreed} instructions decoded");
        Assert.True(declined < agreed / 50, $"{declined} declined of {agreed + declined}");
    }

    [Theory]
    [InlineData("55", true)]                      // push %rbp
    [InlineData("41 55", true)]                   // push %r13
    [InlineData("e8 00 00 00 00", true)]          // call rel32
    [InlineData("0f 88 37 01 00 00", true)]       // js rel32
    [InlineData("48 83 ec 18", false)]            // sub $0x18,%rsp
    [InlineData("f3 0f 1e fa", false)]            // endbr64
    [InlineData("48 8b 07", false)]               // mov (%rdi),%rax
    public void Knows_which_first_instructions_the_kernel_emulates(string hex, bool emulated)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", ""));
        Assert.Equal(emulated, X86Instructions.KernelEmulates(bytes));
    }

    /// <summary>(file offset, length, text) of each instruction objdump lists, from lines such as
    /// "&lt;SSL_read@@OPENSSL_3.0.0&gt; (File Offset: 0x35430):" and "\t48 83 ec 18 \tsub $0x18,%rsp".</summary>
    private static IEnumerable<(int FileOffset, int Length, string Text)> Instructions(string listing)
    {
        int? at = null;
        foreach (var line in listing.Split('\n'))
        {
            var function = FunctionLine().Match(line);
            if (function.Success)
            {
                at = int.Parse(function.Groups[1].Value, NumberStyles.HexNumber);
                continue;
            }
            var instruction = InstructionLine().Match(line);
            if (!instruction.Success || at is null) { if (line.Length == 0) at = null; continue; }
            if (instruction.Groups[2].Value.Contains("(bad)")) { at = null; continue; } // data between functions: objdump guesses too
            int length = instruction.Groups[1].Value.Trim().Split(' ').Length;
            yield return (at.Value, length, instruction.Groups[2].Value.Trim());
            at += length;
        }
    }

    [GeneratedRegex(@"^<[^>]+> \(File Offset: 0x([0-9a-f]+)\):$")]
    private static partial Regex FunctionLine();

    [GeneratedRegex(@"^\s*((?:[0-9a-f]{2} )+)\s*(.*)$")]
    private static partial Regex InstructionLine();
}
