using Capture.Recorder.Interop;

namespace Capture.Recorder.Storage;

/// <summary>
/// Plaintext that a memory-BIO TLS library (node, .NET) was given to write before its socket was known. The kernel
/// sends it at once, with connection 0, and names the connection when the thread next writes to a socket
/// (bpf/capture.h, struct tls_bind_event). Until then it waits here, per thread, within <see cref="MaxHeldBytes"/>.
/// </summary>
internal sealed class HeldTlsWrites
{
    /// <summary>Most bytes held at once; a chunk past it is dropped and counted.</summary>
    public const long MaxHeldBytes = 16L << 20;

    private readonly Dictionary<uint, List<(DataEvent Event, byte[] Bytes)>> _byThread = [];
    private long _heldBytes;

    /// <summary>Chunks dropped: over the bound, named no connection, or still held when the recording ended.</summary>
    public long Dropped { get; private set; }

    public void Hold(in DataEvent ev, ReadOnlySpan<byte> bytes)
    {
        if (_heldBytes + bytes.Length > MaxHeldBytes)
        {
            Dropped++;
            return;
        }
        if (!_byThread.TryGetValue(ev.Header.Tid, out var held)) _byThread[ev.Header.Tid] = held = [];
        held.Add((ev, bytes.ToArray()));
        _heldBytes += bytes.Length;
    }

    /// <summary>The chunks the bind's thread held, placed on the connection it names (its addresses, process and TLS
    /// stream positions); none when it names no connection.</summary>
    public IReadOnlyList<(DataEvent Event, byte[] Bytes)> Bind(in TlsBindEvent bind)
    {
        if (!_byThread.Remove(bind.Header.Tid, out var held)) return [];
        foreach (var (_, bytes) in held) _heldBytes -= bytes.Length;
        if (bind.Header.ConnId == 0)
        {
            Dropped += held.Count;
            return [];
        }
        for (int i = 0; i < held.Count; i++)
        {
            var ev = held[i].Event;
            var header = bind.Header;
            header.TimestampNs = ev.Header.TimestampNs;
            header.Kind = ev.Header.Kind;
            header.Source = ev.Header.Source;
            ev.Header = header;
            ev.StreamPos += bind.StreamPos;
            held[i] = (ev, held[i].Bytes);
        }
        return held;
    }

    /// <summary>The recording ended: what no socket write named is dropped.</summary>
    public void DropAll()
    {
        foreach (var held in _byThread.Values) Dropped += held.Count;
        _byThread.Clear();
        _heldBytes = 0;
    }
}
