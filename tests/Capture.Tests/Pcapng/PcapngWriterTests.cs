using System.Net;
using System.Text;
using Capture.Pcapng;

namespace Capture.Tests.Pcapng;

/// <summary>The pcapng writer, read back with an independent strict reader.</summary>
public sealed class PcapngWriterTests
{
    private static List<PcapngReader.Block> Write(Action<PcapngWriter> body)
    {
        var stream = new MemoryStream();
        using (var writer = new PcapngWriter(stream, "capture tests")) body(writer);
        return PcapngReader.Blocks(stream.ToArray());
    }

    [Fact]
    public void The_section_header_announces_little_endian_version_1_0_an_unknown_length_and_the_application()
    {
        var shb = Write(_ => { })[0];
        Assert.Equal(0x1A2B3C4Du, shb.Field(0));
        Assert.Equal(1, BitConverter.ToUInt16(shb.Body, 4));
        Assert.Equal(0, BitConverter.ToUInt16(shb.Body, 6));
        Assert.Equal(-1L, BitConverter.ToInt64(shb.Body, 8));
        Assert.Equal("capture tests", shb.Text(PcapngFormat.ShbUserApplication));
        Assert.StartsWith("Linux", shb.Text(PcapngFormat.ShbOs));
    }

    [Fact]
    public void An_interface_has_its_link_type_snap_length_name_description_and_nanosecond_resolution()
    {
        var idb = Write(w => Assert.Equal(0, w.AddInterface(PcapngFormat.LinkTypeLinuxSll2, 65535, "lo", "loopback")))[1];
        Assert.Equal(1u, idb.Type);
        Assert.Equal(276u, idb.Field(0) & 0xFFFF);
        Assert.Equal(65535u, idb.Field(4));
        Assert.Equal("lo", idb.Text(PcapngFormat.IfName));
        Assert.Equal("loopback", idb.Text(PcapngFormat.IfDescription));
        Assert.Equal([9], idb.Options.Single(o => o.Code == PcapngFormat.IfTimestampResolution).Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(1501)]
    public void A_packet_of_any_length_is_padded_and_keeps_its_bytes_timestamp_flags_comment_and_process(int length)
    {
        var data = Enumerable.Range(0, length).Select(i => (byte)(i * 7 + 1)).ToArray();
        const long ts = 1_763_836_800_123_456_789; // nanoseconds since the epoch: needs both 32-bit halves
        var blocks = Write(w =>
        {
            w.AddInterface(PcapngFormat.LinkTypeLinuxSll2, 0, "a", "b");
            int process = w.AddProcess(4242, "curl");
            w.WritePacket(0, ts, data, length + 10, PacketDirection.Outbound, "pid=4242 comm=curl é", process);
            w.WritePacket(0, ts + 1, data, length, PacketDirection.Inbound);
        });
        var process = blocks.Single(b => b.Type == PcapngFormat.DarwinProcessInfoBlock);
        Assert.Equal(4242u, process.Field(0));
        Assert.Equal("curl", process.Text(PcapngFormat.ProcessName));

        var packets = PcapngReader.Packets(blocks);
        Assert.Equal(2, packets.Count);
        var first = packets[0];
        Assert.Equal(0, first.InterfaceId);
        Assert.Equal(ts, first.TimestampNs);
        Assert.Equal(data, first.Data);
        Assert.Equal((uint)length + 10, first.OriginalLength);
        Assert.Equal(PcapngFormat.FlagOutbound, first.Block.UInt32(PcapngFormat.EpbFlags));
        Assert.Equal("pid=4242 comm=curl é", first.Block.Text(PcapngFormat.OptComment));
        Assert.Equal(0u, first.Block.UInt32(PcapngFormat.EpbProcessInfoIndex));
        Assert.Equal(PcapngFormat.FlagInbound, packets[1].Block.UInt32(PcapngFormat.EpbFlags));
        Assert.Null(packets[1].Block.Text(PcapngFormat.OptComment));
        Assert.Null(packets[1].Block.UInt32(PcapngFormat.EpbProcessInfoIndex));
    }

    [Fact]
    public void A_packet_on_an_interface_never_described_is_refused()
    {
        using var writer = new PcapngWriter(new MemoryStream(), "t");
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WritePacket(0, 0, [1], 1, PacketDirection.Inbound));
    }

    [Fact]
    public void Each_block_reaches_the_stream_in_one_write_so_a_cut_file_ends_on_a_block_boundary()
    {
        var stream = new WriteCountingStream();
        using var writer = new PcapngWriter(stream, "t");
        writer.AddInterface(PcapngFormat.LinkTypeLinuxSll2, 0, "a", "b");
        writer.WritePacket(0, 1, new byte[3000], 3000, PacketDirection.Outbound, "c", writer.AddProcess(1, "p"));
        Assert.Equal(4, stream.Writes.Count);
        int offset = 0;
        foreach (var size in stream.Writes)
        {
            Assert.Equal(size, BitConverter.ToInt32(stream.ToArray(), offset + 4));
            offset += size;
        }
    }

    [Fact]
    public void Name_resolution_records_carry_ipv4_and_ipv6_addresses_with_their_names()
    {
        var nrb = Write(w => w.WriteNames([(IPAddress.Parse("127.0.0.1"), "localhost"), (IPAddress.IPv6Loopback, "ip6-localhost")]))
            .Single(b => b.Type == PcapngFormat.NameResolutionBlock);
        var records = PcapngReader.NameRecords(nrb);
        Assert.Equal(2, records.Count);
        Assert.Equal(PcapngFormat.NrbIpv4, records[0].Type);
        Assert.Equal([127, 0, 0, 1, .. "localhost\0"u8], records[0].Value);
        Assert.Equal(PcapngFormat.NrbIpv6, records[1].Type);
        Assert.Equal(IPAddress.IPv6Loopback.GetAddressBytes(), records[1].Value[..16]);
        Assert.Equal("ip6-localhost\0", Encoding.UTF8.GetString(records[1].Value[16..]));
    }

    private sealed class WriteCountingStream : MemoryStream
    {
        public List<int> Writes { get; } = [];
        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);
        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes.Add(count);
            base.Write(buffer, offset, count);
        }
    }
}
