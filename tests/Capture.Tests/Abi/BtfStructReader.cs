using System.Runtime.InteropServices;
using Capture.Recorder.Interop;

namespace Capture.Tests.Abi;

/// <summary>Reads struct layouts (member name → byte offset and size) and enum members (name → value)
/// from the BTF of a built BPF object through libbpf, so that C# mirrors are checked against what the
/// compiler laid out.</summary>
internal sealed unsafe class BtfStructReader : IDisposable
{
    // BTF kinds (linux/btf.h) this reader understands.
    private const uint KindStruct = 4, KindEnum = 6, KindTypedef = 8, KindVolatile = 9, KindConst = 10, KindEnum64 = 19;
    private readonly nint _btf;

    public BtfStructReader(string objectPath)
    {
        _btf = Libbpf.BtfParseElf(objectPath, 0);
        if (_btf == 0) throw new InvalidOperationException($"no BTF in {objectPath} (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <param name="EnumName">The enum the member's type is (through typedefs and qualifiers), or null.</param>
    public sealed record Member(string Name, int Offset, int Size, string? EnumName);

    public (int Size, IReadOnlyList<Member> Members) Struct(string name)
    {
        var type = Find(name, KindStruct);
        if (type == null) throw new InvalidOperationException($"struct {name} is not in the object's BTF");
        bool bitfieldEncoding = KindFlag(type);
        var members = new List<Member>(Vlen(type));
        var m = (BtfMember*)(type + 1);
        for (int i = 0; i < Vlen(type); i++, m++)
        {
            uint bits = bitfieldEncoding ? m->Offset & 0xffffff : m->Offset;
            members.Add(new Member(NameAt(m->NameOff), (int)(bits / 8), (int)Libbpf.BtfResolveSize(_btf, m->Type), EnumNameOf(m->Type)));
        }
        return ((int)type->Size, members);
    }

    /// <summary>The members of an enum, name → value. Enums the compiler emitted only because their type
    /// is used somewhere (a struct field, a variable); bpf/capture.h types its fields by their enums for that.</summary>
    public IReadOnlyDictionary<string, long> Enum(string name)
    {
        var values = new Dictionary<string, long>();
        BtfType* type;
        if ((type = Find(name, KindEnum)) != null)
        {
            // kind_flag marks signed values; the 32-bit field holds them either way.
            var e = (BtfEnum*)(type + 1);
            for (int i = 0; i < Vlen(type); i++, e++) values.Add(NameAt(e->NameOff), KindFlag(type) ? e->Value : (uint)e->Value);
        }
        else if ((type = Find(name, KindEnum64)) != null)
        {
            var e = (BtfEnum64*)(type + 1);
            for (int i = 0; i < Vlen(type); i++, e++) values.Add(NameAt(e->NameOff), (long)((ulong)e->High << 32 | e->Low));
        }
        else throw new InvalidOperationException($"enum {name} is not in the object's BTF (no field or variable has its type)");
        return values;
    }

    public void Dispose() => Libbpf.BtfFree(_btf);

    private BtfType* Find(string name, uint kind)
    {
        int id = Libbpf.BtfFindByNameKind(_btf, name, kind);
        return id > 0 ? (BtfType*)Libbpf.BtfTypeById(_btf, (uint)id) : null;
    }

    private string? EnumNameOf(uint typeId)
    {
        var type = (BtfType*)Libbpf.BtfTypeById(_btf, typeId);
        while (Kind(type) is KindTypedef or KindVolatile or KindConst) type = (BtfType*)Libbpf.BtfTypeById(_btf, type->Size);
        return Kind(type) is KindEnum or KindEnum64 ? NameAt(type->NameOff) : null;
    }

    private string NameAt(uint offset) => Marshal.PtrToStringUTF8(Libbpf.BtfNameByOffset(_btf, offset))!;

    // btf_type.info: bits 0-15 vlen (member count), bits 24-28 kind, bit 31 kind_flag.
    private static int Vlen(BtfType* type) => (int)(type->Info & 0xffff);
    private static uint Kind(BtfType* type) => (type->Info >> 24) & 0x1f;
    private static bool KindFlag(BtfType* type) => (type->Info >> 31) != 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct BtfType
    {
        public uint NameOff;
        public uint Info;
        public uint Size; // or, for typedefs and qualifiers, the type id they refer to
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct BtfMember
    {
        public uint NameOff;
        public uint Type;
        public uint Offset;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct BtfEnum
    {
        public uint NameOff;
        public int Value;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct BtfEnum64
    {
        public uint NameOff;
        public uint Low;
        public uint High;
    }
}
