using System.Text;

namespace Capture.Analyzer.Output;

/// <summary>
/// One body as HAR shows it: its content coding undone, as text or as bytes, with the size HAR asks for, and
/// a comment whenever the text is not the whole body, so that an importer never shows part of a body as all of it.
/// </summary>
/// <param name="Size">HAR's content.size: the decoded length when it is known, else the decoded bytes that are.</param>
/// <param name="Compression">Bytes the content coding saved; null when the decoded length is not known.</param>
internal sealed record HarBody(byte[] Decoded, bool IsText, long Size, long? Compression, string? Comment)
{
    /// <param name="kept">The body's first bytes as recorded (--body-kb, or up to bytes the capture lost).</param>
    /// <param name="wireBytes">The body's length on the wire (after transfer coding), lost bytes included.</param>
    /// <param name="unfinished">The exchange did not finish in the recording, so the body may have been cut there.</param>
    public static HarBody Of(byte[] kept, long wireBytes, string? contentEncoding, bool unfinished)
    {
        bool cut = kept.Length < wireBytes;
        var decoded = BodyDisplay.Decode(kept, contentEncoding, cut);
        bool decodedWhole = decoded.Coding is not null && !cut && decoded.CodingProblem is null;

        var comments = new List<string>();
        if (cut) comments.Add(Partial(kept.Length, wireBytes, decoded.Coding));
        // A cut body decodes only as far as it was kept; Partial says that already. Any other problem is news.
        if (decoded.CodingProblem is { } problem && !(cut && problem == BodyDisplay.DecodedToCut)) comments.Add(problem);
        if (unfinished) comments.Add("the exchange did not finish in the recording, so the body may end early");

        return new HarBody(
            decoded.Bytes,
            BodyDisplay.IsText(decoded.Bytes, decoded.EndsEarly(cut || unfinished)),
            // Without a content coding the wire length is the body's length, kept whole or not.
            Size: decoded.Coding is null ? wireBytes : decoded.Bytes.Length,
            Compression: decodedWhole ? Math.Max(0, decoded.Bytes.Length - wireBytes) : null,
            Comment: comments.Count > 0 ? string.Join("; ", comments) : null);
    }

    /// <summary>The body as HAR text: UTF-8 when it is text, else base64 (which only content can mark as such).</summary>
    public string Text => IsText ? Encoding.UTF8.GetString(Decoded) : Convert.ToBase64String(Decoded);

    private static string Partial(long kept, long wireBytes, string? coding)
    {
        const string Why = "(the rest was not kept: --body-kb, or lost: see _flags)";
        if (kept == 0) return $"partial: none of the body's {wireBytes} bytes on the wire was kept {Why}";
        string first = kept % 1024 == 0 ? $"{kept / 1024} KiB" : $"{kept} bytes";
        return coding is null
            ? $"partial: the text is the first {first} of a body of {wireBytes} bytes on the wire {Why}"
            : $"partial: the text is decoded from the first {first} of a {coding} body of {wireBytes} bytes on the wire {Why}; its decoded size is not known";
    }
}
