namespace Capture.Analyzer.Http1;

/// <summary>
/// chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; chunk-size = 1*HEXDIG (RFC 9112 §7.1).
/// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ) is ignored (§7.1.1).
/// </summary>
internal static class ChunkSizeLine
{
    public static string? Parse(ReadOnlySpan<byte> line, out long size)
    {
        size = 0;
        int i = 0;
        for (; i < line.Length; i++)
        {
            int digit = HexValue(line[i]);
            if (digit < 0) break;
            if (size > (long.MaxValue >> 4)) return "invalid chunk size: too large";
            size = (size << 4) | (uint)digit;
        }
        if (i == 0) return "invalid chunk size: not a hexadecimal number";
        while (i < line.Length && Http1Syntax.IsOws(line[i])) i++;
        if (i < line.Length && line[i] != ';') return "invalid chunk size: unexpected characters after the size";
        return null;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
