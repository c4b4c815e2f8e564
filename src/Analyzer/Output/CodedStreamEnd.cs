using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Capture.Analyzer.Output;

/// <summary>
/// Whether a compressed body is one whole coded stream: .NET's decompressors stop quietly at the end of their input,
/// cut short or not, and pass over bytes after the stream's end, so a body that decoded without an error may still
/// be only part of what was sent, or not what was sent. Each format's own end marker or check value says.
/// </summary>
internal static class CodedStreamEnd
{
    /// <summary>Why <paramref name="body"/> is not exactly one whole stream in <paramref name="coding"/> that decodes to
    /// <paramref name="decoded"/>, or null when it is.</summary>
    public static string? Problem(string coding, byte[] body, byte[] decoded)
    {
        bool whole = coding switch
        {
            "gzip" or "x-gzip" => GzipTrailerMatches(body, decoded),
            "deflate" when LooksLikeZlib(body) => ZlibTrailerMatches(body, decoded),
            "deflate" => RawDeflateEndsAtTheEnd(body, decoded),
            "br" => BrotliEndsAtTheEnd(body),
            _ => true,
        };
        return whole ? null : $"not one whole {coding} stream: cut short, damaged or followed by other bytes; decoded as far as it goes";
    }

    /// <summary>RFC 1950: CMF says deflate with a window ≤ 32K, and CMF·FLG is a multiple of 31.</summary>
    public static bool LooksLikeZlib(byte[] b) => b.Length >= 2 && (b[0] & 0x0F) == 8 && (b[0] << 8 | b[1]) % 31 == 0;

    /// <summary>
    /// RFC 1952 §2.3.1: a member ends with the CRC-32 of its data and its length mod 2^32, little-endian. The body's last
    /// eight octets must be those of the data the last member decoded to (a body of several members decodes to them all,
    /// the last member's data at the end; the decompressor reaches a member only after the one before it ended).
    /// </summary>
    private static bool GzipTrailerMatches(byte[] body, byte[] decoded)
    {
        if (body.Length < 18) return false; // a 10-octet header and the 8-octet trailer at the least
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(body.Length - 8));
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(body.Length - 4));
        return size <= decoded.Length && Crc32(decoded.AsSpan(decoded.Length - (int)size)) == crc;
    }

    /// <summary>RFC 1950 §2.2: the stream ends with the Adler-32 of all it decodes to, big-endian.</summary>
    private static bool ZlibTrailerMatches(byte[] body, byte[] decoded) =>
        body.Length >= 6 && BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(body.Length - 4)) == Adler32(decoded);

    /// <summary>
    /// Raw deflate (RFC 1951) carries no check value, so the body is put in a zlib wrapper with the Adler-32 of what it
    /// decoded to: zlib reads the trailer only after the deflate stream's final block, and checks it. A stream that ends
    /// where the body does decodes the same with the right trailer and fails on a wrong one; one cut short reads the
    /// trailer's octets as deflate data instead, and one that ends early takes other bytes for the trailer.
    /// </summary>
    private static bool RawDeflateEndsAtTheEnd(byte[] body, byte[] decoded)
    {
        uint adler = Adler32(decoded);
        return Inflates(Wrapped(body, adler), out byte[]? same) && same.AsSpan().SequenceEqual(decoded) &&
               !Inflates(Wrapped(body, ~adler), out _);
    }

    private static byte[] Wrapped(byte[] deflate, uint adler)
    {
        var zlib = new byte[deflate.Length + 6];
        zlib[0] = 0x78; // deflate, 32K window
        zlib[1] = 0x01; // no dictionary, 0x7801 a multiple of 31
        deflate.CopyTo(zlib, 2);
        BinaryPrimitives.WriteUInt32BigEndian(zlib.AsSpan(zlib.Length - 4), adler);
        return zlib;
    }

    private static bool Inflates(byte[] zlib, out byte[]? decoded)
    {
        decoded = null;
        try
        {
            using var decoder = new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress);
            var output = new MemoryStream();
            decoder.CopyTo(output);
            decoded = output.ToArray();
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return false;
        }
    }

    /// <summary>RFC 7932: Brotli's decoder says when the stream's last meta-block ended (Done) and how much input that took.</summary>
    private static bool BrotliEndsAtTheEnd(byte[] body)
    {
        using var decoder = new BrotliDecoder();
        var output = new byte[16 * 1024];
        int read = 0;
        while (true)
        {
            var status = decoder.Decompress(body.AsSpan(read), output, out int consumed, out _);
            read += consumed;
            if (status == OperationStatus.Done) return read == body.Length;
            if (status != OperationStatus.DestinationTooSmall) return false; // NeedMoreData at the input's end, or InvalidData
        }
    }

    private static readonly uint[] CrcTable = MakeCrcTable();

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The CRC-32 of RFC 1952 §8.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFF;
    }

    /// <summary>The Adler-32 of RFC 1950 §8.2.</summary>
    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint Base = 65521;
        uint a = 1, b = 0;
        foreach (byte x in data)
        {
            a = (a + x) % Base;
            b = (b + a) % Base;
        }
        return b << 16 | a;
    }
}
