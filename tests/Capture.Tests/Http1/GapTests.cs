using Capture.Analyzer.Http1;
using static Capture.Tests.Http1.ParserHarness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http1;

/// <summary>
/// Lost bytes (Gap): inside a body of known length, or one that runs until close, the parser steps over them; anywhere
/// else the message ends Incomplete|Gap and the parser resynchronises on the next plausible start line.
/// Uncaptured bytes (the tail of a call cut by the per-call cap, or sendfile) moved on the wire in order; only their
/// content is unknown. Where the framing measures them (a body of known length, one chunk's data, a body that runs
/// until close) the parser steps over them; where they hide the framing (a head, a chunk-size line) the message runs on
/// to the next start line found after a hole, or to the end of the stream. It is flagged Gap and never Incomplete:
/// nothing was lost, so nothing suggests it was cut short. Uncaptured bytes past a message's end began the next message
/// (more than the CRLF a client may send after a body): it is reported with no start line, running on the same way.
/// </summary>
public sealed class GapTests
{
    private sealed record Case(Http1MessageKind Kind, StreamOp[] Script, string[] Expected);

    private const string Chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"; // head ends at 47

    private static StreamOp Cut(long count) => new StreamOp.Uncaptured(count);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["gap inside a Content-Length body: the message completes, flagged Gap"] = new(Http1MessageKind.Request,
            Script("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 4, "xyzGET /b HTTP/1.1\r\n\r\n"),
            [
                "POST /a HTTP/1.1 start=0 head=40 end=50 body=10 flags=Gap headers=[Content-Length: 10] preview=\"abc\"",
                "GET /b HTTP/1.1 start=50 head=69 end=69 body=0 flags=None headers=",
            ]),

        ["gap past the end of a Content-Length body: the message completes, the next one is found by resync"] = new(Http1MessageKind.Request,
            Script("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 20, "rest of a lost request\r\n\r\nGET /c HTTP/1.1\r\n\r\n"),
            [
                "POST /a HTTP/1.1 start=0 head=40 end=50 body=10 flags=Gap headers=[Content-Length: 10] preview=\"abc\"",
                "GET /c HTTP/1.1 start=89 head=108 end=108 body=0 flags=None headers=",
            ]),

        ["gap inside a head: Incomplete|Gap at the gap, then resync to the next request"] = new(Http1MessageKind.Request,
            Script("GET /a HTTP/1.1\r\nHo", 10, "st: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
            [
                "GET /a HTTP/1.1 start=0 head=19 end=19 body=0 flags=Gap, Incomplete headers=",
                "GET /b HTTP/1.1 start=38 head=57 end=57 body=0 flags=None headers=",
            ]),

        ["gap inside a start line: no message, resync to the next request"] = new(Http1MessageKind.Request,
            Script("GET /lo", 3, "ng HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\n"),
            ["GET /x HTTP/1.1 start=25 head=44 end=44 body=0 flags=None headers="]),

        ["gap of whole messages between messages: the message after it starts right at the gap's end"] = new(Http1MessageKind.Request,
            Script("GET /a HTTP/1.1\r\n\r\n", 19, "GET /c HTTP/1.1\r\n\r\n"),
            [
                "GET /a HTTP/1.1 start=0 head=19 end=19 body=0 flags=None headers=",
                "GET /c HTTP/1.1 start=38 head=57 end=57 body=0 flags=None headers=",
            ]),

        ["gap inside chunk data: stepped over, the chunked message completes flagged Gap"] = new(Http1MessageKind.Request,
            Script(Chunked + "a\r\n0123", 3, "789\r\n0\r\n\r\n"),
            ["POST / HTTP/1.1 start=0 head=47 end=67 body=10 flags=Chunked, Gap headers=[Transfer-Encoding: chunked] preview=\"0123\""]),

        ["gap across chunk framing: Incomplete|Gap, then resync"] = new(Http1MessageKind.Request,
            Script(Chunked + "3\r\nab", 10, "xx\r\n0\r\n\r\nGET /n HTTP/1.1\r\n\r\n"),
            [
                "POST / HTTP/1.1 start=0 head=47 end=52 body=2 flags=Chunked, Gap, Incomplete headers=[Transfer-Encoding: chunked] preview=\"ab\"",
                "GET /n HTTP/1.1 start=71 head=90 end=90 body=0 flags=None headers=",
            ]),

        ["gap in a close-delimited body: stepped over, the close still ends it, flagged Gap"] = new(Http1MessageKind.Response,
            Script("HTTP/1.1 200 OK\r\n\r\nabc", 5, "def\r\nHTTP/1.1 500 Quoted in the body\r\n\r\n", new StreamOp.Close()),
            ["HTTP/1.1 200 \"OK\" start=0 head=19 end=67 body=48 flags=CloseDelimited, Gap headers= preview=\"abc\""]),

        ["capture that began mid-stream resynchronises on the first status line"] = new(Http1MessageKind.Response,
            Script(1000, "dy of an earlier response\r\nHTTP/1.1 204 No Content\r\n\r\n"),
            ["HTTP/1.1 204 \"No Content\" start=1027 head=1054 end=1054 body=0 flags=None headers="]),

        ["head cut by the cap: the response runs to the next status line that begins a call"] = new(Http1MessageKind.Response,
            Script("HTTP/1.1 200 OK\r\nServer: ng", Cut(100), "body bytes\r\nof the same response", Cut(50),
                "HTTP/1.1 204 No Content\r\n\r\n", new StreamOp.Close()),
            [
                "HTTP/1.1 200 \"OK\" start=0 head=209 end=209 body=0 flags=Gap headers=",
                "HTTP/1.1 204 \"No Content\" start=209 head=236 end=236 body=0 flags=None headers=",
            ]),

        ["head cut by the cap in the last response: it ends with the stream, not Incomplete"] = new(Http1MessageKind.Response,
            Script("HTTP/1.1 200 OK\r\nServer: ng", Cut(1000), "tail", new StreamOp.Close()),
            ["HTTP/1.1 200 \"OK\" start=0 head=1031 end=1031 body=0 flags=Gap headers="]),

        ["request head cut by the cap: the request runs to the next request line"] = new(Http1MessageKind.Request,
            Script("GET /a HTTP/1.1\r\nCookie: aaaa", Cut(300), "GET /b HTTP/1.1\r\n\r\n", new StreamOp.Close()),
            [
                "GET /a HTTP/1.1 start=0 head=329 end=329 body=0 flags=Gap headers=",
                "GET /b HTTP/1.1 start=329 head=348 end=348 body=0 flags=None headers=",
            ]),

        ["request line cut by the cap: the request runs to the next request line, its target as far as captured"] = new(Http1MessageKind.Request,
            Script("GET /search?q=aaaa", Cut(300), "GET /b HTTP/1.1\r\n\r\n", new StreamOp.Close()),
            [
                "GET /search?q=aaaa  start=0 head=318 end=318 body=0 flags=Gap headers=",
                "GET /b HTTP/1.1 start=318 head=337 end=337 body=0 flags=None headers=",
            ]),

        ["status line cut by the cap: the response runs to the next status line"] = new(Http1MessageKind.Response,
            Script("HTTP/1.1 200 Everything Is Fi", Cut(100), "HTTP/1.1 204 No Content\r\n\r\n", new StreamOp.Close()),
            [
                "HTTP/1.1 200 \"Everything Is Fi\" start=0 head=129 end=129 body=0 flags=Gap headers=",
                "HTTP/1.1 204 \"No Content\" start=129 head=156 end=156 body=0 flags=None headers=",
            ]),

        ["request line cut by the cap before its method's SP: the request keeps its place, with no request line"] = new(Http1MessageKind.Request,
            Script("GET /a HTTP/1.1\r\n\r\n", "GE", Cut(17), "Host: x\r\n\r\nGET /c HTTP/1.1\r\n\r\n", new StreamOp.Close()),
            [
                "GET /a HTTP/1.1 start=0 head=19 end=19 body=0 flags=None headers=",
                "(request line not captured) start=19 head=49 end=49 body=0 flags=Gap headers=",
                "GET /c HTTP/1.1 start=49 head=68 end=68 body=0 flags=None headers=",
            ]),

        ["status line cut by the cap before its status code: the response keeps its place, with no status line"] = new(Http1MessageKind.Response,
            Script("HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 4", Cut(30), "HTTP/1.1 204 No Content\r\n\r\n", new StreamOp.Close()),
            [
                "HTTP/1.1 204 \"No Content\" start=0 head=27 end=27 body=0 flags=None headers=",
                "(status line not captured) start=27 head=67 end=67 body=0 flags=Gap headers=",
                "HTTP/1.1 204 \"No Content\" start=67 head=94 end=94 body=0 flags=None headers=",
            ]),

        ["status line cut by the cap inside 'HTTP/': the response keeps its place, with no status line"] = new(Http1MessageKind.Response,
            Script("HT", Cut(30), "HTTP/1.1 204 No Content\r\n\r\n", new StreamOp.Close()),
            [
                "(status line not captured) start=0 head=32 end=32 body=0 flags=Gap headers=",
                "HTTP/1.1 204 \"No Content\" start=32 head=59 end=59 body=0 flags=None headers=",
            ]),

        ["bytes cut by the cap that cannot begin a request line (a body that ran long) begin no message"] = new(Http1MessageKind.Request,
            Script("POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", "{\"x", Cut(30), "GET /c HTTP/1.1\r\n\r\n", new StreamOp.Close()),
            [
                "POST /a HTTP/1.1 start=0 head=39 end=42 body=3 flags=None headers=[Content-Length: 3] preview=\"abc\"",
                "GET /c HTTP/1.1 start=75 head=94 end=94 body=0 flags=None headers=",
            ]),

        ["bytes cut by the cap after a gap begin no message, however they begin"] = new(Http1MessageKind.Request,
            Script("GET /a HTTP/1.1\r\n\r\n", 10, "GE", Cut(30), "GET /c HTTP/1.1\r\n\r\n", new StreamOp.Close()),
            [
                "GET /a HTTP/1.1 start=0 head=19 end=19 body=0 flags=None headers=",
                "GET /c HTTP/1.1 start=61 head=80 end=80 body=0 flags=None headers=",
            ]),

        ["chunk framing cut by the cap: the message runs to the next message"] = new(Http1MessageKind.Response,
            Script("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab", Cut(20), "0\r\n\r\n",
                "HTTP/1.1 204 No Content\r\n\r\n", new StreamOp.Close()),
            [
                "HTTP/1.1 200 \"OK\" start=0 head=47 end=77 body=2 flags=Chunked, Gap headers=[Transfer-Encoding: chunked] preview=\"ab\"",
                "HTTP/1.1 204 \"No Content\" start=77 head=104 end=104 body=0 flags=None headers=",
            ]),

        ["uncaptured bytes in a close-delimited body are stepped over: it ends at the close, whole"] = new(Http1MessageKind.Response,
            Script("HTTP/1.1 200 OK\r\n\r\nabc", Cut(5), "def", new StreamOp.Close()),
            ["HTTP/1.1 200 \"OK\" start=0 head=19 end=30 body=11 flags=CloseDelimited, Gap headers= preview=\"abc\""]),

        ["uncaptured tail of a Content-Length body: the message completes with its true length"] = new(Http1MessageKind.Response,
            Script("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", Cut(7), "HTTP/1.1 204 No Content\r\n\r\n"),
            [
                "HTTP/1.1 200 \"OK\" start=0 head=39 end=49 body=10 flags=Gap headers=[Content-Length: 10] preview=\"abc\"",
                "HTTP/1.1 204 \"No Content\" start=49 head=76 end=76 body=0 flags=None headers=",
            ]),

        ["uncaptured bytes past the end of a Content-Length body: a message began in them, with no start line, running to the next"] =
            new(Http1MessageKind.Request,
            Script("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", Cut(27), "st: x\r\n\r\nGET /c HTTP/1.1\r\n\r\n", new StreamOp.Close()),
            [
                "POST /a HTTP/1.1 start=0 head=40 end=50 body=10 flags=Gap headers=[Content-Length: 10] preview=\"abc\"",
                "(request line not captured) start=50 head=79 end=79 body=0 flags=Gap headers=",
                "GET /c HTTP/1.1 start=79 head=98 end=98 body=0 flags=None headers=",
            ]),

        ["uncaptured bytes right after a whole response: a response began in them, and ends with the stream"] = new(Http1MessageKind.Response,
            Script("HTTP/1.1 204 No Content\r\n\r\n", Cut(40), "ot Found\r\n\r\n", new StreamOp.Close()),
            [
                "HTTP/1.1 204 \"No Content\" start=0 head=27 end=27 body=0 flags=None headers=",
                "(status line not captured) start=27 head=79 end=79 body=0 flags=Gap headers=",
            ]),

        ["uncaptured CRLF past the end of a body begins no message (RFC 9112 §2.2)"] = new(Http1MessageKind.Request,
            Script("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", Cut(9), "GET /c HTTP/1.1\r\n\r\n", new StreamOp.Close()),
            [
                "POST /a HTTP/1.1 start=0 head=40 end=50 body=10 flags=Gap headers=[Content-Length: 10] preview=\"abc\"",
                "GET /c HTTP/1.1 start=52 head=71 end=71 body=0 flags=None headers=",
            ]),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void GapGivesTheExpectedMessagesAndNoErrors(string name)
    {
        var c = Cases[name];
        var result = Run(c.Kind, c.Script, Whole);

        Assert.Equal(c.Expected, result.Messages);
        Assert.Empty(result.Errors);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void GapGivesTheSameResultHoweverTheBytesAroundItAreSplit(string name)
    {
        var c = Cases[name];
        string whole = Run(c.Kind, c.Script, Whole).ToString();
        foreach (var (how, split) in AllSplitters())
            Assert.True(whole == Run(c.Kind, c.Script, split).ToString(), $"fed {how}:\n{Run(c.Kind, c.Script, split)}");
    }

    [Fact]
    public void GapAdvancesPosition()
    {
        var parser = new Http1StreamParser(Http1MessageKind.Request);
        parser.Feed("GET /a HT"u8);
        parser.Gap(100);
        parser.Gap(0);
        parser.Gap(-5);

        Assert.Equal(109, parser.Position);
    }

    [Fact]
    public void BodyBytesLostInAGapCountTowardsTheBodyButNotThePreview()
    {
        var parser = new Http1StreamParser(Http1MessageKind.Response);
        parser.Feed("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nab"u8);
        parser.Gap(2);
        parser.Feed("ef"u8);

        var message = Assert.Single(parser.Messages);
        Assert.Equal(6, message.BodyBytes);
        Assert.Equal("ab"u8.ToArray(), message.BodyPreview);
        Assert.Equal(Http1MessageFlags.Gap, message.Flags);
    }
}
