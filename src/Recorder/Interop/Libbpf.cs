using System.Runtime.InteropServices;

namespace Capture.Recorder.Interop;

/// <summary>Raw imports from Debian's libbpf1 (libbpf.so.1, API 1.x: NULL + errno on failure).
/// Private to the Interop folder: callers use <see cref="BpfObject"/> and friends.</summary>
internal static unsafe partial class Libbpf
{
    private const string Lib = "libbpf.so.1";

    [LibraryImport(Lib, EntryPoint = "bpf_object__open_file", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint ObjectOpenFile(string path, nint opts);

    [LibraryImport(Lib, EntryPoint = "bpf_object__load")]
    internal static partial int ObjectLoad(nint obj);

    [LibraryImport(Lib, EntryPoint = "bpf_object__close")]
    internal static partial void ObjectClose(nint obj);

    [LibraryImport(Lib, EntryPoint = "bpf_object__next_map")]
    internal static partial nint ObjectNextMap(nint obj, nint previous);

    [LibraryImport(Lib, EntryPoint = "bpf_object__next_program")]
    internal static partial nint ObjectNextProgram(nint obj, nint previous);

    [LibraryImport(Lib, EntryPoint = "bpf_map__name")]
    internal static partial nint MapName(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__fd")]
    internal static partial int MapFd(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__set_max_entries")]
    internal static partial int MapSetMaxEntries(nint map, uint maxEntries);

    [LibraryImport(Lib, EntryPoint = "bpf_map__max_entries")]
    internal static partial uint MapMaxEntries(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__initial_value")]
    internal static partial nint MapInitialValue(nint map, out nuint size);

    [LibraryImport(Lib, EntryPoint = "bpf_program__name")]
    internal static partial nint ProgramName(nint program);

    [LibraryImport(Lib, EntryPoint = "bpf_program__section_name")]
    internal static partial nint ProgramSectionName(nint program);

    [LibraryImport(Lib, EntryPoint = "bpf_program__set_autoload")]
    internal static partial int ProgramSetAutoload(nint program, [MarshalAs(UnmanagedType.U1)] bool autoload);

    [LibraryImport(Lib, EntryPoint = "bpf_program__attach", SetLastError = true)]
    internal static partial nint ProgramAttach(nint program);

    [LibraryImport(Lib, EntryPoint = "bpf_program__attach_uprobe_opts", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint ProgramAttachUprobe(nint program, int pid, string binaryPath, nuint functionOffset, UprobeOptions* opts);

    /// <summary>struct bpf_uprobe_opts of libbpf 1.1 (sz names the version we fill in).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct UprobeOptions
    {
        public nuint Size;
        public nuint RefCounterOffset;
        public ulong Cookie;
        [MarshalAs(UnmanagedType.U1)] public bool ReturnProbe;
        public nint FunctionName;
    }

    [LibraryImport(Lib, EntryPoint = "bpf_link__destroy")]
    internal static partial int LinkDestroy(nint link);

    [LibraryImport(Lib, EntryPoint = "bpf_map_lookup_elem", SetLastError = true)]
    internal static partial int MapLookupElem(int fd, void* key, void* value);

    [LibraryImport(Lib, EntryPoint = "bpf_map__value_size")]
    internal static partial uint MapValueSize(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map_get_next_key", SetLastError = true)]
    internal static partial int MapGetNextKey(int fd, void* key, void* nextKey);

    [LibraryImport(Lib, EntryPoint = "bpf_map_lookup_and_delete_elem", SetLastError = true)]
    internal static partial int MapLookupAndDeleteElem(int fd, void* key, void* value);

    [LibraryImport(Lib, EntryPoint = "libbpf_num_possible_cpus")]
    internal static partial int NumPossibleCpus();

    [LibraryImport(Lib, EntryPoint = "ring_buffer__new", SetLastError = true)]
    internal static partial nint RingBufferNew(int mapFd, delegate* unmanaged[Cdecl]<nint, nint, nuint, int> sampleCallback, nint context, nint opts);

    [LibraryImport(Lib, EntryPoint = "ring_buffer__poll")]
    internal static partial int RingBufferPoll(nint ringBuffer, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "ring_buffer__consume")]
    internal static partial int RingBufferConsume(nint ringBuffer);

    [LibraryImport(Lib, EntryPoint = "ring_buffer__free")]
    internal static partial void RingBufferFree(nint ringBuffer);

    [LibraryImport(Lib, EntryPoint = "libbpf_set_print")]
    internal static partial nint SetPrint(delegate* unmanaged[Cdecl]<int, nint, nint, int> printFunction);

    [LibraryImport(Lib, EntryPoint = "btf__parse_elf", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint BtfParseElf(string path, nint btfExt);

    [LibraryImport(Lib, EntryPoint = "btf__free")]
    internal static partial void BtfFree(nint btf);

    [LibraryImport(Lib, EntryPoint = "btf__find_by_name_kind", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int BtfFindByNameKind(nint btf, string name, uint kind);

    [LibraryImport(Lib, EntryPoint = "btf__type_by_id")]
    internal static partial nint BtfTypeById(nint btf, uint id);

    [LibraryImport(Lib, EntryPoint = "btf__name_by_offset")]
    internal static partial nint BtfNameByOffset(nint btf, uint offset);

    [LibraryImport(Lib, EntryPoint = "btf__resolve_size")]
    internal static partial long BtfResolveSize(nint btf, uint typeId);

    internal static string? Utf8(nint p) => p == 0 ? null : Marshal.PtrToStringUTF8(p);
}
