using Capture.Analyzer.Http1;
using static Capture.Tests.Http1.ParserHarness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http1;

/// <summary>
/// Well-formed streams, each fed whole, byte by byte, at seeded random cuts and at every single cut:
/// every split must give exactly the expected messages (every field, offsets included).
/// </summary>
public sealed class WellFormedStreamTests
{
    private sealed record Case(Http1MessageKind Kind, string Stream, string?[]? Methods, string[] Expected,
        bool Upgraded = false, long UpgradeOffset = -1);

    private const Http1MessageKind Req = Http1MessageKind.Request;
    private const Http1MessageKind Resp = Http1MessageKind.Response;

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["GET without body"] = new(Req,
            "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n", null,
            ["GET /index.html HTTP/1.1 start=0 head=84 end=84 body=0 flags=None headers=[Host: example.com][User-Agent: curl/8.5.0][Accept: */*]"]),

        ["POST with Content-Length"] = new(Req,
            "POST /api/items HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"name\":\"ab\"}", null,
            ["POST /api/items HTTP/1.1 start=0 head=89 end=102 body=13 flags=None headers=[Host: a][Content-Type: application/json][Content-Length: 13] preview=\"{\\\"name\\\":\\\"ab\\\"}\""]),

        ["chunked response with extensions and trailers"] = new(Resp,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Expires\r\n\r\n" +
            "5;name=value\r\nhello\r\n7 ; ext\r\n, world\r\n0\r\nExpires: never\r\nX-Checksum: abc\r\n\r\n", null,
            ["HTTP/1.1 200 \"OK\" start=0 head=65 end=142 body=12 flags=Chunked headers=[Transfer-Encoding: chunked][Trailer: Expires] trailers=[Expires: never][X-Checksum: abc] preview=\"hello, world\""]),

        ["chunked request with bare LF framing and no trailers"] = new(Req,
            "POST /up HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\nabc\nA\n0123456789\n0\n\n", null,
            ["POST /up HTTP/1.1 start=0 head=55 end=77 body=13 flags=Chunked headers=[Transfer-Encoding: gzip, chunked] preview=\"abc0123456789\""]),

        ["keep-alive: three responses on one connection"] = new(Resp,
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc" +
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" +
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi", null,
            [
                "HTTP/1.1 200 \"OK\" start=0 head=38 end=41 body=3 flags=None headers=[Content-Length: 3] preview=\"abc\"",
                "HTTP/1.1 404 \"Not Found\" start=41 head=86 end=86 body=0 flags=None headers=[Content-Length: 0]",
                "HTTP/1.1 200 \"OK\" start=86 head=143 end=145 body=2 flags=None headers=[Content-Length: 2][Connection: close] preview=\"hi\"",
            ]),

        ["pipelined requests"] = new(Req,
            "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nPUT /c HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\ndata", null,
            [
                "GET /a HTTP/1.1 start=0 head=28 end=28 body=0 flags=None headers=[Host: h]",
                "GET /b HTTP/1.1 start=28 head=56 end=56 body=0 flags=None headers=[Host: h]",
                "PUT /c HTTP/1.1 start=56 head=103 end=107 body=4 flags=None headers=[Host: h][Content-Length: 4] preview=\"data\"",
            ]),

        ["response to HEAD has no body despite Content-Length"] = new(Resp,
            "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", ["HEAD", "GET"],
            [
                "HTTP/1.1 200 \"OK\" start=0 head=41 end=41 body=0 flags=None headers=[Content-Length: 1234]",
                "HTTP/1.1 200 \"OK\" start=41 head=79 end=81 body=2 flags=None headers=[Content-Length: 2] preview=\"ok\"",
            ]),

        ["204 has no body even without Content-Length"] = new(Resp,
            "HTTP/1.1 204 No Content\r\nDate: x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!", null,
            [
                "HTTP/1.1 204 \"No Content\" start=0 head=36 end=36 body=0 flags=None headers=[Date: x]",
                "HTTP/1.1 200 \"OK\" start=36 head=74 end=75 body=1 flags=None headers=[Content-Length: 1] preview=\"!\"",
            ]),

        ["304 has no body despite Content-Length"] = new(Resp,
            "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 99\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", null,
            [
                "HTTP/1.1 304 \"Not Modified\" start=0 head=61 end=61 body=0 flags=None headers=[ETag: \"v1\"][Content-Length: 99]",
                "HTTP/1.1 200 \"OK\" start=61 head=99 end=99 body=0 flags=None headers=[Content-Length: 0]",
            ]),

        ["100 Continue is an interim message before the 200"] = new(Resp,
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\ndone.", ["POST"],
            [
                "HTTP/1.1 100 \"Continue\" start=0 head=25 end=25 body=0 flags=None headers=",
                "HTTP/1.1 200 \"OK\" start=25 head=63 end=68 body=5 flags=None headers=[Content-Length: 5] preview=\"done.\"",
            ]),

        ["response without length runs until the connection closes"] = new(Resp,
            "HTTP/1.0 200 OK\r\nServer: old\r\n\r\n<html>bye</html>", null,
            ["HTTP/1.0 200 \"OK\" start=0 head=32 end=48 body=16 flags=CloseDelimited headers=[Server: old] preview=\"<html>bye</html>\""]),

        ["response whose transfer coding is not chunked runs until close"] = new(Resp,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b\x08", null,
            ["HTTP/1.1 200 \"OK\" start=0 head=44 end=47 body=3 flags=CloseDelimited headers=[Transfer-Encoding: gzip] preview=\"\\x1f\\x8b\\x08\""]),

        ["HTTP/1.0 request"] = new(Req,
            "GET / HTTP/1.0\r\n\r\n", null,
            ["GET / HTTP/1.0 start=0 head=18 end=18 body=0 flags=None headers="]),

