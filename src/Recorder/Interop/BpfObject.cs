using System.Runtime.InteropServices;

namespace Capture.Recorder.Interop;

/// <summary>Owns a libbpf bpf_object: open → configure → load. Programs and maps are borrowed
/// views into it and must not outlive it; links are owned separately (<see cref="BpfLink"/>).</summary>
internal sealed class BpfObject : SafeHandle
{
    private BpfObject(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Libbpf.ObjectClose(handle);
        return true;
    }

    public static BpfObject Open(string path)
    {
        LibbpfLog.Clear();
        nint obj = Libbpf.ObjectOpenFile(path, 0);
        if (obj == 0) throw LibbpfException.FromErrno("open BPF object", path, Marshal.GetLastPInvokeError());
        return new BpfObject(obj);
    }

    public IEnumerable<BpfProgram> Programs()
    {
        for (nint p = Libbpf.ObjectNextProgram(handle, 0); p != 0; p = Libbpf.ObjectNextProgram(handle, p))
            yield return new BpfProgram(p);
    }

    public BpfMap Map(string name)
    {
        for (nint m = Libbpf.ObjectNextMap(handle, 0); m != 0; m = Libbpf.ObjectNextMap(handle, m))
        {
            var mapName = Libbpf.Utf8(Libbpf.MapName(m)) ?? "";
            // Internal maps are named "<object prefix>.rodata" and so on.
            if (mapName == name || (name.StartsWith('.') && mapName.EndsWith(name, StringComparison.Ordinal)))
                return new BpfMap(m, mapName);
        }
        throw new InvalidOperationException($"map {name} is not in the BPF object: rebuild bpf/ (make -C bpf)");
    }

    public void Load()
    {
        LibbpfLog.Clear();
        int rc = Libbpf.ObjectLoad(handle);
        if (rc != 0) throw LibbpfException.FromErrno("load BPF object", "capture.bpf.o", rc);
    }
}

internal readonly record struct BpfProgram(nint Pointer)
{
    public string Name => Libbpf.Utf8(Libbpf.ProgramName(Pointer)) ?? "?";
    public string Section => Libbpf.Utf8(Libbpf.ProgramSectionName(Pointer)) ?? "?";
    public void SetAutoload(bool autoload) => Libbpf.ProgramSetAutoload(Pointer, autoload);

    public BpfLink Attach()
    {
        LibbpfLog.Clear();
        nint link = Libbpf.ProgramAttach(Pointer);
        if (link == 0) throw LibbpfException.FromErrno("attach program", $"{Name} ({Section})", Marshal.GetLastPInvokeError());
        return new BpfLink(link);
    }

    /// <summary>Attaches to <paramref name="function"/> in <paramref name="binary"/> for every process
    /// (pid -1), now and later; <paramref name="cookie"/> is what bpf_get_attach_cookie returns.
    /// With <paramref name="fileOffset"/> the function is where the caller found it (our own ELF
    /// reader); without, libbpf looks the name up in the file's symbols.</summary>
    public unsafe BpfLink AttachUprobe(string binary, string function, bool returnProbe, ulong cookie, ulong? fileOffset = null)
    {
        LibbpfLog.Clear();
        var name = fileOffset is null ? Marshal.StringToCoTaskMemUTF8(function) : 0;
        try
        {
            var opts = new Libbpf.UprobeOptions
            {
                Size = (nuint)sizeof(Libbpf.UprobeOptions),
                Cookie = cookie,
                ReturnProbe = returnProbe,
                FunctionName = name,
            };
            nint link = Libbpf.ProgramAttachUprobe(Pointer, -1, binary, (nuint)(fileOffset ?? 0), &opts);
            if (link == 0) throw LibbpfException.FromErrno("attach uprobe", $"{Name} to {function} in {binary}", Marshal.GetLastPInvokeError());
            return new BpfLink(link);
        }
        finally
        {
            Marshal.FreeCoTaskMem(name);
        }
    }
}

internal readonly record struct BpfMap(nint Pointer, string Name)
{
    public int Fd => Libbpf.MapFd(Pointer);

    public void SetMaxEntries(uint entries)
    {
        int rc = Libbpf.MapSetMaxEntries(Pointer, entries);
        if (rc != 0) throw LibbpfException.FromErrno("resize map", Name, rc);
    }

    /// <summary>The map's size as it will be created: libbpf rounds a ring buffer's up to a power-of-two number of pages.</summary>
    public uint MaxEntries => Libbpf.MapMaxEntries(Pointer);

    /// <summary>Writes the struct into the map's initial value (for .rodata, before load).</summary>
    public unsafe void WriteInitialValue<T>(in T value) where T : unmanaged
    {
        nint data = Libbpf.MapInitialValue(Pointer, out nuint size);
        if (data == 0 || (int)size < sizeof(T))
            throw new InvalidOperationException($"map {Name} holds {size} bytes, {typeof(T).Name} needs {sizeof(T)}: bpf/capture.h and its C# mirror differ");
        *(T*)data = value;
    }

    /// <summary>Takes every entry out of a hash map keyed by u64 whose values are <typeparamref name="T"/>. The keys are
    /// listed first, then each is taken with its value: a key deleted during the listing would restart it.</summary>
    public unsafe List<T> TakeAll<T>() where T : unmanaged
    {
        if (Libbpf.MapValueSize(Pointer) != sizeof(T))
            throw new InvalidOperationException($"map {Name} holds values of {Libbpf.MapValueSize(Pointer)} bytes, {typeof(T).Name} has {sizeof(T)}: bpf/capture.h and its C# mirror differ");
        var keys = new List<ulong>();
        ulong key = 0, next;
        ulong* previous = null; // the first call gets the first key
        while (Libbpf.MapGetNextKey(Fd, previous, &next) == 0 && keys.Count < MaxTakenPerCall)
        {
            keys.Add(next);
            key = next;
            previous = &key;
        }
        var values = new List<T>(keys.Count);
        foreach (ulong k in keys)
        {
            ulong taken = k;
            T value;
            if (Libbpf.MapLookupAndDeleteElem(Fd, &taken, &value) == 0) values.Add(value);
        }
        return values;
    }

    /// <summary>Bounds one <see cref="TakeAll{T}"/>: far above any map it reads; the next call takes the rest.</summary>
    private const int MaxTakenPerCall = 1 << 16;

    /// <summary>Sums a per-CPU array's u64 slot 0 over every possible CPU.</summary>
    public unsafe ulong SumPerCpuCounter(int possibleCpus)
    {
        uint key = 0;
        var values = stackalloc ulong[possibleCpus];
        if (Libbpf.MapLookupElem(Fd, &key, values) != 0) return 0;
        ulong total = 0;
        for (int i = 0; i < possibleCpus; i++) total += values[i];
        return total;
    }
}

internal sealed class BpfLink : SafeHandle
{
    internal BpfLink(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle() => Libbpf.LinkDestroy(handle) == 0 || true;
}
