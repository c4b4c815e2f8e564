namespace Capture.Hpack;

/// <summary>
/// The Huffman code for string literals, RFC 7541 §5.2 and Appendix B. The code is canonical: codes of one
/// length are consecutive and sort by symbol, and each length's first code follows the last shorter code. So
/// Appendix B is fully given by the length of each symbol's code, which is all the data below; the codes and
/// the decoding automaton are built from it once.
///
/// Decoding walks the code tree four bits at a time. The tree has 257 leaves and so 256 inner nodes; for each
/// inner node and each nibble, <see cref="Transitions"/> holds the node reached and the symbol completed on the
/// way, if any. No code is shorter than 5 bits, so one nibble completes at most one symbol.
/// </summary>
internal static class HpackHuffman
{
    /// <summary>End of string: never part of a valid string (RFC 7541 §5.2); its code is 30 ones.</summary>
    public const int Eos = 256;

    /// <summary>Appendix B as data: the symbols whose code has each length.</summary>
    private static readonly (int Length, int[] Symbols)[] SymbolsByCodeLength =
    [
        (5, [48, 49, 50, 97, 99, 101, 105, 111, 115, 116]),
        (6, [32, 37, 45, 46, 47, 51, 52, 53, 54, 55, 56, 57, 61, 65, 95, 98, 100, 102, 103, 104, 108, 109, 110, 112, 114, 117]),
        (7, [58, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 89, 106, 107, 113, 118, 119, 120, 121, 122]),
        (8, [38, 42, 44, 59, 88, 90]),
        (10, [33, 34, 40, 41, 63]),
        (11, [39, 43, 124]),
        (12, [35, 62]),
        (13, [0, 36, 64, 91, 93, 126]),
        (14, [94, 125]),
        (15, [60, 96, 123]),
        (19, [92, 195, 208]),
        (20, [128, 130, 131, 162, 184, 194, 224, 226]),
        (21, [153, 161, 167, 172, 176, 177, 179, 209, 216, 217, 227, 229, 230]),
        (22, [129, 132, 133, 134, 136, 146, 154, 156, 160, 163, 164, 169, 170, 173, 178, 181, 185, 186, 187, 189, 190, 196, 198, 228, 232, 233]),
        (23, [1, 135, 137, 138, 139, 140, 141, 143, 147, 149, 150, 151, 152, 155, 157, 158, 165, 166, 168, 174, 175, 180, 182, 183, 188, 191, 197, 231, 239]),
        (24, [9, 142, 144, 145, 148, 159, 171, 206, 215, 225, 236, 237]),
        (25, [199, 207, 234, 235]),
        (26, [192, 193, 200, 201, 202, 205, 210, 213, 218, 219, 238, 240, 242, 243, 255]),
        (27, [203, 204, 211, 212, 214, 221, 222, 223, 241, 244, 245, 246, 247, 248, 250, 251, 252, 253, 254]),
        (28, [2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127, 220, 249]),
        (30, [10, 13, 22, Eos]),
    ];

    /// <summary>Code of each symbol 0-256, right-aligned in <see cref="CodeLengths"/> bits.</summary>
    public static readonly uint[] Codes = new uint[257];

    /// <summary>Length in bits of each symbol's code.</summary>
    public static readonly byte[] CodeLengths = new byte[257];

    // A transition packs: bits 0-7 the next node, bits 8-16 the symbol completed, bit 17 "a symbol was
    // completed", bit 18 "EOS was completed" (always an error).
    private const int NodeMask = 0xFF;
    private const int SymbolShift = 8, SymbolMask = 0x1FF;
    private const uint Emits = 1u << 17, EmitsEos = 1u << 18;

    private static readonly uint[] Transitions = new uint[256 * 16];
    private static readonly byte[] NodeDepth = new byte[256];
    /// <summary>True for the root and for nodes reached from it by 1-bits only: the prefixes of EOS.</summary>
    private static readonly bool[] NodeOnEosPath = new bool[256];

    static HpackHuffman()
    {
        uint code = 0;
        int length = SymbolsByCodeLength[0].Length;
        foreach (var (codeLength, symbols) in SymbolsByCodeLength)
        {
            code <<= codeLength - length;
            length = codeLength;
            foreach (int symbol in symbols)
            {
                Codes[symbol] = code++;
                CodeLengths[symbol] = (byte)codeLength;
            }
        }
        BuildDecoder();
    }

    private static void BuildDecoder()
    {
        // children[2n + bit]: an inner node's number (> 0), a leaf as ~symbol (< 0), or 0 if not yet made.
        var children = new int[2 * 256];
        int nodes = 1;
        NodeOnEosPath[0] = true;
        for (int symbol = 0; symbol <= Eos; symbol++)
        {
            int node = 0;
            for (int bit = CodeLengths[symbol] - 1; bit >= 0; bit--)
            {
                int slot = 2 * node + (int)((Codes[symbol] >> bit) & 1);
                if (bit == 0)
                {
                    children[slot] = ~symbol;
                    break;
                }
                if (children[slot] == 0)
                {
                    NodeDepth[nodes] = (byte)(NodeDepth[node] + 1);
                    NodeOnEosPath[nodes] = NodeOnEosPath[node] && (slot & 1) == 1;
                    children[slot] = nodes++;
                }
                node = children[slot];
            }
        }

        for (int node = 0; node < 256; node++)
        {
            for (int nibble = 0; nibble < 16; nibble++)
            {
                int at = node;
                uint transition = 0;
                for (int bit = 3; bit >= 0; bit--)
                {
                    int child = children[2 * at + ((nibble >> bit) & 1)];
                    if (child >= 0)
                    {
                        at = child;
                        continue;
                    }
                    int symbol = ~child;
                    transition = symbol == Eos ? EmitsEos : Emits | (uint)symbol << SymbolShift;
                    at = 0;
                    if (symbol == Eos) break;
                }
                Transitions[node * 16 + nibble] = transition | (uint)at;
            }
        }
    }

    /// <summary>The most bytes <paramref name="encodedLength"/> encoded bytes can decode to (5-bit codes are the shortest).</summary>
    public static int MaxDecodedLength(int encodedLength) => (int)((encodedLength * 8L + 4) / 5);

    /// <summary>
    /// Decodes <paramref name="encoded"/> into <paramref name="decoded"/>, which must hold
    /// <see cref="MaxDecodedLength"/> bytes. Returns null and the decoded length, or the reason the string is invalid.
    /// </summary>
    public static string? Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded, out int written)
    {
        written = 0;
        int node = 0;
        foreach (byte b in encoded)
        {
            for (int shift = 4; shift >= 0; shift -= 4)
            {
                uint transition = Transitions[node * 16 + ((b >> shift) & 0xF)];
                if ((transition & EmitsEos) != 0) return "Huffman-encoded string contains the EOS symbol";
                if ((transition & Emits) != 0) decoded[written++] = (byte)((transition >> SymbolShift) & SymbolMask);
                node = (int)(transition & NodeMask);
            }
        }
        // RFC 7541 §5.2: the last symbol is padded with the most significant bits of EOS, at most 7 of them.
        if (!NodeOnEosPath[node]) return "Huffman padding is not a prefix of the EOS symbol (not all ones)";
        if (NodeDepth[node] > 7) return "Huffman padding is longer than 7 bits";
        return null;
    }
}
