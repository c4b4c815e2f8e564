using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text;

namespace Capture.Recorder.Probes;

/// <summary>A function defined in an ELF file: its virtual address and the file offset a uprobe
/// attaches at (the kernel places uprobes by file offset, not by address).</summary>
internal sealed record ElfFunction(string Name, ulong Address, ulong FileOffset);

/// <summary>Finds functions defined in a 64-bit little-endian ELF file (executable, PIE or shared
/// object) from its symbol tables: .dynsym first (it survives `strip`), then .symtab when the
/// file still has one. The file is memory-mapped, so only the headers and the symbol tables are
/// read, even for a 100 MB executable like node.</summary>
internal static class ElfSymbols
{
    // ELF-64 Object File Format, version 1.5: the offsets below are those of its figures.
    private const int SHT_SYMTAB = 2, SHT_DYNSYM = 11;
    private const uint PT_LOAD = 1;
    private const int STT_FUNC = 2, STT_GNU_IFUNC = 10;
    private const int SymbolSize = 24; // st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64

    /// <summary>The functions among <paramref name="names"/> that <paramref name="path"/> defines
    /// (undefined imports do not count). Throws <see cref="InvalidDataException"/> for a file that
    /// is not a 64-bit little-endian ELF file or whose tables point outside it.</summary>
    public static IReadOnlyDictionary<string, ElfFunction> FindFunctions(string path, IReadOnlyCollection<string> names)
    {
        using var file = File.OpenRead(path);
        long length = file.Length;
        if (length < 64) throw new InvalidDataException($"{path} is not an ELF file (too short)");
        using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        unsafe
        {
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            try
            {
                return Find(new ReadOnlySpan<byte>(start + view.PointerOffset, checked((int)Math.Min(length, int.MaxValue))), path, names);
            }
            finally
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
            }
        }
    }

    private static Dictionary<string, ElfFunction> Find(ReadOnlySpan<byte> elf, string path, IReadOnlyCollection<string> names)
    {
        if (!elf[..4].SequenceEqual("\u007FELF"u8))
            throw new InvalidDataException($"{path} is not an ELF file");
        if (elf[4] != 2 /* ELFCLASS64 */ || elf[5] != 1 /* ELFDATA2LSB */)
            throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file");

        var segments = LoadSegments(elf, path);
        ulong sectionTable = U64(elf, 0x28);
        int sectionSize = U16(elf, 0x3A), sectionCount = U16(elf, 0x3C);
        var wanted = names.ToDictionary(n => n, n => Encoding.ASCII.GetBytes(n));
        var found = new Dictionary<string, ElfFunction>();

        // .dynsym lists what the file exports; .symtab (absent when stripped) adds local symbols.
        foreach (int tableType in new[] { SHT_DYNSYM, SHT_SYMTAB })
        {
            if (found.Count == wanted.Count) break;
            for (int i = 0; i < sectionCount; i++)
            {
                var header = Slice(elf, sectionTable + (ulong)(i * sectionSize), 64, path);
                if (U32(header, 4) != tableType) continue;
                var strings = StringTable(elf, sectionTable, sectionSize, (int)U32(header, 0x28), path);
                var symbols = Slice(elf, U64(header, 0x18), U64(header, 0x20), path);
                for (int at = 0; at + SymbolSize <= symbols.Length; at += SymbolSize)
                {
                    var symbol = symbols.Slice(at, SymbolSize);
                    int type = symbol[4] & 0xF;
                    ushort sectionIndex = U16(symbol, 6);
                    ulong address = U64(symbol, 8);
                    if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sectionIndex == 0 /* SHN_UNDEF: an import */ || address == 0) continue;
                    uint nameAt = U32(symbol, 0);
                    if (nameAt >= strings.Length) continue;
                    var name = strings[(int)nameAt..];
                    int end = name.IndexOf((byte)0);
                    if (end < 0) continue;
                    name = name[..end];
                    foreach (var (wantedName, bytes) in wanted)
                    {
                        if (!name.SequenceEqual(bytes) || found.ContainsKey(wantedName)) continue;
                        if (FileOffset(segments, address) is { } offset)
                            found[wantedName] = new ElfFunction(wantedName, address, offset);
                    }
                }
            }
        }
        return found;
    }

    private readonly record struct Segment(ulong Offset, ulong Address, ulong FileSize);

    private static List<Segment> LoadSegments(ReadOnlySpan<byte> elf, string path)
    {
        ulong table = U64(elf, 0x20);
        int size = U16(elf, 0x36), count = U16(elf, 0x38);
        var segments = new List<Segment>();
        for (int i = 0; i < count; i++)
        {
            var header = Slice(elf, table + (ulong)(i * size), 56, path);
            if (U32(header, 0) == PT_LOAD)
                segments.Add(new Segment(U64(header, 0x08), U64(header, 0x10), U64(header, 0x20)));
        }
        return segments;
    }

    /// <summary>vaddr → file offset through the PT_LOAD segment that maps it; this is what makes
    /// non-PIE executables (node, loaded at 0x400000) and shared objects alike work.</summary>
    private static ulong? FileOffset(List<Segment> segments, ulong address)
    {
        foreach (var s in segments)
            if (address >= s.Address && address < s.Address + s.FileSize)
                return address - s.Address + s.Offset;
        return null;
    }

    private static ReadOnlySpan<byte> StringTable(ReadOnlySpan<byte> elf, ulong sectionTable, int sectionSize, int index, string path)
    {
        var header = Slice(elf, sectionTable + (ulong)(index * sectionSize), 64, path);
        return Slice(elf, U64(header, 0x18), U64(header, 0x20), path);
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, ulong offset, ulong length, string path)
    {
        if (offset > (ulong)elf.Length || length > (ulong)elf.Length - offset)
            throw new InvalidDataException($"{path}: ELF table at offset {offset} runs past the end of the file");
        return elf.Slice((int)offset, (int)length);
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}
