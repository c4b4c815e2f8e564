using System.Reflection;
using System.Runtime.InteropServices;
using Capture.Analyzer.Reassembly;
using Capture.Recorder.Interop;
using Capture.Recorder.Redaction;
using Capture.Tests.Support;

namespace Capture.Tests.Abi;

/// <summary>bpf/capture.h is the single truth for the numbers in kernel events too: every enum the kernel
/// writes has a C# mirror with the same members and values, and the chunk flag bits the Analyzer reads
/// are the ones the kernel and the Recorder write. A renumbering on one side would otherwise corrupt
/// recordings without a single error.</summary>
public sealed class BtfEnumTests
{
    /// <summary>Kernel enum, its C# mirror, and the prefix every kernel member carries. A member's C# name
    /// is the rest of its kernel name in PascalCase (SOURCE_TLS_READ ↔ EventSource.TlsRead), except
    /// where <see cref="CsharpNameExceptions"/> says otherwise.</summary>
    public static TheoryData<string, Type, string> Mirrors() => new()
    {
        { "capture_event_kind", typeof(EventKind), "EVENT_" },
        { "capture_direction", typeof(Direction), "DIRECTION_" },
        { "capture_role", typeof(ConnRole), "ROLE_" },
        { "capture_source", typeof(EventSource), "SOURCE_" },
        { "capture_tls_library", typeof(TlsLibrary), "TLS_" },
        { "capture_tls_attribution", typeof(TlsAttribution), "ATTRIBUTION_" },
        { "capture_data_flags", typeof(DataFlags), "DATA_FLAG_" },
    };

    /// <summary>Product names keep their own casing in C#.</summary>
    private static readonly Dictionary<string, string> CsharpNameExceptions = new()
    {
        ["TLS_OPENSSL"] = nameof(TlsLibrary.OpenSsl),
        ["TLS_GNUTLS"] = nameof(TlsLibrary.GnuTls),
    };

    /// <summary>Members only C# has: the empty set of a [Flags] enum, which C has no need to name.</summary>
    private static readonly Dictionary<Type, string> CsharpOnlyMembers = new()
    {
        [typeof(DataFlags)] = nameof(DataFlags.None),
    };

    [Theory]
    [MemberData(nameof(Mirrors))]
    public void Csharp_enum_has_every_kernel_member_with_its_value_and_nothing_more(string cName, Type mirror, string prefix)
    {
        using var btf = new BtfStructReader(Repo.BpfObject);
        var kernel = btf.Enum(cName).ToDictionary(m => $"{mirror.Name}.{CsharpName(m.Key, prefix)} = {m.Value}", m => $"{cName} has {m.Key} = {m.Value}");
        var csharp = Constants(mirror)
            .Where(m => !(CsharpOnlyMembers.GetValueOrDefault(mirror) == m.Key && m.Value == 0))
            .Select(m => $"{mirror.Name}.{m.Key} = {m.Value}");
        AssertMirrored(kernel, csharp, "C#", $"which {cName} lacks");
    }

    /// <summary>The structs whose fields are typed by kernel enums, with their C# mirrors.</summary>
    public static TheoryData<string, Type> StructsCarryingEnums() => new()
    {
        { "event_header", typeof(EventHeader) },
        { "data_event", typeof(DataEvent) },
        { "conn_event", typeof(ConnEvent) },
    };

    [Theory]
    [MemberData(nameof(StructsCarryingEnums))]
    public void A_field_typed_by_a_kernel_enum_is_typed_by_its_csharp_mirror_of_the_same_size(string cName, Type mirror)
    {
        using var btf = new BtfStructReader(Repo.BpfObject);
        var mirrorOf = Mirrors().ToDictionary(row => row.Data.Item1, row => row.Data.Item2);
        var enumFields = btf.Struct(cName).Members.Where(m => m.EnumName is not null).ToList();
        Assert.NotEmpty(enumFields);
        foreach (var member in enumFields)
        {
            var field = mirror.GetField(BtfLayoutTests.PascalCase(member.Name))!;
            Assert.True(mirrorOf.TryGetValue(member.EnumName!, out var expected), $"{cName}.{member.Name}: enum {member.EnumName} has no C# mirror in {nameof(Mirrors)}");
            Assert.True(field.FieldType == expected, $"{cName}.{member.Name} is enum {member.EnumName}: C# {mirror.Name}.{field.Name} should be {expected.Name}, not {field.FieldType.Name}");
            int csharpSize = Marshal.SizeOf(Enum.GetUnderlyingType(expected));
            Assert.True(csharpSize == member.Size, $"{cName}.{member.Name}: {member.Size} byte(s) in BTF, but {expected.Name} is {csharpSize}");
        }
    }