        ["101 Switching Protocols stops parsing at the end of its head"] = new(Resp,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello" +
            "HTTP/1.1 200 OK\r\n\r\n", null,
            ["HTTP/1.1 101 \"Switching Protocols\" start=0 head=77 end=77 body=0 flags=Upgrade headers=[Upgrade: websocket][Connection: Upgrade]"],
            Upgraded: true, UpgradeOffset: 77),

        ["2xx to CONNECT opens a tunnel"] = new(Resp,
            "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01\x00\x05HTTP/1.1 200 OK\r\n\r\n", ["CONNECT"],
            ["HTTP/1.1 200 \"Connection established\" start=0 head=39 end=39 body=0 flags=Upgrade headers="],
            Upgraded: true, UpgradeOffset: 39),

        ["request with an Upgrade header does not stop the request parser"] = new(Req,
            "GET /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nGET /next HTTP/1.1\r\n\r\n", null,
            [
                "GET /chat HTTP/1.1 start=0 head=63 end=63 body=0 flags=None headers=[Upgrade: websocket][Connection: Upgrade]",
                "GET /next HTTP/1.1 start=63 head=85 end=85 body=0 flags=None headers=",
            ]),

        ["bare LF line endings"] = new(Req,
            "GET /lf HTTP/1.1\nHost: h\nContent-Length: 2\n\nokGET /next HTTP/1.1\n\n", null,
            [
                "GET /lf HTTP/1.1 start=0 head=44 end=46 body=2 flags=None headers=[Host: h][Content-Length: 2] preview=\"ok\"",
                "GET /next HTTP/1.1 start=46 head=66 end=66 body=0 flags=None headers=",
            ]),

        ["empty lines before a request line are skipped"] = new(Req,
            "\r\n\nGET / HTTP/1.1\r\n\r\n", null,
            ["GET / HTTP/1.1 start=3 head=21 end=21 body=0 flags=None headers="]),

        ["status line without reason phrase, with or without the space"] = new(Resp,
            "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", null,
            [
                "HTTP/1.1 200 \"\" start=0 head=35 end=35 body=0 flags=None headers=[Content-Length: 0]",
                "HTTP/1.1 200 \"\" start=35 head=71 end=71 body=0 flags=None headers=[Content-Length: 0]",
            ]),

        ["field values are trimmed, names kept as sent, empty values allowed"] = new(Req,
            "GET / HTTP/1.1\r\nhost:\t h \t\r\nX-Empty:\r\nX-Sp:   \r\n\r\n", null,
            ["GET / HTTP/1.1 start=0 head=50 end=50 body=0 flags=None headers=[host: h][X-Empty: ][X-Sp: ]"]),

        ["repeated identical Content-Length values are one length"] = new(Req,
            "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nxyz", null,
            ["POST / HTTP/1.1 start=0 head=60 end=63 body=3 flags=None headers=[Content-Length: 3, 3][Content-Length: 3] preview=\"xyz\""]),

        ["body bytes that look like HTTP are body"] = new(Req,
            "POST / HTTP/1.1\r\nContent-Length: 20\r\n\r\nGET /x HTTP/1.1\r\n\r\n\x00GET /y HTTP/1.1\r\n\r\n", null,
            [
                "POST / HTTP/1.1 start=0 head=39 end=59 body=20 flags=None headers=[Content-Length: 20] preview=\"GET /x HTTP/1.1\\r\\n\\r\\n\\x00\"",
                "GET /y HTTP/1.1 start=59 head=78 end=78 body=0 flags=None headers=",
            ]),

        ["unknown methods and absolute, authority and asterisk targets"] = new(Req,
            "PROPFIND http://h/dav/ HTTP/1.1\r\n\r\nCONNECT example.com:443 HTTP/1.1\r\n\r\nOPTIONS * HTTP/1.1\r\n\r\n", null,
            [
                "PROPFIND http://h/dav/ HTTP/1.1 start=0 head=35 end=35 body=0 flags=None headers=",
                "CONNECT example.com:443 HTTP/1.1 start=35 head=71 end=71 body=0 flags=None headers=",
                "OPTIONS * HTTP/1.1 start=71 head=93 end=93 body=0 flags=None headers=",
            ]),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    private static ParseResult Run(Case c, Splitter split) =>
        ParserHarness.Run(c.Kind, Script(c.Stream, new StreamOp.Close()), split, c.Methods);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void StreamFedWholeGivesTheExpectedMessages(string name)
    {
        var c = Cases[name];
        var result = Run(c, Whole);

        Assert.Equal(c.Expected, result.Messages);
        Assert.Empty(result.Errors);
        Assert.Equal(c.Upgraded, result.Upgraded);
        Assert.Equal(c.UpgradeOffset, result.UpgradeOffset);
        Assert.Equal(Bytes(c.Stream).Length, result.Position);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void StreamFedByteByByteOrAtRandomCutsGivesTheSameResultAsWhole(string name)
    {
        var c = Cases[name];
        string whole = Run(c, Whole).ToString();
        foreach (var (how, split) in AllSplitters())
            Assert.True(whole == Run(c, split).ToString(), $"fed {how}:\n{Run(c, split)}\nwhole:\n{whole}");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void StreamCutOnceAtAnyOffsetGivesTheSameResultAsWhole(string name)
    {
        var c = Cases[name];
        string whole = Run(c, Whole).ToString();
        for (int cut = 1; cut < Bytes(c.Stream).Length; cut++)
            Assert.True(whole == Run(c, TwoPieces(cut)).ToString(), $"cut at {cut}:\n{Run(c, TwoPieces(cut))}");
    }
}
