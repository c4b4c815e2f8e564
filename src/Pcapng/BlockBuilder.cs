using System.Buffers.Binary;
using System.Text;

namespace Capture.Pcapng;

/// <summary>Builds one pcapng block in memory: type, length, body, options, length again, every
/// field padded to 32 bits. The writer hands the finished bytes to the file in one write, so a
/// file cut short ends at a block boundary.</summary>
public sealed class BlockBuilder
{
    private byte[] _buffer = new byte[256];
    private int _length;
    private bool _hasOptions;

    public BlockBuilder Start(uint blockType)
    {
        _length = 0;
        _hasOptions = false;
        UInt32(blockType);
        UInt32(0); // total length, filled in by Finish
        return this;
    }

    public BlockBuilder UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);
        return this;
    }

    public BlockBuilder UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);
        return this;
    }

    public BlockBuilder Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);
        return this;
    }

    /// <summary>Raw bytes followed by zeros up to the next 32-bit boundary.</summary>
    public BlockBuilder Padded(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Reserve(PaddingFor(bytes.Length)).Clear();
        return this;
    }

    public BlockBuilder Option(ushort code, ReadOnlySpan<byte> value)
    {
        _hasOptions = true;
        UInt16(code);
        UInt16(checked((ushort)value.Length));
        return Padded(value);
    }

    public BlockBuilder Option(ushort code, string? text) =>
        string.IsNullOrEmpty(text) ? this : Option(code, Encoding.UTF8.GetBytes(text));

    public BlockBuilder Option(ushort code, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Option(code, bytes);
    }

    /// <summary>Ends the options (if any), writes the trailing length and returns the whole block.</summary>
    public ReadOnlySpan<byte> Finish()
    {
        if (_hasOptions) UInt32(0); // opt_endofopt: code 0, length 0
        int total = _length + 4;
        UInt32((uint)total);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(4), (uint)total);
        return _buffer.AsSpan(0, _length);
    }

    public static int PaddingFor(int length) => (4 - length % 4) % 4;

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
