using System.Globalization;
using System.Text.RegularExpressions;
using Capture.Recorder.Probes;
using Capture.Tests.Support;

namespace Capture.Tests.Probes;

/// <summary>Our ELF reader finds functions a file defines, where a uprobe must go (the file
/// offset), in PIE and non-PIE executables, stripped or not; binutils' readelf is the reference.</summary>
public sealed partial class ElfSymbolsTests
{
    private static readonly string[] Wanted = ["exported_entry", "local_only_helper", "puts"];

    private static string Build(TempDir dir, string name, params string[] flags)
    {
        var output = dir.File(name);
        var result = ProcessRunner.Run("clang", [.. flags, "-O1", "-rdynamic", "-o", output, Path.Combine(Repo.Root, "fixtures/elf/symbols.c")]);
        Assert.True(result.ExitCode == 0, "clang failed: " + result.Stderr);
        return output;
    }

    [Theory]
    [InlineData("-fPIE", "-pie")]
    [InlineData("-fno-pie", "-no-pie")]
    public void Finds_defined_functions_at_the_address_and_file_offset_readelf_gives(string compileFlag, string linkFlag)
    {
        using var dir = new TempDir();
        var binary = Build(dir, "fixture", compileFlag, linkFlag);

        var found = ElfSymbols.FindFunctions(binary, Wanted);

        Assert.Equal(new[] { "exported_entry", "local_only_helper" }, found.Keys.Order());
        var reference = ReadelfFunctions(binary);
        var segments = ReadelfLoadSegments(binary);
        foreach (var function in found.Values)
        {
            Assert.Equal(reference[function.Name], function.Address);
            var segment = segments.Single(s => function.Address >= s.Address && function.Address < s.Address + s.FileSize);
            Assert.Equal(function.Address - segment.Address + segment.Offset, function.FileOffset);
        }
    }

    [Fact]
    public void A_stripped_binary_still_exports_its_dynamic_symbols_but_loses_local_ones()
    {
        using var dir = new TempDir();
        var binary = Build(dir, "fixture", "-fPIE", "-pie");
        var stripped = dir.File("fixture.stripped");
        Assert.Equal(0, ProcessRunner.Run("strip", ["-o", stripped, binary]).ExitCode);

        var full = ElfSymbols.FindFunctions(binary, Wanted);
        var found = ElfSymbols.FindFunctions(stripped, Wanted);

        Assert.Equal(new[] { "exported_entry" }, found.Keys);
        Assert.Equal(full["exported_entry"], found["exported_entry"]);
    }

    [Fact]
    public void Node_exports_openssl_functions_linked_into_it()
    {
        var found = ElfSymbols.FindFunctions("/usr/bin/node", ["SSL_read", "SSL_write", "SSL_read_ex", "SSL_write_ex"]);
        var reference = ReadelfFunctions("/usr/bin/node", dynamicOnly: true);
        Assert.Equal(4, found.Count);
        Assert.All(found.Values, f => Assert.Equal(reference[f.Name], f.Address));
        // node is not PIE: its code is linked at 0x400000 and up, so offset and address differ.
        Assert.All(found.Values, f => Assert.NotEqual(f.Address, f.FileOffset));
    }

    [Fact]
    public void A_file_that_is_not_elf_is_refused_with_a_clear_message()
    {
        using var dir = new TempDir();
        var text = dir.File("notes.txt");
        File.WriteAllText(text, "not a program, just text that is long enough to have an ELF header's size\n");
        var error = Assert.Throws<InvalidDataException>(() => ElfSymbols.FindFunctions(text, Wanted));
        Assert.Equal($"{text} is not an ELF file", error.Message);
    }

    private static Dictionary<string, ulong> ReadelfFunctions(string path, bool dynamicOnly = false)
    {
        var result = ProcessRunner.Run("readelf", [dynamicOnly ? "--dyn-syms" : "--syms", "--wide", path], TimeSpan.FromSeconds(60));
        var functions = new Dictionary<string, ulong>();
        foreach (Match m in SymbolLine().Matches(result.Stdout))
            if (m.Groups["ndx"].Value != "UND")
                functions.TryAdd(m.Groups["name"].Value, ulong.Parse(m.Groups["value"].Value, NumberStyles.HexNumber));
        return functions;
    }

    private static List<(ulong Offset, ulong Address, ulong FileSize)> ReadelfLoadSegments(string path)
    {
        var result = ProcessRunner.Run("readelf", ["--program-headers", "--wide", path]);
        return LoadLine().Matches(result.Stdout).Select(m => (Hex(m.Groups[1].Value), Hex(m.Groups[2].Value), Hex(m.Groups[3].Value))).ToList();
    }

    private static ulong Hex(string text) => ulong.Parse(text.Replace("0x", ""), NumberStyles.HexNumber);

    [GeneratedRegex(@"^\s*\d+:\s+(?<value>[0-9a-f]+)\s+\d+\s+FUNC\s+\w+\s+\w+\s+(?<ndx>\S+)\s+(?<name>[^\s@]+)", RegexOptions.Multiline)]
    private static partial Regex SymbolLine();

    [GeneratedRegex(@"^\s*LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex LoadLine();
}
