using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// An HTTP/1.1 server may answer before its final response with interim ones (RFC 9110 §15.2): 100 Continue
/// to a request that expects it, 103 Early Hints. They belong to the exchange of the request they answer: its
/// time to first byte runs to the first of them, its response bytes count them, and `show` lists them; the status is
/// the final one.
/// </summary>
public sealed class InterimResponseTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Interim_responses_start_the_response_and_count_in_its_bytes()
    {
        const string Continue = "HTTP/1.1 100 Continue\r\n\r\n", Created = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
        const string Hints = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n", Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "interim.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "POST /upload HTTP/1.1\r\nHost: interim.test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            .ServerSends(1.5, Continue)
            .ClientSends(2, "hello")
            .ServerSends(1001, Created)
            .ClientSends(1100, "GET /page HTTP/1.1\r\nHost: interim.test\r\n\r\n")
            .ServerSends(1102, Hints)
            .ServerSends(1300, Ok);
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db);
        Assert.Equal(["POST /upload 201 ttfb=0.5 duration=1000 resp=" + (Continue.Length + Created.Length),
                      "GET /page 200 ttfb=2 duration=200 resp=" + (Hints.Length + Ok.Length)],
            exchanges.Select(Describe));

        // `show` lists them before the final response, with their fields.
        var hinted = JsonDocument.Parse(Analyze.Output(db, "show", exchanges[1].GetProperty("id").ToString(), "--json")).RootElement;
        var interim = Assert.Single(hinted.GetProperty("interim_responses").EnumerateArray());
        Assert.Equal(103, interim.GetProperty("status").GetInt32());
        Assert.Equal("Early Hints", interim.GetProperty("reason").GetString());
        Assert.Equal([["Link", "</style.css>; rel=preload"]],
            interim.GetProperty("headers").EnumerateArray().Select(f => f.EnumerateArray().Select(v => v.GetString()!).ToArray()));
        Assert.Contains("< interim response 100 Continue\n", Analyze.Output(db, "show", exchanges[0].GetProperty("id").ToString()).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Interim_responses_with_no_final_one_still_answer_their_request_which_stays_incomplete()
    {
        // An upload the server accepted with 100 Continue and then never answered: what a person debugging a hang needs to see.
        const string Continue = "HTTP/1.1 100 Continue\r\n\r\n";
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "no-final.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "POST /upload HTTP/1.1\r\nHost: interim.test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            .ServerSends(1.5, Continue)
            .ClientSends(2, "hello")
            .Close(3001);
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal($"POST /upload  ttfb=0.5 duration=3000 resp={Continue.Length}", Describe(exchange));
        Assert.Equal(["incomplete"], exchange.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains("< interim response 100 Continue\n", Analyze.Output(db, "show", exchange.GetProperty("id").ToString()).ReplaceLineEndings("\n"));
    }

    private static string Describe(JsonElement e) =>
        $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} {e.GetProperty("status")} " +
        $"ttfb={e.GetProperty("ttfb_ms").GetDouble()} duration={e.GetProperty("duration_ms").GetDouble()} resp={e.GetProperty("resp_bytes")}";
}
