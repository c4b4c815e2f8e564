using System.Buffers.Binary;
using System.Net;

namespace Capture.Recorder.Pcapng;

/// <summary>A TCP connection's two endpoints in a form that is the same for both directions and
/// for both sources: a packet's IP and TCP headers, and the addresses a recorded event carries.
/// IPv4 addresses are kept as IPv4-mapped IPv6 (::ffff:a.b.c.d), which is how a dual-stack
/// socket reports an IPv4 peer.</summary>
internal readonly record struct TcpFlowKey(UInt128 LowAddress, ushort LowPort, UInt128 HighAddress, ushort HighPort)
{
    private const byte Tcp = 6;

    public static TcpFlowKey FromEndpoints(IPAddress a, int portA, IPAddress b, int portB) =>
        Ordered(Number(a), (ushort)portA, Number(b), (ushort)portB);

    /// <summary>The key of an IPv4 or IPv6 packet (starting at its IP header) that carries TCP; null for
    /// anything else, a fragment without the TCP header, or IPv6 whose next header is not TCP.</summary>
    public static TcpFlowKey? FromPacket(ReadOnlySpan<byte> ip) => FromPacket(ip, out _);

    /// <param name="fromLowEnd">Whether the packet was sent by the key's low end: which of the connection's two
    /// directions it travels in.</param>
    public static TcpFlowKey? FromPacket(ReadOnlySpan<byte> ip, out bool fromLowEnd)
    {
        fromLowEnd = false;
        if (ip.Length < 1) return null;
        switch (ip[0] >> 4)
        {
            case 4:
                int headerLength = (ip[0] & 0x0F) * 4;
                if (ip.Length < headerLength + 4 || ip[9] != Tcp) return null;
                if ((BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF) != 0) return null; // a later fragment
                return Ordered(Mapped(ip.Slice(12, 4)), BinaryPrimitives.ReadUInt16BigEndian(ip[headerLength..]),
                    Mapped(ip.Slice(16, 4)), BinaryPrimitives.ReadUInt16BigEndian(ip[(headerLength + 2)..]), out fromLowEnd);
            case 6:
                if (ip.Length < 44 || ip[6] != Tcp) return null;
                return Ordered(BinaryPrimitives.ReadUInt128BigEndian(ip[8..]), BinaryPrimitives.ReadUInt16BigEndian(ip[40..]),
                    BinaryPrimitives.ReadUInt128BigEndian(ip[24..]), BinaryPrimitives.ReadUInt16BigEndian(ip[42..]), out fromLowEnd);
            default:
                return null;
        }
    }

    private static TcpFlowKey Ordered(UInt128 a, ushort portA, UInt128 b, ushort portB) => Ordered(a, portA, b, portB, out _);

    private static TcpFlowKey Ordered(UInt128 a, ushort portA, UInt128 b, ushort portB, out bool aIsLow)
    {
        aIsLow = (a, portA).CompareTo((b, portB)) <= 0;
        return aIsLow ? new(a, portA, b, portB) : new(b, portB, a, portA);
    }

    private static UInt128 Mapped(ReadOnlySpan<byte> ipv4) => ((UInt128)0xFFFF << 32) | BinaryPrimitives.ReadUInt32BigEndian(ipv4);

    private static UInt128 Number(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.MapToIPv6().TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }
}
