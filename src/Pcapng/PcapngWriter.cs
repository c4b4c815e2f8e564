using System.Net;
using System.Net.Sockets;
using static Capture.Pcapng.PcapngFormat;

namespace Capture.Pcapng;

/// <summary>Direction of a packet as the recorded process saw it (epb_flags bits 0-1).</summary>
public enum PacketDirection { Unknown = 0, Inbound = 1, Outbound = 2 }

/// <summary>Writes a pcapng file: one section, its interfaces, process blocks and packets.
/// Every block is built whole in memory and handed to the stream in one Write, so an
/// interrupted writer leaves a file that readers accept up to its last whole block. Open the
/// file unbuffered (FileStream bufferSize 1) for that to hold on disk as well as in the API.</summary>
public sealed class PcapngWriter : IPacketSink, IDisposable
{
    private readonly Stream _stream;
    private readonly BlockBuilder _block = new();
    private int _interfaces, _processes;

    public long PacketsWritten { get; private set; }

    public PcapngWriter(Stream stream, string application)
    {
        _stream = stream;
        _block.Start(SectionHeaderBlock).UInt32(ByteOrderMagic).UInt16(MajorVersion).UInt16(MinorVersion)
            .Int64(-1) // section length not known in advance
            .Option(ShbOs, $"Linux {Environment.OSVersion.Version}")
            .Option(ShbUserApplication, application);
        Emit();
    }

    /// <summary>Adds an Interface Description Block; returns the interface id packets refer to.</summary>
    public int AddInterface(ushort linkType, uint snapLength, string name, string description)
    {
        _block.Start(InterfaceDescriptionBlock).UInt16(linkType).UInt16(0).UInt32(snapLength)
            .Option(IfName, name)
            .Option(IfDescription, description)
            .Option(IfTimestampResolution, [NanosecondResolution]);
        Emit();
        return _interfaces++;
    }

    /// <summary>Adds a Darwin Process Info Block (pid and name); returns its index for <see cref="WritePacket"/>.</summary>
    public int AddProcess(uint pid, string name)
    {
        _block.Start(DarwinProcessInfoBlock).UInt32(pid).Option(ProcessName, name);
        Emit();
        return _processes++;
    }

    /// <summary>An Enhanced Packet Block. <paramref name="timestampNs"/> is nanoseconds since
    /// the Unix epoch (every interface says if_tsresol = 9).</summary>
    public void WritePacket(int interfaceId, long timestampNs, ReadOnlySpan<byte> packet, int originalLength,
        PacketDirection direction, string? comment = null, int? processIndex = null)
    {
        if ((uint)interfaceId >= (uint)_interfaces) throw new ArgumentOutOfRangeException(nameof(interfaceId), "no such interface in this section");
        ulong ts = (ulong)timestampNs;
        _block.Start(EnhancedPacketBlock).UInt32((uint)interfaceId).UInt32((uint)(ts >> 32)).UInt32((uint)ts)
            .UInt32((uint)packet.Length).UInt32((uint)Math.Max(originalLength, packet.Length))
            .Padded(packet)
            .Option(OptComment, comment);
        if (direction != PacketDirection.Unknown) _block.Option(EpbFlags, (uint)direction);
        if (processIndex is { } index) _block.Option(EpbProcessInfoIndex, (uint)index);
        Emit();
        PacketsWritten++;
    }

    /// <summary>A Name Resolution Block: names for addresses (host names a user recognises).</summary>
    public void WriteNames(IEnumerable<(IPAddress Address, string Name)> names)
    {
        _block.Start(NameResolutionBlock);
        Span<byte> address = stackalloc byte[16];
        foreach (var (ip, name) in names)
        {
            var nameBytes = System.Text.Encoding.UTF8.GetBytes(name + "\0");
            ip.TryWriteBytes(address, out int length);
            _block.UInt16(ip.AddressFamily == AddressFamily.InterNetwork ? NrbIpv4 : NrbIpv6).UInt16((ushort)(length + nameBytes.Length));
            var record = new byte[length + nameBytes.Length];
            address[..length].CopyTo(record);
            nameBytes.CopyTo(record, length);
            _block.Padded(record);
        }
        _block.UInt16(NrbEnd).UInt16(0);
        Emit();
    }

    public void Flush() => _stream.Flush();

    private void Emit() => _stream.Write(_block.Finish());

    public void Dispose() => _stream.Dispose();
}
