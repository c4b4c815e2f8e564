using System.IO.Compression;
using System.Text;

namespace Capture.Analyzer.Output;

/// <summary>A body made readable: the content coding undone (gzip, deflate, br), text shown as text,
/// anything else as a hex dump of its start. Transfer coding (chunked) was already undone by the parser.</summary>
internal static class BodyDisplay
{
    public const int MaxTextChars = 64 * 1024;
    public const int HexDumpBytes = 256;
    /// <summary>A bound on what one body decodes to: a few KiB of gzip can inflate to gigabytes.</summary>
    public const int MaxDecodedBytes = 16 * 1024 * 1024;
    /// <summary>The <see cref="Decoded.CodingProblem"/> of a body cut short that decoded as far as it was kept.</summary>
    public const string DecodedToCut = "decoded up to where the captured bytes end";

    /// <param name="CodingProblem">Why <paramref name="Bytes"/> are not the whole decoded body, or not decoded at all.</param>
    public sealed record Decoded(byte[] Bytes, string? Coding, string? CodingProblem)
    {
        /// <summary>The bytes are only the start of the body: it was cut before it was decoded, or its decoding stopped.</summary>
        public bool EndsEarly(bool cutShort) => cutShort || Coding is not null && CodingProblem is not null;
    }

    /// <summary>Undoes Content-Encoding. A body cut short by the capture (<paramref name="cutShort"/>: only its
    /// start was kept, or bytes were lost) decodes as far as it goes.</summary>
    public static Decoded Decode(byte[] body, string? contentEncoding, bool cutShort = false)
    {
        string? coding = contentEncoding?.Trim().ToLowerInvariant();
        if (body.Length == 0 || coding is null or "" or "identity") return new(body, null, null);
        try
        {
            using var input = new MemoryStream(body);
            using Stream decoder = coding switch
            {
                "gzip" or "x-gzip" => new GZipStream(input, CompressionMode.Decompress),
                "deflate" => CodedStreamEnd.LooksLikeZlib(body) ? new ZLibStream(input, CompressionMode.Decompress) : new DeflateStream(input, CompressionMode.Decompress),
                "br" => new BrotliStream(input, CompressionMode.Decompress),
                _ => throw new NotSupportedException(),
            };
            var output = new MemoryStream();
            var buffer = new byte[16 * 1024];
            try
            {
                int n;
                while ((n = decoder.Read(buffer)) > 0 && output.Length < MaxDecodedBytes) output.Write(buffer, 0, n);
                if (n > 0) // the loop stopped at the bound with bytes still to come
                    return new(output.ToArray(), coding, $"decoded only the first {MaxDecodedBytes / (1024 * 1024)} MiB");
            }
            // BrotliStream throws InvalidOperationException on data that is no Brotli.
            catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException)
            {
                // Nothing decoded: the body is not in the coding its header names (a server that labels plain text gzip).
                // Its bytes as sent are all there is to show; an empty "decoded" body would hide what came.
                if (output.Length == 0) return new(body, null, $"not valid {coding}, shown as sent");
                return new(output.ToArray(), coding, cutShort ? DecodedToCut : $"decoded up to where it stops being valid {coding}");
            }
            byte[] decoded = output.ToArray();
            if (cutShort) return new(decoded, coding, DecodedToCut);
            string? problem = CodedStreamEnd.Problem(coding, body, decoded);
            // A stream that ended before anything decoded, as one that failed at once: the bytes sent are what there is.
            if (problem is not null && decoded.Length == 0) return new(body, null, $"not valid {coding}, shown as sent");
            return new(decoded, coding, problem);
        }
        catch (NotSupportedException)
        {
            return new(body, null, $"content coding '{coding}' is not decoded");
        }
    }

    /// <summary>Text when the bytes are UTF-8 without control characters (other than tab, CR, LF).</summary>
    /// <param name="endsEarly">The bytes are only the start of the body (--body-kb, lost bytes, a decoder that stopped):
    /// then they may end in the first bytes of a character whose rest was not kept. A whole body that ends so is not
    /// UTF-8, and shown as text its last bytes would become a replacement character: the bytes sent would be lost.</param>
    public static bool IsText(ReadOnlySpan<byte> bytes, bool endsEarly)
    {
        foreach (byte b in bytes)
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\r' or (byte)'\n') || b == 0x7F) return false;
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return true;
        if (!endsEarly) return false;
        // Up to 3 bytes of a 4-byte character fit before the cut: they must be the start of one (NeedMoreData), not
        // bytes that begin no character at all.
        for (int cut = 1; cut <= 3 && cut < bytes.Length; cut++)
            if (System.Text.Unicode.Utf8.IsValid(bytes[..^cut]))
                return System.Text.Rune.DecodeFromUtf8(bytes[^cut..], out _, out _) == System.Buffers.OperationStatus.NeedMoreData;
        return false;
    }

    /// <param name="endsEarly">As for <see cref="IsText"/>: the bytes are only the start of the body.</param>
    public static void Write(TextWriter output, byte[] bytes, bool endsEarly, string indent)
    {
        if (IsText(bytes, endsEarly))
        {
            string text = Encoding.UTF8.GetString(bytes);
            if (text.Length > MaxTextChars) text = text[..MaxTextChars] + $"… ({text.Length - MaxTextChars} more characters)";
            foreach (var line in text.TrimEnd('\n').Split('\n')) output.WriteLine(indent + TerminalText.Escape(line.TrimEnd('\r'), keepTabs: true));
            return;
        }
        HexDump(output, bytes.AsSpan(0, Math.Min(bytes.Length, HexDumpBytes)), indent);
        if (bytes.Length > HexDumpBytes) output.WriteLine($"{indent}… ({bytes.Length - HexDumpBytes} more bytes)");
    }

    private static void HexDump(TextWriter output, ReadOnlySpan<byte> bytes, string indent)
    {
        for (int row = 0; row < bytes.Length; row += 16)
        {
            var line = bytes.Slice(row, Math.Min(16, bytes.Length - row));
            var hex = new StringBuilder();
            var ascii = new StringBuilder();
            for (int i = 0; i < 16; i++)
            {
                hex.Append(i < line.Length ? $"{line[i]:x2} " : "   ");
                if (i < line.Length) ascii.Append(line[i] is >= 0x20 and < 0x7F ? (char)line[i] : '.');
            }
            output.WriteLine($"{indent}{row:x4}  {hex}{ascii}");
        }
    }
}
