using Capture.Analyzer.Http1;
using static Capture.Tests.Http1.ParserHarness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http1;

/// <summary>
/// Malformed input: each case gives an exact error (offset, code, message), a Malformed message when a start
/// line was parsed, or was a request's (a server answers a request line it cannot parse, RFC 9112 §3), or began
/// "HTTP/" where a response was due (the client takes it for the answer to its request), and the parser
/// resynchronises on the well-formed message that follows.
/// </summary>
public sealed class MalformedInputTests
{
    private sealed record Case(Http1MessageKind Kind, string Stream, string[] Errors, string[] Messages);

    private const Http1MessageKind Req = Http1MessageKind.Request;
    private const Http1MessageKind Resp = Http1MessageKind.Response;

    /// <summary>A well-formed request (20 bytes) after each bad one, to show the parser recovers.</summary>
    private const string NextRequest = "GET /ok HTTP/1.1\r\n\r\n";
    private static string Ok(long at) => $"GET /ok HTTP/1.1 start={at} head={at + 20} end={at + 20} body=0 flags=None headers=";

    /// <summary>A request line that does not parse begins a request all the same (the server answers it), running to the next.</summary>
    private static string Unparsed(long end) => $"(request line not parsed) start=0 head={end} end={end} body=0 flags=Malformed headers=";

    /// <summary>A well-formed response (38 bytes) after each bad one.</summary>
    private const string NextResponse = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    private static string OkResponse(long at) => $"HTTP/1.1 200 \"OK\" start={at} head={at + 38} end={at + 38} body=0 flags=None headers=[Content-Length: 0]";

    /// <summary>A status line that begins "HTTP/" and does not parse begins a response all the same; its head ends with the empty line.</summary>
    private static string UnparsedResponse(long end) => $"(status line not parsed) start=0 head={end} end={end} body=0 flags=Malformed headers=";

    private const string Chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"; // head ends at 47

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // Request line, RFC 9112 §3
        ["request line without HTTP version"] = new(Req, "GET /\r\nHost: a\r\n\r\n" + NextRequest,
            ["0 InvalidStartLine: invalid request line: missing HTTP version"], [Unparsed(18), Ok(18)]),
        ["method that is not a token"] = new(Req, "G(T / HTTP/1.1\r\n\r\n" + NextRequest,
            ["0 InvalidStartLine: invalid request line: method is not a token"], [Unparsed(18), Ok(18)]),
        ["request line starting with a space"] = new(Req, " / HTTP/1.1\r\n" + NextRequest,
            ["0 InvalidStartLine: invalid request line: empty method"], [Unparsed(13), Ok(13)]),
        ["method alone"] = new(Req, "GET\r\n" + NextRequest,
            ["0 InvalidStartLine: invalid request line: missing request target"], [Unparsed(5), Ok(5)]),
        ["two spaces where the target should be"] = new(Req, "GET  HTTP/1.1\r\n" + NextRequest,
            ["0 InvalidStartLine: invalid request line: empty request target"], [Unparsed(15), Ok(15)]),
        ["space inside the request target"] = new(Req, "GET /a b HTTP/1.1\r\n" + NextRequest,
            ["0 InvalidStartLine: invalid request line: whitespace or control character in request target"], [Unparsed(19), Ok(19)]),
        ["lowercase HTTP version"] = new(Req, "GET / http/1.1\r\n" + NextRequest,
            ["0 InvalidStartLine: invalid request line: malformed HTTP version"], [Unparsed(16), Ok(16)]),
        ["HTTP/2.0 in a request line"] = new(Req, "GET / HTTP/2.0\r\n" + NextRequest,
            ["0 InvalidStartLine: invalid request line: unsupported HTTP version HTTP/2.0"], [Unparsed(16), Ok(16)]),
        ["HTTP/2 prior-knowledge connection preface"] = new(Req, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + NextRequest,
            ["0 InvalidStartLine: invalid request line: HTTP/2 connection preface, not HTTP/1.x"], [Unparsed(24), Ok(24)]),
        ["TLS ClientHello on a plaintext connection"] = new(Req, "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\n" + NextRequest,
            ["0 InvalidStartLine: invalid request line: method is not a token"], [Unparsed(12), Ok(12)]),

