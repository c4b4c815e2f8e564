using System.Buffers.Binary;
using System.Text;

namespace Capture.Tests.Pcapng;

/// <summary>An independent, strict reader of the pcapng we write, for tests: it checks what every
/// reader relies on (both length fields equal and a multiple of 4, zero padding, options ending
/// with opt_endofopt) and returns each block's fields and options.</summary>
internal static class PcapngReader
{
    public sealed record Option(ushort Code, byte[] Value)
    {
        public string Text => Encoding.UTF8.GetString(Value);
        public uint UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(Value);
    }

    public sealed record Block(uint Type, byte[] Body, List<Option> Options)
    {
        public string? Text(ushort code) => Options.FirstOrDefault(o => o.Code == code)?.Text;
        public uint? UInt32(ushort code) => Options.FirstOrDefault(o => o.Code == code)?.UInt32;
        public uint Field(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(Body.AsSpan(offset));
    }

    public sealed record Packet(int InterfaceId, long TimestampNs, byte[] Data, uint OriginalLength, Block Block);

    /// <summary>Bytes of the fixed part of each block type's body, before its options.</summary>
    private static int FixedBodyLength(uint type, ReadOnlySpan<byte> body) => type switch
    {
        0x0A0D0D0A => 16,
        1 => 8,
        0x80000001 => 4,
        6 => 20 + Padded((int)BinaryPrimitives.ReadUInt32LittleEndian(body[12..])),
        4 => NameRecordsLength(body),
        _ => body.Length,
    };

    public static List<Block> Blocks(byte[] file)
    {
        var blocks = new List<Block>();
        int offset = 0;
        while (offset < file.Length)
        {
            Assert.True(file.Length - offset >= 12, $"a block at {offset} is cut short");
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset));
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 4));
            Assert.True(length % 4 == 0 && length >= 12, $"block at {offset}: length {length} is not a multiple of 4");
            Assert.Equal((uint)length, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + length - 4)));
            var body = file.AsSpan(offset + 8, length - 12).ToArray();
            int fixedLength = FixedBodyLength(type, body);
            blocks.Add(new Block(type, body, Options(body.AsSpan(fixedLength))));
            offset += length;
        }
        Assert.Equal(0x0A0D0D0Au, blocks[0].Type);
        return blocks;
    }

    public static List<Packet> Packets(List<Block> blocks) => blocks.Where(b => b.Type == 6).Select(b =>
    {
        long ts = (long)((ulong)b.Field(4) << 32 | b.Field(8));
        var data = b.Body.AsSpan(20, (int)b.Field(12)).ToArray();
        Assert.All(b.Body.AsSpan(20 + data.Length, Padded(data.Length) - data.Length).ToArray(), x => Assert.Equal(0, x));
        return new Packet((int)b.Field(0), ts, data, b.Field(16), b);
    }).ToList();

    private static List<Option> Options(ReadOnlySpan<byte> bytes)
    {
        var options = new List<Option>();
        if (bytes.IsEmpty) return options;
        int offset = 0;
        while (true)
        {
            Assert.True(bytes.Length - offset >= 4, "options run past the block without opt_endofopt");
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(bytes[offset..]);
            ushort length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(offset + 2)..]);
            offset += 4;
            if (code == 0)
            {
                Assert.Equal(0, length);
                Assert.Equal(bytes.Length, offset); // nothing after opt_endofopt
                return options;
            }
            options.Add(new Option(code, bytes.Slice(offset, length).ToArray()));
            Assert.All(bytes.Slice(offset + length, Padded(length) - length).ToArray(), x => Assert.Equal(0, x));
            offset += Padded(length);
        }
    }

    private static int NameRecordsLength(ReadOnlySpan<byte> body)
    {
        int offset = 0;
        while (true)
        {
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(body[offset..]);
            ushort length = BinaryPrimitives.ReadUInt16LittleEndian(body[(offset + 2)..]);
            offset += 4 + Padded(length);
            if (type == 0) return offset;
        }
    }

    public static List<(ushort Type, byte[] Value)> NameRecords(Block block)
    {
        var records = new List<(ushort, byte[])>();
        for (int offset = 0; ;)
        {
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(block.Body.AsSpan(offset));
            ushort length = BinaryPrimitives.ReadUInt16LittleEndian(block.Body.AsSpan(offset + 2));
            if (type == 0) return records;
            records.Add((type, block.Body.AsSpan(offset + 4, length).ToArray()));
            offset += 4 + Padded(length);
        }
    }

    public static int Padded(int length) => (length + 3) & ~3;
}
