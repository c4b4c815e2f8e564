namespace Capture.Hpack;

/// <summary>
/// Integer representation, RFC 7541 §5.1: an N-bit prefix, and if it is all ones, continuation octets of 7
/// bits each, least significant first.
///
///   0   1   2   3   4   5   6   7
/// +---+---+---+---+---+---+---+---+
/// | ? | ? | ? | 1   1   1   1   1 |   prefix all ones (here N = 5)
/// +---+---+---+-------------------+
/// | 1 |    Value-(2^N-1) LSB      |
/// +---+---------------------------+
///                ...
/// +---+---------------------------+
/// | 0 |    Value-(2^N-1) MSB      |
/// +---+---------------------------+
///
/// Values are limited to 2^31-1, which bounds the continuation octets at five.
/// </summary>
internal static class HpackInteger
{
    private const byte ContinuationFlag = 0x80;
    private const byte ValueMask = 0x7F;
    /// <summary>A continuation octet at this shift or beyond cannot leave a value below 2^31.</summary>
    private const int MaxShift = 28;

    public static HpackError? Read(ReadOnlySpan<byte> block, ref int pos, int prefixBits, out int value)
    {
        int start = pos;
        int prefixMax = (1 << prefixBits) - 1;
        value = block[pos++] & prefixMax;
        if (value < prefixMax) return null;

        long result = value;
        for (int shift = 0; ; shift += 7)
        {
            if (pos >= block.Length)
                return new(HpackErrorCode.TruncatedInteger, start, "header block ends inside an integer");
            if (shift > MaxShift)
                return new(HpackErrorCode.IntegerOverflow, start, "integer exceeds 2147483647");
            byte b = block[pos++];
            result += (long)(b & ValueMask) << shift;
            if (result > int.MaxValue)
                return new(HpackErrorCode.IntegerOverflow, start, "integer exceeds 2147483647");
            if ((b & ContinuationFlag) == 0)
            {
                value = (int)result;
                return null;
            }
        }
    }
}