        // Status line, RFC 9112 §4
        ["status code with two digits"] = new(Resp, "HTTP/1.1 20 OK\r\n\r\n" + NextResponse,
            ["0 InvalidStartLine: invalid status line: status code is not 3 digits"], [UnparsedResponse(18), OkResponse(18)]),
        ["status code with four digits"] = new(Resp, "HTTP/1.1 2000 OK\r\n\r\n" + NextResponse,
            ["0 InvalidStartLine: invalid status line: status code is not 3 digits"], [UnparsedResponse(20), OkResponse(20)]),
        ["status code below 100"] = new(Resp, "HTTP/1.1 099 Odd\r\n\r\n" + NextResponse,
            ["0 InvalidStartLine: invalid status line: status code below 100"], [UnparsedResponse(20), OkResponse(20)]),
        ["status line with only a version"] = new(Resp, "HTTP/1.1\r\n\r\n" + NextResponse,
            ["0 InvalidStartLine: invalid status line: missing status code"], [UnparsedResponse(12), OkResponse(12)]),
        ["no space after the version"] = new(Resp, "HTTP/1.1200 OK\r\n\r\n" + NextResponse,
            ["0 InvalidStartLine: invalid status line: malformed HTTP version"], [UnparsedResponse(18), OkResponse(18)]),
        ["non-numeric version"] = new(Resp, "HTTP/1.x 200 OK\r\n\r\n" + NextResponse,
            ["0 InvalidStartLine: invalid status line: malformed HTTP version"], [UnparsedResponse(19), OkResponse(19)]),
        ["HTTP/2.0 in a status line"] = new(Resp, "HTTP/2.0 200 OK\r\n\r\n" + NextResponse,
            ["0 InvalidStartLine: invalid status line: unsupported HTTP version HTTP/2.0"], [UnparsedResponse(19), OkResponse(19)]),
        ["status line of another protocol is no response"] = new(Resp, "ICY 200 OK\r\n\r\n" + NextResponse,
            ["0 InvalidStartLine: invalid status line: missing HTTP version"], [OkResponse(14)]),
        ["status line that does not parse: its head's Content-Length ends it, where the next status line is glued on"] = new(Resp,
            "HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nno" + NextResponse,
            ["0 InvalidStartLine: invalid status line: status code is not 3 digits"],
            ["(status line not parsed) start=0 head=37 end=39 body=2 flags=Malformed headers=[Content-Length: 2] preview=\"no\"", OkResponse(39)]),
        ["status line that does not parse, with no framing: its body runs to the next status line"] = new(Resp,
            "HTTP/1.1 20 OK\r\n\r\nsome\r\nbody\r\n" + NextResponse,
            ["0 InvalidStartLine: invalid status line: status code is not 3 digits"],
            ["(status line not parsed) start=0 head=18 end=30 body=12 flags=Malformed headers=", OkResponse(30)]),

