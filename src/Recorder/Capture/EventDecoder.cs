using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Capture.Recorder.Interop;

namespace Capture.Recorder.Capture;

/// <summary>Turns the raw structs of bpf/capture.h into values the db stores.</summary>
internal static unsafe class EventDecoder
{
    public static readonly int DataHeaderSize = sizeof(DataEvent);
    public static readonly int ConnEventSize = sizeof(ConnEvent);
    public static readonly int TlsBindEventSize = sizeof(TlsBindEvent);

    /// <summary>Read in place: a copy of the whole header per event, to look at one byte of it, showed in the writer's profile.</summary>
    public static EventKind KindOf(ReadOnlySpan<byte> sample) =>
        sample.Length < sizeof(EventHeader) ? 0 : MemoryMarshal.AsRef<EventHeader>(sample).Kind;

    /// <summary>A data event without the unused end of its ring reservation: the kernel reserves small calls in fixed
    /// classes (256 and 2048 bytes of payload), and copying only what data_len fills halves the bytes copied per event.</summary>
    public static ReadOnlySpan<byte> WithoutSlack(ReadOnlySpan<byte> sample)
    {
        if (KindOf(sample) != EventKind.Data || sample.Length < DataHeaderSize) return sample;
        long used = (long)DataHeaderSize + MemoryMarshal.AsRef<DataEvent>(sample).DataLen;
        return used < sample.Length ? sample[..(int)used] : sample;
    }

    public static string Comm(in EventHeader header)
    {
        fixed (byte* comm = header.Comm)
        {
            var span = new ReadOnlySpan<byte>(comm, CaptureAbi.CommLength);
            int end = span.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
        }
    }

    public static (string Local, string Remote, int Family) Addresses(in ConnTuple tuple)
    {
        fixed (byte* local = tuple.LocalAddr)
        fixed (byte* remote = tuple.RemoteAddr)
        {
            int length = tuple.Family == 2 ? 4 : 16;
            return (Format(new ReadOnlySpan<byte>(local, length)), Format(new ReadOnlySpan<byte>(remote, length)), tuple.Family == 2 ? 4 : 6);
        }
    }

    private static string Format(ReadOnlySpan<byte> address)
    {
        var ip = new IPAddress(address);
        // Dual-stack sockets carry IPv4 peers as ::ffff:a.b.c.d; show them as the IPv4 they are.
        return ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4().ToString() : ip.ToString();
    }

    public static string RoleName(ConnRole role) => role switch
    {
        ConnRole.Client => "client",
        ConnRole.Server => "server",
        _ => "unknown",
    };

    public static string TlsLibraryName(TlsLibrary library) => library.ToString().ToLowerInvariant();

    public static string? AttributionName(TlsAttribution attribution) => attribution switch
    {
        TlsAttribution.Syscall => "syscall",
        TlsAttribution.SetFd => "set_fd",
        TlsAttribution.Cache => "cache",
        TlsAttribution.Thread => "thread",
        TlsAttribution.NextWrite => "next_write",
        _ => null,
    };

    // Named once per value: the writer asks for a name on every chunk.
    private static readonly string[] SourceNames = [.. Enumerable.Range(0, 256).Select(i => NameOf((EventSource)i))];

    public static string SourceName(EventSource source) => SourceNames[(byte)source];

    private static string NameOf(EventSource source) => source switch
    {
        EventSource.FirstSeen => "first_seen",
        EventSource.TcpClose => "tcp_close",
        EventSource.TlsRead => "tls_read",
        EventSource.TlsWrite => "tls_write",
        _ => source.ToString().ToLowerInvariant(),
    };
}