    /// <summary>Which writer gives each of the Analyzer's chunk flag bits its value.</summary>
    private static readonly Dictionary<string, string> AnalyzerFlagOfWriterBit = new()
    {
        ["DATA_FLAG_TRUNCATED"] = nameof(StreamChunk.FlagTruncated),
        ["DATA_FLAG_UNREADABLE"] = nameof(StreamChunk.FlagUnreadable),
        ["DATA_FLAG_SHED"] = nameof(StreamChunk.FlagShed),
        [$"ChunkFlags.{nameof(ChunkFlags.ElidedByPolicy)}"] = nameof(StreamChunk.FlagElided),
    };

    [Fact]
    public void Analyzer_reads_every_chunk_flag_bit_the_kernel_and_the_recorder_write_with_their_values()
    {
        using var btf = new BtfStructReader(Repo.BpfObject);
        var kernelBits = btf.Enum("capture_data_flags").Select(bit => (Writer: "the kernel", bit.Key, bit.Value));
        var recorderBits = Constants(typeof(ChunkFlags)).Select(bit => (Writer: "the recorder", Key: $"ChunkFlags.{bit.Key}", bit.Value));
        var written = kernelBits.Concat(recorderBits).ToDictionary(
            bit => $"StreamChunk.{AnalyzerFlagOfWriterBit.GetValueOrDefault(bit.Key, $"<a constant for {bit.Key}>")} = {bit.Value}",
            bit => $"{bit.Writer} writes {bit.Key} = {bit.Value}");
        var read = Constants(typeof(StreamChunk)).Where(c => c.Key.StartsWith("Flag", StringComparison.Ordinal))
            .Select(c => $"StreamChunk.{c.Key} = {c.Value}");
        AssertMirrored(written, read, "the analyzer", "which neither the kernel nor the recorder writes");
    }

    [Fact]
    public void Recorder_bits_in_chunks_flags_are_single_bits_clear_of_every_kernel_bit()
    {
        using var btf = new BtfStructReader(Repo.BpfObject);
        long kernelBits = btf.Enum("capture_data_flags").Values.Aggregate(0L, (all, bit) => all | bit);
        var recorderBits = Constants(typeof(ChunkFlags));
        Assert.NotEmpty(recorderBits);
        foreach (var (name, bit) in recorderBits)
        {
            Assert.True(long.PopCount(bit) == 1, $"ChunkFlags.{name} = {bit} is not a single bit");
            Assert.True((bit & kernelBits) == 0, $"ChunkFlags.{name} = {bit} collides with the kernel's DATA_FLAG_* bits ({kernelBits})");
        }
    }

    /// <summary>Fails with one line per member that is on one side only, named as what to fix.</summary>
    /// <param name="truth">The members as the mirror should spell them → where each comes from.</param>
    private static void AssertMirrored(IReadOnlyDictionary<string, string> truth, IEnumerable<string> mirror, string mirrorName, string lacking)
    {
        var mirrored = mirror.ToHashSet();
        var mismatches = truth.Where(t => !mirrored.Contains(t.Key)).Select(t => $"{t.Value}: {mirrorName} needs {t.Key}")
            .Concat(mirrored.Where(m => !truth.ContainsKey(m)).Select(m => $"{mirrorName} has {m}, {lacking}"))
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    private static string CsharpName(string kernelName, string prefix) =>
        CsharpNameExceptions.GetValueOrDefault(kernelName) ?? BtfLayoutTests.PascalCase(kernelName[prefix.Length..].ToLowerInvariant());

    /// <summary>The public constants of a class, or the members of an enum, name → value.</summary>
    private static IReadOnlyDictionary<string, long> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)
            .ToDictionary(f => f.Name, f => Convert.ToInt64(f.GetRawConstantValue()));
}
