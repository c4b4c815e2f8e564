namespace Capture.Recorder.Redaction;

/// <summary>Percent-encoding undone (RFC 3986 §2.1): each %XX becomes the octet it stands for, as a char of the same
/// value (the text is octets read as Latin-1); a '%' not followed by two hex digits stays as it is.</summary>
internal static class PercentDecoding
{
    /// <summary>Decodes <paramref name="text"/> in place and returns its decoded length, never more than its own.</summary>
    public static int DecodeInPlace(Span<char> text)
    {
        int written = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && HexValue(text[i + 1]) is int high and >= 0 && HexValue(text[i + 2]) is int low and >= 0)
            {
                text[written++] = (char)(high * 16 + low);
                i += 2;
            }
            else text[written++] = text[i];
        }
        return written;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
