using Capture.Analyzer.Http1;
using static Capture.Tests.Http1.ParserHarness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http1;

/// <summary>End(): the connection closed or the capture stopped.</summary>
public sealed class EndOfStreamTests
{
    private static ParseResult EndAfter(Http1MessageKind kind, string stream)
    {
        var script = Script(stream, new StreamOp.Close());
        var whole = Run(kind, script, Whole);
        foreach (var (how, split) in AllSplitters())
            Assert.True(whole.ToString() == Run(kind, script, split).ToString(), $"fed {how}");
        Assert.Empty(whole.Errors);
        return whole;
    }

    [Fact]
    public void EndInsideAHeadReportsTheMessageIncompleteWithTheFieldsSoFar()
    {
        var result = EndAfter(Http1MessageKind.Request, "GET /a HTTP/1.1\r\nHost: h\r\nAcc");

        Assert.Equal(["GET /a HTTP/1.1 start=0 head=29 end=29 body=0 flags=Incomplete headers=[Host: h]"], result.Messages);
    }

    [Fact]
    public void EndInsideAStartLineReportsNothing()
    {
        var result = EndAfter(Http1MessageKind.Request, "GET /a HTTP/1.1\r\n\r\nGET /b HT");

        Assert.Equal(["GET /a HTTP/1.1 start=0 head=19 end=19 body=0 flags=None headers="], result.Messages);
        Assert.Equal(28, result.Position);
    }

    [Fact]
    public void EndInsideAContentLengthBodyReportsTheMessageIncomplete()
    {
        var result = EndAfter(Http1MessageKind.Request, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");

        Assert.Equal(["POST / HTTP/1.1 start=0 head=39 end=42 body=3 flags=Incomplete headers=[Content-Length: 10] preview=\"abc\""], result.Messages);
    }

    [Theory]
    [InlineData("Content-Length: 10", "")]
    [InlineData("Transfer-Encoding: chunked", "Chunked, ")]
    public void EndRightAfterTheHeadOfARequestThatExpectsContinueReportsItsContentNotSent(string framing, string flags)
    {
        var result = EndAfter(Http1MessageKind.Request, $"PUT / HTTP/1.1\r\nExpect: 100-Continue\r\n{framing}\r\n\r\n");

        Assert.Equal([$"PUT / HTTP/1.1 start=0 head={42 + framing.Length} end={42 + framing.Length} body=0 flags={flags}Incomplete, ContentNotSent " +
                      $"headers=[Expect: 100-Continue][{framing}]"], result.Messages);
    }

    [Fact]
    public void EndInsideAChunkedBodyReportsTheMessageIncomplete()
    {
        var result = EndAfter(Http1MessageKind.Response, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");

        Assert.Equal(["HTTP/1.1 200 \"OK\" start=0 head=47 end=52 body=2 flags=Chunked, Incomplete headers=[Transfer-Encoding: chunked] preview=\"ab\""], result.Messages);
    }

    [Fact]
    public void EndInsideATrailerSectionReportsTheMessageIncompleteWithTheTrailersSoFar()
    {
        var result = EndAfter(Http1MessageKind.Response, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 1\r\n");

        Assert.Equal(["HTTP/1.1 200 \"OK\" start=0 head=47 end=56 body=0 flags=Chunked, Incomplete headers=[Transfer-Encoding: chunked] trailers=[T: 1]"], result.Messages);
    }

    [Fact]
    public void EndCompletesACloseDelimitedBodyNormally()
    {
        var result = EndAfter(Http1MessageKind.Response, "HTTP/1.1 200 OK\r\n\r\npartial?");

        Assert.Equal(["HTTP/1.1 200 \"OK\" start=0 head=19 end=27 body=8 flags=CloseDelimited headers= preview=\"partial?\""], result.Messages);
    }

    [Fact]
    public void EndCompletesAnEmptyCloseDelimitedBody()
    {
        var result = EndAfter(Http1MessageKind.Response, "HTTP/1.1 200 OK\r\n\r\n");

        Assert.Equal(["HTTP/1.1 200 \"OK\" start=0 head=19 end=19 body=0 flags=CloseDelimited headers="], result.Messages);
    }

    [Fact]
    public void EndAtAMessageBoundaryAddsNothing()
    {
        var result = EndAfter(Http1MessageKind.Request, "GET / HTTP/1.1\r\n\r\n");

        Assert.Equal(["GET / HTTP/1.1 start=0 head=18 end=18 body=0 flags=None headers="], result.Messages);
    }

    [Fact]
    public void BytesAfterEndAreIgnoredAndEndTwiceIsHarmless()
    {
        var parser = new Http1StreamParser(Http1MessageKind.Request);
        parser.Feed("GET /a HTTP/1.1\r\n"u8);
        parser.End();
        parser.Feed("\r\nGET /b HTTP/1.1\r\n\r\n"u8);
        parser.Gap(10);
        parser.End();

        Assert.Equal(["GET /a HTTP/1.1 start=0 head=17 end=17 body=0 flags=Incomplete headers="], parser.Messages.Select(Describe));
        Assert.Equal(48, parser.Position);
        Assert.False(parser.Upgraded);
    }
}