        // Field lines, RFC 9112 §5
        ["header line without colon"] = new(Req, "GET / HTTP/1.1\r\nHost a\r\n\r\n" + NextRequest,
            ["16 InvalidHeader: invalid header line: missing colon"],
            ["GET / HTTP/1.1 start=0 head=16 end=16 body=0 flags=Incomplete, Malformed headers=", Ok(26)]),
        ["empty field name"] = new(Req, "GET / HTTP/1.1\r\n: v\r\n\r\n" + NextRequest,
            ["16 InvalidHeader: invalid header line: empty field name"],
            ["GET / HTTP/1.1 start=0 head=16 end=16 body=0 flags=Incomplete, Malformed headers=", Ok(23)]),
        ["whitespace between field name and colon"] = new(Req, "GET / HTTP/1.1\r\nHost : a\r\n\r\n" + NextRequest,
            ["16 InvalidHeader: invalid header line: whitespace before colon"],
            ["GET / HTTP/1.1 start=0 head=16 end=16 body=0 flags=Incomplete, Malformed headers=", Ok(28)]),
        ["field name that is not a token"] = new(Req, "GET / HTTP/1.1\r\nHost: h\r\nBad Name: a\r\n\r\n" + NextRequest,
            ["25 InvalidHeader: invalid header line: field name is not a token"],
            ["GET / HTTP/1.1 start=0 head=25 end=25 body=0 flags=Incomplete, Malformed headers=[Host: h]", Ok(40)]),
        ["control character in a field value"] = new(Req, "GET / HTTP/1.1\r\nX: a\u0001b\r\n\r\n" + NextRequest,
            ["16 InvalidHeader: invalid header line: control character in field value"],
            ["GET / HTTP/1.1 start=0 head=16 end=16 body=0 flags=Incomplete, Malformed headers=", Ok(26)]),
        ["whitespace before the first header field"] = new(Req, "GET / HTTP/1.1\r\n Host: a\r\n\r\n" + NextRequest,
            ["16 InvalidHeader: invalid header line: whitespace before the first field"],
            ["GET / HTTP/1.1 start=0 head=16 end=16 body=0 flags=Incomplete, Malformed headers=", Ok(28)]),
        ["obsolete line folding is unfolded and the message completes"] = new(Req,
            "GET / HTTP/1.1\r\nX-Long: a\r\n\t b\r\nHost: h\r\n\r\n" + NextRequest,
            ["27 ObsoleteLineFolding: obsolete line folding: continuation joined to the previous field"],
            ["GET / HTTP/1.1 start=0 head=43 end=43 body=0 flags=Malformed headers=[X-Long: a b][Host: h]", Ok(43)]),
        ["truncated head running into the next request"] = new(Req,
            "GET /a HTTP/1.1\r\nHost: h\r\nGET /b HTTP/1.1\r\n\r\n",
            ["26 InvalidHeader: invalid header line: missing colon"],
            [
                "GET /a HTTP/1.1 start=0 head=26 end=26 body=0 flags=Incomplete, Malformed headers=[Host: h]",
                "GET /b HTTP/1.1 start=26 head=45 end=45 body=0 flags=None headers=",
            ]),

        // Message body length, RFC 9112 §6.3
        ["Content-Length that is not a number"] = new(Req, "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\nabc\r\n" + NextRequest,
            ["17 InvalidContentLength: invalid Content-Length: not a decimal number"],
            ["POST / HTTP/1.1 start=0 head=40 end=40 body=0 flags=Incomplete, Malformed headers=[Content-Length: abc]", Ok(45)]),
        ["negative Content-Length"] = new(Req, "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n" + NextRequest,
            ["17 InvalidContentLength: invalid Content-Length: not a decimal number"],
            ["POST / HTTP/1.1 start=0 head=39 end=39 body=0 flags=Incomplete, Malformed headers=[Content-Length: -1]", Ok(39)]),
        ["conflicting Content-Length fields"] = new(Req, "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n" + NextRequest,
            ["36 InvalidContentLength: invalid Content-Length: conflicting values"],
            ["POST / HTTP/1.1 start=0 head=57 end=57 body=0 flags=Incomplete, Malformed headers=[Content-Length: 5][Content-Length: 6]", Ok(57)]),
        ["Content-Length beyond 64 bits"] = new(Resp, "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n" + NextResponse,
            ["17 InvalidContentLength: invalid Content-Length: value too large"],
            ["HTTP/1.1 200 \"OK\" start=0 head=57 end=57 body=0 flags=Incomplete, Malformed headers=[Content-Length: 99999999999999999999]", OkResponse(57)]),
        ["Transfer-Encoding with Content-Length is read as Transfer-Encoding says and reported"] = new(Req,
            "POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + NextRequest,
            ["36 AmbiguousFraming: ambiguous framing: Transfer-Encoding and Content-Length both present, Transfer-Encoding used"],
            ["POST / HTTP/1.1 start=0 head=66 end=71 body=0 flags=Chunked, Malformed headers=[Content-Length: 4][Transfer-Encoding: chunked]", Ok(71)]),
        ["Transfer-Encoding in an HTTP/1.0 message is read as it says and reported"] = new(Resp,
            "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + NextResponse,
            ["17 AmbiguousFraming: ambiguous framing: Transfer-Encoding in an HTTP/1.0 message, which may not know it"],
            ["HTTP/1.0 200 \"OK\" start=0 head=47 end=60 body=3 flags=Chunked, Malformed headers=[Transfer-Encoding: chunked] preview=\"abc\"", OkResponse(60)]),
        ["request whose transfer coding does not end in chunked"] = new(Req, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n" + NextRequest,
            ["17 InvalidTransferEncoding: invalid Transfer-Encoding: chunked is not the final coding of a request"],
            ["POST / HTTP/1.1 start=0 head=53 end=53 body=0 flags=Incomplete, Malformed headers=[Transfer-Encoding: chunked, gzip]", Ok(53)]),

