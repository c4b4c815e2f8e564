using System.Text;

namespace Capture.Hpack;

/// <summary>
/// HPACK decoder (RFC 7541) for the header blocks of one direction of one connection. Each call to
/// <see cref="Decode"/> takes one complete header block (a HEADERS or PUSH_PROMISE fragment with its
/// CONTINUATION fragments joined), in the order the blocks were sent, and updates the dynamic table.
/// It never throws on input: an error ends the block and is returned with the fields decoded before it.
/// Strings are decoded as Latin-1, so every octet maps to one char and sizes count octets (RFC 7541 §4.1).
/// </summary>
internal sealed class HpackDecoder
{
    public const int DefaultMaxTableSize = 4096;

    /// <summary>Name of a field whose name was in a dynamic table entry the capture never saw. Not a valid field name.</summary>
    public const string UnknownName = "<unknown>";

    /// <summary>Value of a field (indexed, RFC 7541 §6.1) whose entry the capture never saw.</summary>
    public const string UnknownValue = "<unknown>";

    // RFC 7541 §6: the first octet's high bits select the representation; the rest is an integer's prefix.
    //
    //   0   1   2   3   4   5   6   7
    // +---+---+---+---+---+---+---+---+
    // | 1 |        Index (7+)         |   §6.1 indexed header field
    // +---+---+---+---+---+---+---+---+
    // | 0 | 1 |      Index (6+)       |   §6.2.1 literal with incremental indexing (index 0: literal name)
    // +---+---+---+---+---+---+---+---+
    // | 0 | 0 | 1 |   Max size (5+)   |   §6.3 dynamic table size update
    // +---+---+---+---+---+---+---+---+
    // | 0 | 0 | 0 | 1 |  Index (4+)   |   §6.2.3 literal never indexed
    // +---+---+---+---+---+---+---+---+
    // | 0 | 0 | 0 | 0 |  Index (4+)   |   §6.2.2 literal without indexing
    // +---+---+---+---+---+---+---+---+
    private const byte IndexedMask = 0x80, IndexedPattern = 0x80;
    private const byte IncrementalMask = 0xC0, IncrementalPattern = 0x40;
    private const byte SizeUpdateMask = 0xE0, SizeUpdatePattern = 0x20;

    // RFC 7541 §5.2: a string literal's first octet holds the Huffman flag and a 7-bit length prefix.
    //
    //   0   1   2   3   4   5   6   7
    // +---+---+---+---+---+---+---+---+
    // | H |    String Length (7+)     |
    // +---+---------------------------+
    // |  String Data (Length octets)  |
    // +-------------------------------+
    private const byte HuffmanFlag = 0x80;

    private readonly HpackDynamicTable _table;
    private int _maxTableSize;
    /// <summary>False while SETTINGS_HEADER_TABLE_SIZE may have been changed without the capture seeing it.</summary>
    private bool _maxTableSizeKnown = true;
    private byte[] _scratch = new byte[256];

    /// <param name="maxTableSize">SETTINGS_HEADER_TABLE_SIZE of the decoder's side, in force from the start of the connection.</param>
    /// <param name="maxRetainedBytes">Most octets of table entries kept in memory, whatever the peer advertises.</param>
    public HpackDecoder(int maxTableSize = DefaultMaxTableSize, int maxRetainedBytes = HpackDynamicTable.DefaultMaxRetainedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        _maxTableSize = maxTableSize;
        _table = new HpackDynamicTable(maxTableSize, maxRetainedBytes);
    }

    /// <summary>
    /// A decoder for a connection whose start the capture missed: the dynamic table's contents and size are
    /// unknown. References to entries it did not see inserted decode as <see cref="UnknownName"/> fields, never
    /// as wrong ones; static and literal fields decode normally, and entries inserted from now on are known.
    /// </summary>
    public static HpackDecoder StartWithUnknownContext(int maxRetainedBytes = HpackDynamicTable.DefaultMaxRetainedBytes)
    {
        var decoder = new HpackDecoder(DefaultMaxTableSize, maxRetainedBytes);
        decoder._maxTableSizeKnown = false;
        decoder._table.LoseContext(capacityBound: null);
        return decoder;
    }

