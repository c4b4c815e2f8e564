using Capture.Tests.Support;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// `analyze --max-header-block-kb` bounds the memory one field block may take. A block past it was captured whole and
/// sent as the peer meant: only the analyzer did not decode it. Its request (or response) is there, its fields unknown,
/// and `show` says why; it is neither `no_request` nor `malformed`. The block may have changed the HPACK dynamic table, so
/// later blocks that refer to it are flagged `hpack_context_lost`.
/// </summary>
public sealed class FieldBlockOverLimitTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Recording()
    {
        var bigCookie = Get("/a").Incremental("x-trace", "t1").WithoutIndexing(32, new string('c', 3000));
        var rec = new SyntheticRecording(_dir.File("big-block.db"));
        rec.Connection("curl", 30, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Concat(ClientStart, Headers(1, bigCookie, endStream: true)))
            .ServerSends(2, Concat(ServerStart, Headers(1, Status(200), endStream: true)))
            .ClientSends(3, Headers(3, Get("/b").Indexed(62), endStream: true))
            .ServerSends(4, Headers(3, Status(200), endStream: true));
        return rec.Save();
    }

    [Fact]
    public void A_request_whose_field_block_is_over_the_limit_is_there_whole_and_not_a_lost_or_malformed_one()
    {
        string db = Recording();

        var flags = Analyze.ListJson(db, "--max-header-block-kb", "1")
            .Select(e => string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString())));
        Assert.Equal(["", "hpack_context_lost"], flags);
    }

    [Fact]
    public void Show_says_the_fields_were_not_decoded_and_which_limit_they_were_over()
    {
        string db = Recording();

        string shown = Analyze.Output(db, "show", "1", "--max-header-block-kb", "1");
        Assert.Contains("  (request fields not decoded) http://", shown);
        Assert.Matches(@"  note        request field block of 30\d\d bytes is over --max-header-block-kb 1: its fields were not decoded", shown);
    }
}
