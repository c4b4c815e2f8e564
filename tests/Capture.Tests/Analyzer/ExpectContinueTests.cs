using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// A client that sends `Expect: 100-continue` waits for 100 (Continue) before it sends the content; when a final status
/// (417 Expectation Failed, 401, 413) comes instead, it does not send it (RFC 9110 §10.1.1) and closes the connection.
/// That request is over, not cut short: the exchange is not `incomplete`. The response is framed like any other
/// (RFC 9112 §6.3): a 417 with neither Content-Length nor Transfer-Encoding runs until the connection closes, so it is
/// whole where the recording saw the close, and `incomplete` where it did not (more of its body may have followed).
/// </summary>
public sealed class ExpectContinueTests : IDisposable
{
    private const string Upload = "POST /upload HTTP/1.1\r\nHost: expect.test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")]
    [InlineData("HTTP/1.1 413 Content Too Large\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    public void A_request_whose_content_a_final_response_refused_before_it_was_sent_is_not_incomplete(string refusal)
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "refused.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Upload).ServerSends(2, refusal).Close(3);

        Assert.Equal($"POST /upload {refusal[9..12]} req={Upload.Length} []", Describe(Assert.Single(Analyze.ListJson(rec.Save()))));
    }

    [Theory]
    [InlineData(true, "")]
    [InlineData(false, "incomplete")]
    public void A_417_with_no_length_runs_until_the_connection_closes_and_is_incomplete_if_the_recording_saw_no_close(bool closed, string flags)
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, $"close-delimited-{closed}.db"));
        var conn = rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Upload).ServerSends(2, "HTTP/1.1 417 Expectation Failed\r\n\r\nno expectations here");
        if (closed) conn.Close(3);

        Assert.Equal($"POST /upload 417 req={Upload.Length} [{flags}]", Describe(Assert.Single(Analyze.ListJson(rec.Save()))));
    }

    [Fact]
    public void A_request_whose_content_was_cut_off_after_it_began_stays_incomplete()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "cut.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Upload).ServerSends(2, "HTTP/1.1 100 Continue\r\n\r\n").ClientSends(3, "he")
            .ServerSends(4, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n").Close(5);

        Assert.Equal($"POST /upload 413 req={Upload.Length + 2} [incomplete]", Describe(Assert.Single(Analyze.ListJson(rec.Save()))));
    }

    private static string Describe(JsonElement e) =>
        $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} {e.GetProperty("status")} " +
        $"req={e.GetProperty("req_bytes")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]";
}
