using System.IO.Compression;
using System.Text;
using Capture.Analyzer.Output;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// A compressed body that came whole on the wire (its Content-Length all there) but is not one whole coded stream: the
/// sender cut it short, damaged it, or sent bytes after its end. .NET's decompressors stop quietly at the end of their
/// input, so such a body decodes without an error; each format's end marker or check value (the gzip and zlib trailers,
/// Brotli's last meta-block) shows it, and `show` and HAR say so rather than present part of a body as all of it.
/// </summary>
public sealed class DamagedCompressedBodyTests : IDisposable
{
    private const string NotWhole = "stream: cut short, damaged or followed by other bytes; decoded as far as it goes";
    private static readonly string Text = string.Concat(Enumerable.Range(0, 3000).Select(i => $"line {i} {i * 7919 % 1000}\n"));
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Compress(string coding, string text = "")
    {
        var output = new MemoryStream();
        using (Stream s = coding switch
               {
                   "gzip" => new GZipStream(output, CompressionLevel.Optimal, true),
                   "zlib" => new ZLibStream(output, CompressionLevel.Optimal, true),
                   "raw" => new DeflateStream(output, CompressionLevel.Optimal, true),
                   _ => new BrotliStream(output, CompressionLevel.Optimal, true),
               })
            s.Write(Encoding.UTF8.GetBytes(text.Length > 0 ? text : Text));
        return output.ToArray();
    }

    private static string Header(string coding) => coding is "zlib" or "raw" ? "deflate" : coding;

    public static TheoryData<string> Codings => new() { "gzip", "zlib", "raw", "br" };

    [Theory]
    [MemberData(nameof(Codings))]
    public void A_whole_stream_decodes_with_no_problem(string coding)
    {
        var decoded = BodyDisplay.Decode(Compress(coding), Header(coding));
        Assert.Equal((Text, (string?)null), (Encoding.UTF8.GetString(decoded.Bytes), decoded.CodingProblem));
    }

    [Theory]
    [MemberData(nameof(Codings))]
    public void A_stream_the_sender_cut_short_says_it_is_not_whole(string coding)
    {
        byte[] body = Compress(coding);
        foreach (int cut in new[] { 1, 4, 8, body.Length / 2 })
        {
            var decoded = BodyDisplay.Decode(body[..^cut], Header(coding));
            Assert.True($"not one whole {Header(coding)} {NotWhole}" == decoded.CodingProblem, $"{coding} cut {cut} from its end: {decoded.CodingProblem}");
            Assert.True(decoded.EndsEarly(cutShort: false));
        }
    }

    [Theory]
    [MemberData(nameof(Codings))]
    public void A_stream_with_bytes_after_its_end_says_it_is_not_whole(string coding)
    {
        var decoded = BodyDisplay.Decode([.. Compress(coding), .. "more"u8], Header(coding));
        Assert.Equal($"not one whole {Header(coding)} {NotWhole}", decoded.CodingProblem);
    }

    [Theory]
    [MemberData(nameof(Codings))]
    public void A_stream_cut_before_anything_decoded_is_shown_as_sent_not_as_an_empty_body(string coding)
    {
        byte[] start = Compress(coding)[..2];
        var decoded = BodyDisplay.Decode(start, Header(coding));
        Assert.Equal((start, $"not valid {Header(coding)}, shown as sent"), (decoded.Bytes, decoded.CodingProblem));
    }

    [Fact]
    public void A_gzip_body_of_two_members_is_whole()
    {
        var decoded = BodyDisplay.Decode([.. Compress("gzip", "first\n"), .. Compress("gzip", "second\n")], "gzip");
        Assert.Equal(("first\nsecond\n", (string?)null), (Encoding.UTF8.GetString(decoded.Bytes), decoded.CodingProblem));
    }

    [Fact]
    public void A_brotli_body_damaged_in_its_middle_is_shown_as_sent_and_throws_nothing()
    {
        // BrotliStream throws InvalidOperationException here, where the other decoders throw InvalidDataException.
        byte[] body = Compress("br");
        body[body.Length / 2] ^= 0x55;
        var decoded = BodyDisplay.Decode(body, "br");
        Assert.Equal((body, "not valid br, shown as sent"), (decoded.Bytes, decoded.CodingProblem));
    }

    [Fact]
    public void Show_and_HAR_say_a_whole_response_body_cut_short_by_its_sender_is_not_whole()
    {
        byte[] body = Compress("gzip")[..^8]; // no trailer: the sender stopped before the stream's end
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "cut-gzip.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /log HTTP/1.1\r\nHost: gzip.test\r\n\r\n")
            .ServerSends(2, [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {body.Length}\r\n\r\n"), .. body])
            .Close(3);
        string db = rec.Save();

        Assert.Contains($"(not one whole gzip {NotWhole})", Analyze.Output(db, "show", "1"));
        var (entries, _) = Analyze.Har([db], Path.Combine(_dir.Path, "cut-gzip.har"));
        var content = Assert.Single(entries).GetProperty("response").GetProperty("content");
        Assert.Equal($"not one whole gzip {NotWhole}", content.GetProperty("comment").GetString());
    }
}
