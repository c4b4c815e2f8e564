using Capture.Hpack;

namespace Capture.Recorder.Redaction;

/// <summary>
/// Replaces the secret parts of one field value in place, keeping its length in octets, so stream positions,
/// Content-Length, HTTP/2 frame lengths and HPACK string lengths all stay valid and nothing downstream changes.
/// </summary>
internal sealed class ValueRewriter(RedactionPolicy policy)
{
    private readonly List<Range> _ranges = [];
    private byte[] _decoded = new byte[256];

    /// <summary>A value stored as its octets (HTTP/1, HPACK raw literals).</summary>
    public void Raw(string? name, Span<byte> value)
    {
        _ranges.Clear();
        SecretRanges.Find(policy, name, value, _ranges);
        foreach (var range in _ranges) policy.Hasher.ReplaceInPlace(value[range]);
    }

    /// <summary>A request target ("GET /p?token=x HTTP/1.1" gives "/p?token=x").</summary>
    public void Target(Span<byte> target)
    {
        _ranges.Clear();
        SecretRanges.FindInTarget(policy, target, _ranges);
        foreach (var range in _ranges) policy.Hasher.ReplaceInPlace(target[range]);
    }

    /// <summary>
    /// An HPACK Huffman-coded value (RFC 7541 §5.2) of L octets becomes L octets of valid code again. Kept
    /// characters keep their codes; each secret range's bits are refilled with characters whose codes are 5 and
    /// 6 bits long, as many as fill exactly the bits it had; the last octet is padded with 1-bits (EOS's prefix).
    /// When that cannot come out exact, the whole value is replaced instead.
    /// </summary>
    public void Huffman(string? name, Span<byte> encoded)
    {
        int max = HpackHuffman.MaxDecodedLength(encoded.Length);
        if (_decoded.Length < max) _decoded = new byte[Math.Max(max, _decoded.Length * 2)];
        if (HpackHuffman.Decode(encoded, _decoded, out int length) is not null)
        {
            WholeHuffman(encoded, encoded.ToArray());
            return;
        }
        var plain = _decoded.AsSpan(0, length);
        _ranges.Clear();
        SecretRanges.Find(policy, name, plain, _ranges);
        if (_ranges.Count == 0) return;
        if (!TryRewriteRanges(plain, encoded)) WholeHuffman(encoded, plain.ToArray());
    }

    private bool TryRewriteRanges(ReadOnlySpan<byte> plain, Span<byte> encoded)
    {
        var bits = new HuffmanBits(encoded.Length);
        int next = 0;
        foreach (var range in _ranges)
        {
            var (start, end) = (range.Start.Value, range.End.Value);
            for (; next < start; next++) bits.Symbol(plain[next]);
            int budget = 0;
            for (int i = start; i < end; i++) budget += HpackHuffman.CodeLengths[plain[i]];
            if (!HuffmanFill.Split(budget, out int five, out int six)) return false;
            var symbols = new byte[five + six];
            policy.Hasher.Fill(plain[start..end], symbols.AsSpan(0, six), HuffmanFill.SixBit);
            policy.Hasher.Fill(plain[start..end], symbols.AsSpan(six), HuffmanFill.FiveBit);
            foreach (byte s in symbols) bits.Symbol(s);
            next = end;
        }
        for (; next < plain.Length; next++) bits.Symbol(plain[next]);
        return bits.TryFinish(encoded);
    }

    private void WholeHuffman(Span<byte> encoded, byte[] secret)
    {
        int symbols = encoded.Length * 8 / 5;
        var chars = new byte[symbols];
        policy.Hasher.Fill(secret, chars, HuffmanFill.FiveBit);
        var bits = new HuffmanBits(encoded.Length);
        foreach (byte s in chars) bits.Symbol(s);
        bits.TryFinish(encoded);
    }
}

/// <summary>Characters whose Huffman codes are 5 and 6 bits long and that are safe in any header value,
/// cookie or query string (no space, '%', '/', '=').</summary>
internal static class HuffmanFill
{
    public static readonly byte[] FiveBit = Select(5, "0123456789abcdefghijklmnopqrstuvwxyzA_-."u8);
    public static readonly byte[] SixBit = Select(6, "0123456789abcdefghijklmnopqrstuvwxyzA_-."u8);

    private static byte[] Select(int bits, ReadOnlySpan<byte> safe) =>
        safe.ToArray().Where(c => HpackHuffman.CodeLengths[c] == bits).ToArray();

    /// <summary>five·5 + six·6 = bits exactly (every count from 20 up, and some below).</summary>
    public static bool Split(int bits, out int five, out int six)
    {
        for (six = 0; six < 5; six++)
        {
            int rest = bits - 6 * six;
            if (rest >= 0 && rest % 5 == 0)
            {
                five = rest / 5;
                return true;
            }
        }
        five = six = 0;
        return false;
    }
}

/// <summary>Writes Huffman codes MSB first into a fixed number of octets.</summary>
internal ref struct HuffmanBits(int octets)
{
    private readonly long _capacity = octets * 8L;
    private long _used;
    private ulong _acc;
    private int _accBits;
    private byte[]? _out = new byte[octets];
    private int _written;

    public void Symbol(byte symbol)
    {
        int length = HpackHuffman.CodeLengths[symbol];
        _used += length;
        if (_used > _capacity) return;
        _acc = (_acc << length) | HpackHuffman.Codes[symbol];
        _accBits += length;
        while (_accBits >= 8)
        {
            _accBits -= 8;
            _out![_written++] = (byte)(_acc >> _accBits);
        }
    }

    /// <summary>Pads with 1-bits and copies out, if the codes filled the octets with less than 8 bits to spare.</summary>
    public bool TryFinish(Span<byte> destination)
    {
        long padding = _capacity - _used;
        if (padding < 0 || padding > 7) return false;
        if (_accBits > 0) _out![_written++] = (byte)((_acc << (8 - _accBits)) | (uint)((1 << (8 - _accBits)) - 1));
        _out.AsSpan(0, _written).CopyTo(destination);
        return true;
    }
}
