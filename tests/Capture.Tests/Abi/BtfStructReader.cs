using System.Runtime.InteropServices;
using Capture.Recorder.Interop;

namespace Capture.Tests.Abi;

/// <summary>Reads struct layouts (member name → byte offset and size) from the BTF of a built
/// BPF object through libbpf, so that C# mirrors are checked against what the compiler laid out.</summary>
internal sealed unsafe class BtfStructReader : IDisposable
{
    private const uint KindStruct = 4;
    private readonly nint _btf;

    public BtfStructReader(string objectPath)
    {
        _btf = Libbpf.BtfParseElf(objectPath, 0);
        if (_btf == 0) throw new InvalidOperationException($"no BTF in {objectPath} (errno {Marshal.GetLastPInvokeError()})");
    }

    public sealed record Member(string Name, int Offset, int Size);

    public (int Size, IReadOnlyList<Member> Members) Struct(string name)
    {
        int id = Libbpf.BtfFindByNameKind(_btf, name, KindStruct);
        if (id <= 0) throw new InvalidOperationException($"struct {name} is not in the object's BTF");
        var type = (BtfType*)Libbpf.BtfTypeById(_btf, (uint)id);
        int count = (int)(type->Info & 0xffff);
        bool bitfieldEncoding = (type->Info >> 31) != 0;
        var members = new List<Member>(count);
        var m = (BtfMember*)(type + 1);
        for (int i = 0; i < count; i++, m++)
        {
            uint bits = bitfieldEncoding ? m->Offset & 0xffffff : m->Offset;
            members.Add(new Member(Marshal.PtrToStringUTF8(Libbpf.BtfNameByOffset(_btf, m->NameOff))!, (int)(bits / 8),
                (int)Libbpf.BtfResolveSize(_btf, m->Type)));
        }
        return ((int)type->Size, members);
    }

    public void Dispose() => Libbpf.BtfFree(_btf);

    [StructLayout(LayoutKind.Sequential)]
    private struct BtfType
    {
        public uint NameOff;
        public uint Info;
        public uint Size;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct BtfMember
    {
        public uint NameOff;
        public uint Type;
        public uint Offset;
    }
}
