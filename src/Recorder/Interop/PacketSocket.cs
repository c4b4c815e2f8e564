using System.Runtime.InteropServices;

namespace Capture.Recorder.Interop;

/// <summary>The libc calls and kernel structs of an AF_PACKET socket with a TPACKET_V3 receive
/// ring (linux/if_packet.h, Documentation/networking/packet_mmap.rst).</summary>
internal static unsafe partial class PacketSocket
{
    public const int AfPacket = 17, SockDgram = 2;
    public const ushort EthPAll = 0x0003;
    public const int SolSocket = 1, SoAttachFilter = 26;
    public const int SolPacket = 263, PacketRxRing = 5, PacketStatistics = 6, PacketVersion = 10, TpacketV3 = 2;
    public const uint TpStatusKernel = 0, TpStatusUser = 1;
    public const byte PacketHost = 0, PacketOutgoing = 4;
    public const int ProtRead = 1, ProtWrite = 2, MapShared = 1, MapLocked = 0x2000;
    public const short PollIn = 1;
    /// <summary>TPACKET_ALIGN(sizeof(struct tpacket3_hdr)): where struct sockaddr_ll follows each packet's header.</summary>
    public const int SockaddrLlOffset = 48;

    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketReq3
    {
        public uint BlockSize, BlockCount, FrameSize, FrameCount, RetireBlockTimeoutMs, SizeofPriv, FeatureReqWord;
    }

    /// <summary>struct tpacket_block_desc with its tpacket_hdr_v1.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BlockDescriptor
    {
        public uint Version, OffsetToPriv;
        public uint BlockStatus, PacketCount, OffsetToFirstPacket, BlockLength;
        public ulong SeqNum;
        public uint FirstSec, FirstNsec, LastSec, LastNsec;
    }

    /// <summary>struct tpacket3_hdr (48 bytes with its padding).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Tpacket3Header
    {
        public uint NextOffset, Sec, Nsec, SnapLength, Length, Status;
        public ushort Mac, Net;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol; // network byte order
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public fixed byte Address[8];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SockFilter
    {
        public ushort Code;
        public byte JumpTrue, JumpFalse;
        public uint K;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events, Revents;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, ref uint length);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, SockaddrLl* address, uint length);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "if_indextoname")]
    public static partial nint IfIndexToName(uint index, byte* name);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    public static string InterfaceName(int index)
    {
        byte* name = stackalloc byte[16];
        return IfIndexToName((uint)index, name) == 0 ? $"if{index}" : Marshal.PtrToStringUTF8((nint)name)!;
    }
}
