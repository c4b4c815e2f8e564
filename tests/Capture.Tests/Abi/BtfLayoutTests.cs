using System.Runtime.InteropServices;
using Capture.Recorder.Interop;
using Capture.Tests.Support;

namespace Capture.Tests.Abi;

/// <summary>bpf/capture.h is the single truth for kernel-to-user structs: every field of every
/// C# mirror sits at the offset, with the size, that the compiled BPF object says.</summary>
public sealed class BtfLayoutTests
{
    public static TheoryData<string, Type, string?> Mirrors() => new()
    {
        { "conn_tuple", typeof(ConnTuple), null },
        { "event_header", typeof(EventHeader), null },
        { "data_event", typeof(DataEvent), "data" }, // the payload array is read from the sample, not mirrored
        { "conn_event", typeof(ConnEvent), null },
        { "exec_event", typeof(ExecEvent), null },
        { "tls_bind_event", typeof(TlsBindEvent), null },
        { "capture_config", typeof(CaptureConfig), null },
    };

    [Theory]
    [MemberData(nameof(Mirrors))]
    public void Csharp_mirror_matches_the_btf_of_the_built_object_field_by_field(string cName, Type mirror, string? trailingPayload)
    {
        using var btf = new BtfStructReader(Repo.BpfObject);
        var (size, members) = btf.Struct(cName);
        var fields = mirror.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance);
        var expected = members.Where(m => m.Name != trailingPayload).ToList();
        Assert.Equal(expected.Select(m => PascalCase(m.Name)), fields.Select(f => f.Name));
        foreach (var member in expected)
        {
            var field = mirror.GetField(PascalCase(member.Name))!;
            Assert.True(member.Offset == (int)Marshal.OffsetOf(mirror, field.Name), $"{cName}.{member.Name}: BTF offset {member.Offset}, C# {Marshal.OffsetOf(mirror, field.Name)}");
            Assert.True(member.Size == FieldSize(field), $"{cName}.{member.Name}: BTF size {member.Size}, C# {FieldSize(field)}");
        }
        var payload = members.SingleOrDefault(m => m.Name == trailingPayload);
        Assert.Equal(payload is null ? size : payload.Offset, Marshal.SizeOf(mirror));
    }

    [Fact]
    public void Capture_h_constants_match_their_csharp_copies()
    {
        using var btf = new BtfStructReader(Repo.BpfObject);
        var data = btf.Struct("data_event").Members.Single(m => m.Name == "data");
        Assert.Equal(CaptureAbi.ChunkBytes, data.Size);
        var comm = btf.Struct("event_header").Members.Single(m => m.Name == "comm");
        Assert.Equal(CaptureAbi.CommLength, comm.Size);
        var filename = btf.Struct("exec_event").Members.Single(m => m.Name == "filename");
        Assert.Equal(CaptureAbi.PathLength, filename.Size);
    }

    private static int FieldSize(System.Reflection.FieldInfo field)
    {
        var fixedBuffer = field.GetCustomAttributes(typeof(System.Runtime.CompilerServices.FixedBufferAttribute), false)
            .Cast<System.Runtime.CompilerServices.FixedBufferAttribute>().SingleOrDefault();
        if (fixedBuffer is not null) return fixedBuffer.Length * Marshal.SizeOf(fixedBuffer.ElementType);
        return field.FieldType.IsEnum ? Marshal.SizeOf(Enum.GetUnderlyingType(field.FieldType)) : Marshal.SizeOf(field.FieldType);
    }

    internal static string PascalCase(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}
