using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Capture.Pcapng;

/// <summary>Builds one IPv4 or IPv6 packet carrying a TCP segment, with correct IP and TCP
/// checksums (a user who turns on checksum validation keeps reassembly). The packet starts at
/// the IP header (LINKTYPE_RAW).</summary>
public static class TcpSegment
{
    public const byte Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10;
    public const int TcpHeaderLength = 20, Ipv4HeaderLength = 20, Ipv6HeaderLength = 40;
    /// <summary>The most payload one packet may carry: an IPv4 total length (and an IPv6 payload length) is 16 bits.</summary>
    public const int MaxPayload = 65535 - Ipv6HeaderLength - TcpHeaderLength;

    public static byte[] Build(IPAddress source, ushort sourcePort, IPAddress destination, ushort destinationPort,
        uint seq, uint ack, byte flags, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayload) throw new ArgumentException($"a segment carries at most {MaxPayload} bytes", nameof(payload));
        bool v4 = source.AddressFamily == AddressFamily.InterNetwork;
        if (v4 != (destination.AddressFamily == AddressFamily.InterNetwork)) throw new ArgumentException("source and destination must be the same IP version");
        int ipLength = v4 ? Ipv4HeaderLength : Ipv6HeaderLength;
        int tcpLength = TcpHeaderLength + payload.Length;
        var packet = new byte[ipLength + tcpLength];
        var ip = packet.AsSpan(0, ipLength);
        var tcp = packet.AsSpan(ipLength);

        if (v4)
        {
            ip[0] = 0x45; // version 4, header length 5 words
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)packet.Length);
            BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // don't fragment
            ip[8] = 64; // TTL
            ip[9] = (byte)ProtocolType.Tcp;
            source.TryWriteBytes(ip[12..16], out _);
            destination.TryWriteBytes(ip[16..20], out _);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip, 0));
        }
        else
        {
            ip[0] = 0x60; // version 6, traffic class and flow label 0
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)tcpLength);
            ip[6] = (byte)ProtocolType.Tcp;
            ip[7] = 64; // hop limit
            source.TryWriteBytes(ip[8..24], out _);
            destination.TryWriteBytes(ip[24..40], out _);
        }

        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], ack);
        tcp[12] = TcpHeaderLength / 4 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535); // window
        payload.CopyTo(tcp[TcpHeaderLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum(tcp, PseudoHeaderSum(ip, v4, tcpLength)));
        return packet;
    }

    /// <summary>The sum of the pseudo-header the TCP checksum covers (RFC 9293 3.1, RFC 8200 8.1):
    /// both addresses, the protocol and the TCP length.</summary>
    private static uint PseudoHeaderSum(ReadOnlySpan<byte> ip, bool v4, int tcpLength)
    {
        var addresses = v4 ? ip[12..20] : ip[8..40];
        uint sum = Sum(addresses, 0);
        return sum + (uint)ProtocolType.Tcp + (uint)tcpLength;
    }

    /// <summary>The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> bytes, uint initial)
    {
        uint sum = Sum(bytes, initial);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private static uint Sum(ReadOnlySpan<byte> bytes, uint sum)
    {
        int i = 0;
        for (; i + 1 < bytes.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
            if (sum >= 0x8000_0000) sum = (sum & 0xFFFF) + (sum >> 16);
        }
        if (i < bytes.Length) sum += (uint)bytes[i] << 8;
        return sum;
    }
}