        // Chunked transfer coding, RFC 9112 §7.1
        ["chunk size that is not hexadecimal"] = new(Req, Chunked + "zz\r\n" + NextRequest,
            ["47 InvalidChunkSize: invalid chunk size: not a hexadecimal number"],
            ["POST / HTTP/1.1 start=0 head=47 end=47 body=0 flags=Chunked, Incomplete, Malformed headers=[Transfer-Encoding: chunked]", Ok(51)]),
        ["junk after the chunk size"] = new(Req, Chunked + "5 x\r\n" + NextRequest,
            ["47 InvalidChunkSize: invalid chunk size: unexpected characters after the size"],
            ["POST / HTTP/1.1 start=0 head=47 end=47 body=0 flags=Chunked, Incomplete, Malformed headers=[Transfer-Encoding: chunked]", Ok(52)]),
        ["chunk size beyond 63 bits"] = new(Req, Chunked + "fffffffffffffffff\r\n" + NextRequest,
            ["47 InvalidChunkSize: invalid chunk size: too large"],
            ["POST / HTTP/1.1 start=0 head=47 end=47 body=0 flags=Chunked, Incomplete, Malformed headers=[Transfer-Encoding: chunked]", Ok(66)]),
        ["chunk data not followed by CRLF"] = new(Req, Chunked + "3\r\nabcX\r\n" + NextRequest,
            ["53 InvalidChunkFraming: invalid chunked body: chunk data not followed by CRLF"],
            ["POST / HTTP/1.1 start=0 head=47 end=53 body=3 flags=Chunked, Incomplete, Malformed headers=[Transfer-Encoding: chunked] preview=\"abc\"", Ok(56)]),
        ["chunk data followed by CR and not LF"] = new(Req, Chunked + "3\r\nabc\rX\r\n" + NextRequest,
            ["54 InvalidChunkFraming: invalid chunked body: chunk data not followed by CRLF"],
            ["POST / HTTP/1.1 start=0 head=47 end=54 body=3 flags=Chunked, Incomplete, Malformed headers=[Transfer-Encoding: chunked] preview=\"abc\"", Ok(57)]),
        ["trailer line without colon"] = new(Req, Chunked + "0\r\nbad trailer\r\n\r\n" + NextRequest,
            ["50 InvalidHeader: invalid header line: missing colon"],
            ["POST / HTTP/1.1 start=0 head=47 end=50 body=0 flags=Chunked, Incomplete, Malformed headers=[Transfer-Encoding: chunked]", Ok(65)]),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    private static ParseResult Run(Case c, Splitter split) =>
        ParserHarness.Run(c.Kind, Script(c.Stream, new StreamOp.Close()), split);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MalformedInputGivesTheExactErrorAndResynchronises(string name)
    {
        var c = Cases[name];
        var result = Run(c, Whole);

        Assert.Equal(c.Errors, result.Errors);
        Assert.Equal(c.Messages, result.Messages);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MalformedInputGivesTheSameResultHoweverItIsSplit(string name)
    {
        var c = Cases[name];
        string whole = Run(c, Whole).ToString();
        foreach (var (how, split) in AllSplitters())
            Assert.True(whole == Run(c, split).ToString(), $"fed {how}:\n{Run(c, split)}\nwhole:\n{whole}");
        for (int cut = 1; cut < Bytes(c.Stream).Length; cut++)
            Assert.True(whole == Run(c, TwoPieces(cut)).ToString(), $"cut at {cut}:\n{Run(c, TwoPieces(cut))}");
    }
}
