using System.Runtime.InteropServices;

namespace Capture.Recorder.Interop;

// Mirrors of bpf/capture.h, field for field, same names in C# casing.
// tests/Capture.Tests/Abi/BtfLayoutTests.cs checks every offset against the BTF of capture.bpf.o.

internal static class CaptureAbi
{
    public const int CommLength = 16;
    public const int ChunkBytes = 16384;
    public const int MaxLoopSteps = 128;
    public const int DefaultCaptureBytes = 256 * 1024;
    public const int PathLength = 256;
}

internal enum EventKind : byte { Data = 1, ConnOpen = 2, ConnClose = 3, Exec = 4, TlsBind = 5 }

internal enum Direction : byte { Egress = 0, Ingress = 1 }

internal enum ConnRole : byte { Unknown = 0, Client = 1, Server = 2 }

internal enum EventSource : byte
{
    Read = 1, Write = 2, Readv = 3, Writev = 4, Recvfrom = 5, Sendto = 6, Recvmsg = 7, Sendmsg = 8, Sendfile = 9,
    Connect = 20, Accept = 21, FirstSeen = 22, Handshake = 23, Close = 24, TcpClose = 25,
    TlsRead = 30, TlsWrite = 31,
}

internal enum TlsLibrary : byte { None = 0, OpenSsl = 1, GnuTls = 2, Nss = 3 }

internal enum TlsAttribution : byte { None = 0, Syscall = 1, SetFd = 2, Cache = 3, Thread = 4, NextWrite = 5 }

[Flags]
internal enum DataFlags : byte { None = 0, Truncated = 1, Unreadable = 2, Shed = 8 }

[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal unsafe struct ConnTuple
{
    public fixed byte LocalAddr[16];
    public fixed byte RemoteAddr[16];
    public ushort LocalPort;
    public ushort RemotePort;
    public ushort Family;
    public ushort Pad;
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal unsafe struct EventHeader
{
    public ulong TimestampNs;
    public ulong ConnId;
    public uint Pid;
    public uint Tid;
    public int Fd;
    public EventKind Kind;
    public EventSource Source;
    public ConnRole Role;
    public byte Pad;
    public fixed byte Comm[CaptureAbi.CommLength];
    public ConnTuple Tuple;
}

/// <summary>The fixed part of struct data_event; data[] follows it in the sample.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct DataEvent
{
    public EventHeader Header;
    public ulong StreamPos;
    public ulong CallBytes;
    public uint DataLen;
    public Direction Direction;
    public DataFlags Flags;
    public TlsLibrary TlsLibrary;
    public byte Pad;
    // __u8 data[CAPTURE_CHUNK_BYTES] follows
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal unsafe struct ConnEvent
{
    public EventHeader Header;
    public ulong BytesSent;
    public ulong BytesReceived;
    public byte MidStream;
    public TlsLibrary TlsLibrary;
    public TlsAttribution TlsAttribution;
    /// <summary>A TCP_CLOSE's: 1 when bytes the program has not read yet are queued; its reads of them follow this event.</summary>
    public byte UnreadAtTcpClose;
    public fixed byte Pad[4];
}

/// <summary>Names the connection of a thread's held TLS writes (data events with conn_id 0); conn_id 0 here drops them.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct TlsBindEvent
{
    public EventHeader Header;
    public ulong StreamPos;
    public ulong Bytes;
}

/// <summary>sched:sched_process_exec: a process started a new program.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal unsafe struct ExecEvent
{
    public EventHeader Header;
    public fixed byte Filename[CaptureAbi.PathLength];
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal unsafe struct CaptureConfig
{
    public uint MaxCaptureBytes;
    public uint FilterPid;
    public uint SelfPid;
    public ushort FilterPort;
    public byte CaptureAllTcp;
    public byte FilterCommSet;
    public fixed byte FilterComm[CaptureAbi.CommLength];
    public uint RingBytes;
}
