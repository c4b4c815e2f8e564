namespace Capture.Hpack;

/// <summary>Why a header block (RFC 7541) could not be decoded to its end.</summary>
internal enum HpackErrorCode
{
    /// <summary>Index 0, or an index past the static table (61 entries) and the dynamic table (RFC 7541 §2.3.3).</summary>
    InvalidIndex,
    /// <summary>An integer (RFC 7541 §5.1) larger than 2^31-1, or with more continuation octets than such a value needs.</summary>
    IntegerOverflow,
    /// <summary>The block ends while an integer still has its continuation bit set (RFC 7541 §5.1).</summary>
    TruncatedInteger,
    /// <summary>The block ends before a string literal's declared length (RFC 7541 §5.2).</summary>
    TruncatedString,
    /// <summary>A Huffman-coded string holds the EOS symbol, or its padding is longer than 7 bits or not all ones (RFC 7541 §5.2).</summary>
    InvalidHuffman,
    /// <summary>A dynamic table size update above SETTINGS_HEADER_TABLE_SIZE of the decoder's side (RFC 7541 §6.3).</summary>
    TableSizeUpdateTooLarge,
    /// <summary>A dynamic table size update after the first header field representation of a block (RFC 7541 §4.2).</summary>
    TableSizeUpdateNotAtStart,
}

/// <summary>A decoding error at <paramref name="Offset"/>, the start of the offending representation within the block.</summary>
internal sealed record HpackError(HpackErrorCode Code, int Offset, string Message);

/// <summary>
/// What one header block decoded to. <see cref="UnknownCount"/> fields referred to dynamic table entries that
/// the capture never saw (see <see cref="HpackDecoder.StartWithUnknownContext"/>): their name is
/// <see cref="HpackDecoder.UnknownName"/>, and their value <see cref="HpackDecoder.UnknownValue"/> unless the
/// block carried it as a literal. After an <see cref="Error"/>, <see cref="Headers"/> holds the fields decoded before it.
/// </summary>
internal sealed record HpackHeaderBlock(IReadOnlyList<KeyValuePair<string, string>> Headers, int UnknownCount, HpackError? Error)
{
    public bool HasUnknown => UnknownCount > 0;
}
