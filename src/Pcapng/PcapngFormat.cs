namespace Capture.Pcapng;

/// <summary>The numbers of the pcapng format this writer uses (draft-ietf-opsawg-pcapng,
/// "PCAP Next Generation Capture File Format"), and of Apple's process extension that Wireshark
/// reads. All multi-byte fields are written in the writer's byte order (little endian), which
/// the Section Header's byte-order magic announces.</summary>
public static class PcapngFormat
{
    // Block types (section 4 of the draft).
    public const uint SectionHeaderBlock = 0x0A0D0D0A;
    public const uint InterfaceDescriptionBlock = 0x00000001;
    public const uint NameResolutionBlock = 0x00000004;
    public const uint EnhancedPacketBlock = 0x00000006;
    /// <summary>Apple's Darwin Process Info Block: a pid and a process name. Wireshark reads it
    /// and shows the process of each packet whose EPB names the block's index (<see cref="EpbProcessInfoIndex"/>).
    /// Readers that do not know it skip it, as the format requires for unknown block types.</summary>
    public const uint DarwinProcessInfoBlock = 0x80000001;

    public const uint ByteOrderMagic = 0x1A2B3C4D;
    public const ushort MajorVersion = 1, MinorVersion = 0;

    // Options valid in every block.
    public const ushort OptEndOfOptions = 0;
    public const ushort OptComment = 1;

    // Section Header options.
    public const ushort ShbHardware = 2, ShbOs = 3, ShbUserApplication = 4;

    // Interface Description options.
    public const ushort IfName = 2, IfDescription = 3, IfTimestampResolution = 9;
    /// <summary>if_tsresol value: 10^-9 s, timestamps in nanoseconds.</summary>
    public const byte NanosecondResolution = 9;

    // Enhanced Packet options.
    public const ushort EpbFlags = 2;
    /// <summary>Apple's EPB option: the index, within the section, of the Darwin Process Info Block
    /// of the process that sent or received the packet.</summary>
    public const ushort EpbProcessInfoIndex = 0x8001;
    // epb_flags bits 0-1: 01 inbound, 10 outbound.
    public const uint FlagInbound = 1, FlagOutbound = 2;

    // Darwin Process Info options.
    public const ushort ProcessName = 2;

    // Name Resolution records.
    public const ushort NrbEnd = 0, NrbIpv4 = 1, NrbIpv6 = 2;

    // Link types (tcpdump.org/linktypes.html).
    /// <summary>LINKTYPE_RAW: the packet begins with an IPv4 or IPv6 header (the version nibble says which).</summary>
    public const ushort LinkTypeRaw = 101;
    /// <summary>LINKTYPE_LINUX_SLL2: Linux cooked capture v2, carrying interface index and packet direction.</summary>
    public const ushort LinkTypeLinuxSll2 = 276;
}
