namespace Capture.Recorder.Redaction;

/// <summary>How many octets of a real IP packet are headers (IP and TCP), the part kept when payloads are not.</summary>
internal static class PacketHeaders
{
    private const byte ProtocolTcp = 6;
    private const int Ipv6HeaderLength = 40, MinTcpHeaderLength = 20;

    /// <summary>Octets of IP and TCP headers; the IP header alone (or nothing) for a packet that is not TCP.
    /// <paramref name="tcpStart"/> is where the TCP header starts, or -1 when the packet carries no whole one.</summary>
    public static int Length(ReadOnlySpan<byte> packet, out int tcpStart)
    {
        int ip = IpHeaderLength(packet, out byte next);
        tcpStart = -1;
        if (next != ProtocolTcp || packet.Length < ip + MinTcpHeaderLength) return Math.Min(ip, packet.Length);
        tcpStart = ip;
        int tcp = (packet[ip + 12] >> 4) * 4; // RFC 9293: Data Offset, in 32-bit words
        return Math.Min(ip + Math.Max(tcp, MinTcpHeaderLength), packet.Length);
    }

    private static int IpHeaderLength(ReadOnlySpan<byte> packet, out byte next)
    {
        next = 0;
        if (packet.IsEmpty) return 0;
        switch (packet[0] >> 4)
        {
            case 4: // RFC 791: IHL, in 32-bit words, is the low nibble of the first octet
                if (packet.Length > 9) next = packet[9];
                return (packet[0] & 0x0F) * 4;
            case 6: // RFC 8200: a fixed 40-octet header; Next Header at octet 6 (extension headers are not followed)
                if (packet.Length > 6) next = packet[6];
                return Ipv6HeaderLength;
            default:
                return 0;
        }
    }
}