    /// <summary>
    /// SETTINGS_HEADER_TABLE_SIZE of the decoder's side: the largest dynamic table size update allowed. Raising
    /// it also raises the bound assumed for the table; lowering it waits for the encoder's size update.
    /// </summary>
    public int MaxTableSize
    {
        get => _maxTableSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxTableSize = value;
            _maxTableSizeKnown = true;
            _table.RaiseCapacityBound(value);
        }
    }

    /// <summary>A SETTINGS frame of the decoder's side was not captured whole: SETTINGS_HEADER_TABLE_SIZE is unknown until
    /// it is set again, and no dynamic table size update is refused as too large meanwhile.</summary>
    public void ForgetMaxTableSize() => _maxTableSizeKnown = false;

    /// <summary>The dynamic table as far as it is known.</summary>
    public HpackDynamicTable Table => _table;

    /// <summary>True while some dynamic table entries may be unknown.</summary>
    public bool ContextLost => _table.HasUnknownEntries;

    /// <summary>Header blocks were missed (a gap, or a block that could not be decoded): forget the dynamic table.</summary>
    public void LoseContext() => _table.LoseContext(_maxTableSizeKnown ? _maxTableSize : null);

    /// <param name="literalValues">When given, receives where each literal value lies in the block (the Recorder's
    /// redaction rewrites them in place).</param>
    public HpackHeaderBlock Decode(ReadOnlySpan<byte> block, List<HpackLiteralValue>? literalValues = null)
    {
        var headers = new List<KeyValuePair<string, string>>();
        var error = Decode(block, literalValues, headers, out int unknown);
        return new HpackHeaderBlock(headers, unknown, error);
    }

    /// <summary>The same, into lists the caller keeps (cleared first). Without <paramref name="headers"/> the fields are
    /// only followed, not collected: values are made into strings only for the dynamic table, so a caller that needs
    /// just the table and the literals' places (the Recorder, on every header block it sees) allocates next to
    /// nothing. Returns the error that stopped decoding, or null.</summary>
    public HpackError? Decode(ReadOnlySpan<byte> block, List<HpackLiteralValue>? literalValues, List<KeyValuePair<string, string>>? headers,
        out int unknownCount)
    {
        headers?.Clear();
        unknownCount = 0;
        bool fieldSeen = false;
        int pos = 0;
        while (pos < block.Length)
        {
            int start = pos;
            byte first = block[pos];
            HpackError? error;
            KeyValuePair<string, string> field = default;
            bool isUnknown = false;
            if ((first & IndexedMask) == IndexedPattern)
            {
                error = ReadIndexed(block, ref pos, out field, out isUnknown);
            }
            else if ((first & SizeUpdateMask) == SizeUpdatePattern)
            {
                error = fieldSeen
                    ? new(HpackErrorCode.TableSizeUpdateNotAtStart, start, "dynamic table size update after the first header field of the block")
                    : ReadSizeUpdate(block, ref pos);
                if (error is null) continue;
            }
            else
            {
                bool index = (first & IncrementalMask) == IncrementalPattern;
                error = ReadLiteral(block, ref pos, index ? 6 : 4, index, literalValues, needValue: index || headers is not null,
                    out field, out isUnknown);
            }
            if (error is not null) return error;
            headers?.Add(field);
            if (isUnknown) unknownCount++;
            fieldSeen = true;
        }
        return null;
    }

    /// <summary>RFC 7541 §6.1.</summary>
    private HpackError? ReadIndexed(ReadOnlySpan<byte> block, ref int pos, out KeyValuePair<string, string> field, out bool isUnknown)
    {
        int start = pos;
        field = default;
        isUnknown = false;
        var error = HpackInteger.Read(block, ref pos, 7, out int index);
        if (error is not null) return error;
        switch (Lookup(index, out field))
        {
            case HpackDynamicTable.Lookup.Invalid:
                return InvalidIndex(start, index);
            case HpackDynamicTable.Lookup.Unknown:
                field = new(UnknownName, UnknownValue);
                isUnknown = true;
                return null;
            default:
                isUnknown = field.Key == UnknownName;
                return null;
        }
    }

    /// <summary>RFC 7541 §6.2.1 (indexed), §6.2.2 and §6.2.3: a literal value, with an indexed or literal name.</summary>
    /// <param name="needValue">False: the value is checked (its Huffman code too) but not made into a string.</param>
    private HpackError? ReadLiteral(ReadOnlySpan<byte> block, ref int pos, int prefixBits, bool index,
        List<HpackLiteralValue>? literalValues, bool needValue, out KeyValuePair<string, string> field, out bool isUnknown)
    {
        int start = pos;
        field = default;
        isUnknown = false;
        var error = HpackInteger.Read(block, ref pos, prefixBits, out int nameIndex);
        if (error is not null) return error;

        string? name;
        if (nameIndex == 0)
        {
            error = ReadString(block, ref pos, needString: true, out name, out _, out _);
            if (error is not null) return error;
        }
        else
        {
            switch (Lookup(nameIndex, out var entry))
            {
                case HpackDynamicTable.Lookup.Invalid:
                    return InvalidIndex(start, nameIndex);
                case HpackDynamicTable.Lookup.Unknown:
                    name = null;
                    break;
                default:
                    name = entry.Key == UnknownName ? null : entry.Key;
                    break;
            }
        }

        error = ReadString(block, ref pos, needValue, out string? value, out int valueStart, out bool huffman);
        if (error is not null) return error;
        literalValues?.Add(new HpackLiteralValue(name, valueStart, pos - valueStart, huffman));
        if (index) _table.Add(name, value!);
        isUnknown = name is null;
        field = new(name ?? UnknownName, value ?? "");
        return null;
    }

    /// <summary>RFC 7541 §6.3.</summary>
    private HpackError? ReadSizeUpdate(ReadOnlySpan<byte> block, ref int pos)
    {
        int start = pos;
        var error = HpackInteger.Read(block, ref pos, 5, out int size);
        if (error is not null) return error;
        if (_maxTableSizeKnown && size > _maxTableSize)
            return new(HpackErrorCode.TableSizeUpdateTooLarge, start,
                $"dynamic table size update to {size} exceeds SETTINGS_HEADER_TABLE_SIZE {_maxTableSize}");
        _table.SetCapacity(size);
        return null;
    }

    /// <summary>RFC 7541 §5.2.</summary>
    private HpackError? ReadString(ReadOnlySpan<byte> block, ref int pos, bool needString, out string? value, out int dataStart, out bool huffman)
    {
        int start = pos;
        value = null;
        dataStart = pos;
        huffman = false;
        if (pos >= block.Length)
            return new(HpackErrorCode.TruncatedString, start, "header block ends before a string literal");
        huffman = (block[pos] & HuffmanFlag) != 0;
        var error = HpackInteger.Read(block, ref pos, 7, out int length);
        if (error is not null) return error;
        int available = block.Length - pos;
        if (length > available)
            return new(HpackErrorCode.TruncatedString, start,
                $"string literal of {length} bytes, but the header block ends after {available}");

        dataStart = pos;
        var data = block.Slice(pos, length);
        pos += length;
        if (!huffman)
        {
            if (needString) value = Recent(data);
            return null;
        }
        int max = HpackHuffman.MaxDecodedLength(length);
        if (_scratch.Length < max) _scratch = new byte[Math.Max(max, _scratch.Length * 2)];
        string? huffmanError = HpackHuffman.Decode(data, _scratch, out int written);
        if (huffmanError is not null) return new(HpackErrorCode.InvalidHuffman, start, huffmanError);
        if (needString) value = Recent(_scratch.AsSpan(0, written));
        return null;
    }

    /// <summary>Short strings decoded lately, by a hash of their octets. Peers send the same values block after block
    /// (a content-length, a date that changes once a second, a path) and often index them anew each time: each would
    /// otherwise be a new string, which under load was nearly all the Recorder allocated.</summary>
    private readonly string?[] _recent = new string?[RecentSlots];
    private const int RecentSlots = 64, RecentMaxLength = 64;

    private string Recent(ReadOnlySpan<byte> latin1)
    {
        if (latin1.Length > RecentMaxLength) return Encoding.Latin1.GetString(latin1);
        var hash = new HashCode();
        hash.AddBytes(latin1);
        ref var slot = ref _recent[(uint)hash.ToHashCode() % RecentSlots];
        if (slot is { } cached && cached.Length == latin1.Length && SameOctets(cached, latin1)) return cached;
        return slot = Encoding.Latin1.GetString(latin1);
    }

    private static bool SameOctets(string latin1String, ReadOnlySpan<byte> octets)
    {
        for (int i = 0; i < octets.Length; i++)
            if (latin1String[i] != octets[i]) return false;
        return true;
    }

    /// <summary>RFC 7541 §2.3.3: 1-61 is the static table, 62 and up the dynamic table, newest first.</summary>
    private HpackDynamicTable.Lookup Lookup(int index, out KeyValuePair<string, string> field)
    {
        field = default;
        if (index == 0) return HpackDynamicTable.Lookup.Invalid;
        if (index <= HpackStaticTable.Count)
        {
            field = HpackStaticTable.Get(index);
            return HpackDynamicTable.Lookup.Found;
        }
        var result = _table.Get(index - HpackStaticTable.Count - 1, out var entry);
        if (result == HpackDynamicTable.Lookup.Found) field = new(entry.Name ?? UnknownName, entry.Value);
        return result;
    }

    private HpackError InvalidIndex(int offset, int index) => new(HpackErrorCode.InvalidIndex, offset, index == 0
        ? "index 0 is not a table index"
        : $"index {index} is past the static table (61 entries) and the dynamic table ({_table.Count} entries)");
}

/// <summary>Where a literal field value's octets (after its length prefix) lie in a header block; <see cref="Name"/>
/// is null when it came from a dynamic table entry the capture never saw.</summary>
internal readonly record struct HpackLiteralValue(string? Name, int Offset, int Length, bool Huffman);
