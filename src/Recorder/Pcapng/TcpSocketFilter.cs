using Capture.Recorder.Interop;

namespace Capture.Recorder.Pcapng;

/// <summary>The classic BPF program the packet socket runs in the kernel: keep TCP over IPv4 and
/// IPv6 (of one port, when given), at most the snap length of each, and drop the outgoing copy
/// of loopback packets (the kernel shows every loopback packet once leaving and once arriving).
/// For a SOCK_DGRAM packet socket, offsets are relative to the network header.</summary>
internal static class TcpSocketFilter
{
    // Opcodes (linux/filter.h, linux/bpf_common.h).
    private const ushort LdW = 0x20, LdH = 0x28, LdB = 0x30, LdHInd = 0x48, LdxMsh = 0xb1, Jeq = 0x15, Jset = 0x45, Ret = 0x06;
    // Ancillary loads: SKF_AD_OFF (-0x1000) + SKF_AD_PROTOCOL / SKF_AD_PKTTYPE / SKF_AD_IFINDEX.
    private const uint AdProtocol = 0xFFFFF000, AdPacketType = 0xFFFFF004, AdInterfaceIndex = 0xFFFFF008;
    private const uint Ipv4 = 0x0800, Ipv6 = 0x86DD, Tcp = 6;

    public static PacketSocket.SockFilter[] Build(ushort? port, uint snapLength, uint loopbackIndex)
    {
        var p = new Program();
        p.Op(LdW, AdPacketType);
        p.Jump(Jeq, PacketSocket.PacketOutgoing, "outgoing", "protocol");
        p.Label("outgoing");
        p.Op(LdW, AdInterfaceIndex);
        p.Jump(Jeq, loopbackIndex, "drop", "protocol");
        p.Label("protocol");
        p.Op(LdH, AdProtocol);
        p.Jump(Jeq, Ipv4, "v4", "not-v4");
        p.Label("not-v4");
        p.Jump(Jeq, Ipv6, "v6", "drop");

        p.Label("v4");
        p.Op(LdB, 9); // IPv4 protocol
        p.Jump(Jeq, Tcp, port is null ? "keep" : "v4-fragment", "drop");
        if (port is { } wanted)
        {
            p.Label("v4-fragment");
            p.Op(LdH, 6); // flags and fragment offset: a later fragment has no TCP header
            p.Jump(Jset, 0x1FFF, "drop", "v4-ports");
            p.Label("v4-ports");
            p.Op(LdxMsh, 0); // X = IPv4 header length
            p.Op(LdHInd, 0); // source port
            p.Jump(Jeq, wanted, "keep", "v4-dst");
            p.Label("v4-dst");
            p.Op(LdHInd, 2); // destination port
            p.Jump(Jeq, wanted, "keep", "drop");
        }

        p.Label("v6");
        p.Op(LdB, 6); // IPv6 next header: TCP directly (extension headers are not followed)
        p.Jump(Jeq, Tcp, port is null ? "keep" : "v6-ports", "drop");
        if (port is { } wanted6)
        {
            p.Label("v6-ports");
            p.Op(LdH, 40);
            p.Jump(Jeq, wanted6, "keep", "v6-dst");
            p.Label("v6-dst");
            p.Op(LdH, 42);
            p.Jump(Jeq, wanted6, "keep", "drop");
        }

        p.Label("keep");
        p.Op(Ret, snapLength);
        p.Label("drop");
        p.Op(Ret, 0);
        return p.Assemble();
    }

    /// <summary>A tiny assembler: jumps name labels, resolved to the relative offsets classic BPF wants.</summary>
    private sealed class Program
    {
        private readonly List<(ushort Code, uint K, string? True, string? False)> _ops = [];
        private readonly Dictionary<string, int> _labels = [];

        public void Op(ushort code, uint k) => _ops.Add((code, k, null, null));
        public void Jump(ushort code, uint k, string whenTrue, string whenFalse) => _ops.Add((code, k, whenTrue, whenFalse));
        public void Label(string name) => _labels[name] = _ops.Count;

        public PacketSocket.SockFilter[] Assemble() => _ops.Select((op, i) => new PacketSocket.SockFilter
        {
            Code = op.Code, K = op.K,
            JumpTrue = op.True is null ? (byte)0 : checked((byte)(_labels[op.True] - i - 1)),
            JumpFalse = op.False is null ? (byte)0 : checked((byte)(_labels[op.False] - i - 1)),
        }).ToArray();
    }
}
