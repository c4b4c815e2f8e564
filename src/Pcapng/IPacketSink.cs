namespace Capture.Pcapng;

/// <summary>Where packets go: the file itself (<see cref="PcapngWriter"/>), or something that holds
/// packets back before the file, such as the live recorder's delay buffer that orders real and
/// synthetic packets by time. Interfaces and processes are declared at once (packets refer to them).</summary>
public interface IPacketSink
{
    /// <summary>Adds an Interface Description Block; returns the interface id packets refer to.</summary>
    int AddInterface(ushort linkType, uint snapLength, string name, string description);

    /// <summary>Adds a Darwin Process Info Block (pid and name); returns its index for <see cref="WritePacket"/>.</summary>
    int AddProcess(uint pid, string name);

    /// <summary>An Enhanced Packet Block; <paramref name="timestampNs"/> is nanoseconds since the Unix epoch.</summary>
    void WritePacket(int interfaceId, long timestampNs, ReadOnlySpan<byte> packet, int originalLength,
        PacketDirection direction, string? comment = null, int? processIndex = null);
}
