using Capture.Pcapng;
using Capture.Recorder.Redaction;

namespace Capture.Recorder.Pcapng;

/// <summary>
/// While redacting, which real packets keep their payload: those of a TCP connection whose first payload, seen after its
/// handshake, was a TLS ClientHello or ServerHello (RFC 8446 §4: a handshake record holds no secret, and every byte after
/// it is ciphertext). Any other connection keeps only its packets' IP and TCP headers: a plaintext segment may begin with
/// bytes that look like a TLS record (a body's last octets, say), so no single segment can be judged by its own first
/// bytes. A connection whose handshake was not seen (open before the recording began) is judged plaintext: fail closed.
/// </summary>
internal sealed class TlsFlows
{
    /// <summary>Connections followed at once; past this the verdicts are forgotten (those connections keep headers only).</summary>
    public const int MaxFlows = 65536;

    private const byte HandshakeRecord = 22, ClientHello = 1, ServerHello = 2;

    /// <summary>A connection whose handshake was seen: whether its first payload was a TLS hello (false while none came
    /// yet), and how many FINs it carried (it ends with the second, one per side).</summary>
    private readonly record struct Flow(bool Tls, int Fins);

    /// <summary>Connections followed; one judged plaintext, or ended, is dropped.</summary>
    private readonly Dictionary<TcpFlowKey, Flow> _flows = [];

    /// <summary>The packet as the pcapng may hold it: whole for a TLS connection, else its headers alone.</summary>
    public ReadOnlySpan<byte> Redact(ReadOnlySpan<byte> packet)
    {
        int headers = PacketHeaders.Length(packet, out int tcp);
        if (tcp < 0 || TcpFlowKey.FromPacket(packet) is not { } key) return packet[..headers];
        byte flags = packet[tcp + 13];
        if ((flags & TcpSegment.Syn) != 0 && !_flows.ContainsKey(key))
        {
            if (_flows.Count >= MaxFlows) _flows.Clear();
            _flows[key] = new Flow(Tls: false, Fins: 0);
        }
        if (!_flows.TryGetValue(key, out var flow)) return packet[..headers];
        var payload = packet[headers..];
        bool judged = !flow.Tls && !payload.IsEmpty;
        if (judged) flow = flow with { Tls = StartsTlsHello(payload) };
        if ((flags & TcpSegment.Fin) != 0) flow = flow with { Fins = flow.Fins + 1 };
        if ((flags & TcpSegment.Rst) != 0 || flow.Fins >= 2 || (judged && !flow.Tls)) _flows.Remove(key);
        else _flows[key] = flow;
        return flow.Tls ? packet : packet[..headers];
    }

    /// <summary>A handshake record (content type 22, legacy version 3.x) whose first message is a ClientHello or ServerHello.</summary>
    private static bool StartsTlsHello(ReadOnlySpan<byte> payload) =>
        payload.Length >= 6 && payload[0] == HandshakeRecord && payload[1] == 3 && payload[2] <= 4 && payload[5] is ClientHello or ServerHello;
}
