namespace Capture.Recorder.Redaction;

/// <summary>How many octets of a real IP packet are headers (IP and TCP), the part kept when payloads are not.</summary>
internal static class PacketHeaders
{
    private const byte ProtocolTcp = 6;
    private const int Ipv6HeaderLength = 40, MinTcpHeaderLength = 20;

    /// <summary>The packet's headers, and its payload only when that begins with a TLS record header (RFC 8446 §5.1:
    /// content type 20-23, legacy version 3.x), which is ciphertext after the handshake and no secret before it.</summary>
    public static ReadOnlySpan<byte> WithoutPlaintext(ReadOnlySpan<byte> packet)
    {
        int headers = Length(packet);
        var payload = packet[headers..];
        bool tlsRecord = payload.Length >= 3 && payload[0] is >= 20 and <= 23 && payload[1] == 3 && payload[2] <= 4;
        return tlsRecord ? packet : packet[..headers];
    }

    public static int Length(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty) return 0;
        int ip;
        byte next;
        switch (packet[0] >> 4)
        {
            case 4: // RFC 791: IHL, in 32-bit words, is the low nibble of the first octet
                ip = (packet[0] & 0x0F) * 4;
                next = packet.Length > 9 ? packet[9] : (byte)0;
                break;
            case 6: // RFC 8200: a fixed 40-octet header; Next Header at octet 6 (extension headers are not followed)
                ip = Ipv6HeaderLength;
                next = packet.Length > 6 ? packet[6] : (byte)0;
                break;
            default:
                return 0;
        }
        if (next != ProtocolTcp || packet.Length < ip + MinTcpHeaderLength) return Math.Min(ip, packet.Length);
        int tcp = (packet[ip + 12] >> 4) * 4; // RFC 9293: Data Offset, in 32-bit words
        return Math.Min(ip + Math.Max(tcp, MinTcpHeaderLength), packet.Length);
    }
}
