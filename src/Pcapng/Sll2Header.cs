using System.Buffers.Binary;
using System.Net.Sockets;

namespace Capture.Pcapng;

/// <summary>The Linux cooked capture v2 header (LINKTYPE_LINUX_SLL2, tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html):
/// protocol, interface index, hardware type, packet type, link-layer address. Every packet Capture
/// writes uses this one link type: libpcap (tcpdump) refuses a file whose interfaces differ in
/// link type, and SLL2 says per packet which interface and which direction.</summary>
public static class Sll2Header
{
    public const int Length = 20;
    public const ushort EtherTypeIpv4 = 0x0800, EtherTypeIpv6 = 0x86DD;
    /// <summary>ARPHRD_NONE: no link-layer header or address (synthetic packets).</summary>
    public const ushort HardwareNone = 0xFFFE;
    // Packet types (PACKET_HOST, PACKET_OUTGOING in linux/if_packet.h).
    public const byte PacketHost = 0, PacketOutgoing = 4;

    /// <summary>An IP packet behind an SLL2 header with no link-layer address.</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> ipPacket, int interfaceIndex, bool outgoing)
    {
        var packet = new byte[Length + ipPacket.Length];
        var header = packet.AsSpan(0, Length);
        bool v4 = ipPacket.Length > 0 && ipPacket[0] >> 4 == 4;
        Write(header, v4 ? EtherTypeIpv4 : EtherTypeIpv6, interfaceIndex, HardwareNone, outgoing ? PacketOutgoing : PacketHost, []);
        ipPacket.CopyTo(packet.AsSpan(Length));
        return packet;
    }

    public static void Write(Span<byte> header, ushort protocol, int interfaceIndex, ushort hardwareType, byte packetType, ReadOnlySpan<byte> address)
    {
        header[..Length].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(header, protocol);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], interfaceIndex);
        BinaryPrimitives.WriteUInt16BigEndian(header[8..], hardwareType);
        header[10] = packetType;
        int length = Math.Min(address.Length, 8);
        header[11] = (byte)length;
        address[..length].CopyTo(header[12..]);
    }
}
