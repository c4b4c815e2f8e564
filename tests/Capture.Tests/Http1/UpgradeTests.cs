using Capture.Analyzer.Http1;
using static Capture.Tests.Http1.ParserHarness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http1;

/// <summary>Protocol switches (RFC 9110 §7.8, §9.3.6) and how a response learns the method it answers.</summary>
public sealed class UpgradeTests
{
    private const string UpgradeRequest = "GET /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"; // 63 bytes
    private const string WebSocketFrames = "\x81\x85abcdGET / HTTP/1.1\r\n\r\n";

    [Fact]
    public void StopAtAFutureOffsetIgnoresEverythingFromThereOn()
    {
        foreach (var (how, split) in AllSplitters())
        {
            var result = Run(Http1MessageKind.Request,
                Script(new StreamOp.Stop(63), UpgradeRequest + WebSocketFrames, new StreamOp.Close()), split);

            Assert.True(result.Messages is [var only] && only.Contains("start=0 head=63 end=63") && only.Contains("flags=Upgrade"), $"fed {how}: {result}");
            Assert.Empty(result.Errors);
            Assert.True(result.Upgraded);
            Assert.Equal(63, result.UpgradeOffset);
            Assert.Equal(63 + Bytes(WebSocketFrames).Length, result.Position);
        }
    }

    [Fact]
    public void StopAtAnOffsetAlreadyParsedTakesBackWhatWasParsedFromThere()
    {
        var parser = new Http1StreamParser(Http1MessageKind.Request);
        parser.Feed(Bytes(UpgradeRequest + "GET /x HTTP/1.1\r\n\r\nbad line\r\n" + WebSocketFrames));
        Assert.Equal(2, parser.Messages.Count);
        Assert.Equal("82 InvalidStartLine: invalid request line: missing HTTP version", Describe(Assert.Single(parser.Errors)));

        parser.StopAt(63);

        Assert.Equal(
            ["GET /chat HTTP/1.1 start=0 head=63 end=63 body=0 flags=Upgrade headers=[Upgrade: websocket][Connection: Upgrade]"],
            parser.Messages.Select(Describe));
        Assert.Empty(parser.Errors);
        Assert.True(parser.Upgraded);
        Assert.Equal(63, parser.UpgradeOffset);
    }

    [Fact]
    public void StopAtInsideAMessageReportsItIncomplete()
    {
        var parser = new Http1StreamParser(Http1MessageKind.Request);
        parser.StopAt(30);
        parser.Feed(Bytes(UpgradeRequest));

        Assert.Equal(["GET /chat HTTP/1.1 start=0 head=30 end=30 body=0 flags=Incomplete headers="], parser.Messages.Select(Describe));
        Assert.Equal(30, parser.UpgradeOffset);
    }

    [Fact]
    public void StopAtInsideAGapStopsThere()
    {
        var parser = new Http1StreamParser(Http1MessageKind.Request);
        parser.Feed(Bytes(UpgradeRequest));
        parser.StopAt(70);
        parser.Gap(100);
        parser.Feed("GET / HTTP/1.1\r\n\r\n"u8);

        Assert.Single(parser.Messages);
        Assert.True(parser.Upgraded);
        Assert.Equal(70, parser.UpgradeOffset);
        Assert.Equal(63 + 100 + 18, parser.Position);
    }

    [Fact]
    public void SwitchingProtocolsIgnoresLaterBytesEvenIfTheyLookLikeHttp()
    {
        var parser = new Http1StreamParser(Http1MessageKind.Response);
        parser.Feed("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"u8);
        parser.End();

        var message = Assert.Single(parser.Messages);
        Assert.Equal(101, message.Status);
        Assert.Equal(Http1MessageFlags.Upgrade, message.Flags);
        Assert.True(parser.Upgraded);
        Assert.Equal(message.HeadEndOffset, parser.UpgradeOffset);
        Assert.Empty(parser.Errors);
    }

    [Fact]
    public void ConnectRefusedWithA4xxIsNotATunnel()
    {
        var result = Run(Http1MessageKind.Response,
            Script("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nnoHTTP/1.1 200 OK\r\n\r\n"), Whole,
            requestMethods: ["CONNECT", "CONNECT"]);

        Assert.Equal(2, result.Messages.Length);
        Assert.Contains("body=2 flags=None", result.Messages[0]);
        Assert.Contains("flags=Upgrade", result.Messages[1]);
        Assert.True(result.Upgraded);
    }

    [Fact]
    public void RequestMethodIsAskedOncePerFinalResponseAndNeverForInterimOnes()
    {
        var asked = new List<long>();
        var parser = new Http1StreamParser(Http1MessageKind.Response);
        parser.RequestMethodForNextResponse = () => { asked.Add(parser.Position); return "POST"; };
        parser.Feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"u8);

        Assert.Equal([100, 103, 200, 204], parser.Messages.Select(m => m.Status!.Value));
        Assert.Equal(2, asked.Count);
    }

    [Fact]
    public void UnknownRequestMethodIsTreatedLikeGet()
    {
        var parser = new Http1StreamParser(Http1MessageKind.Response) { RequestMethodForNextResponse = () => null };
        parser.Feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"u8);

        Assert.Equal(2, Assert.Single(parser.Messages).BodyBytes);
    }

    [Fact]
    public void HeaderLookupIsCaseInsensitiveAndReturnsTheFirstMatch()
    {
        var parser = new Http1StreamParser(Http1MessageKind.Request);
        parser.Feed("GET / HTTP/1.1\r\nx-a: 1\r\nX-A: 2\r\n\r\n"u8);

        var message = Assert.Single(parser.Messages);
        Assert.Equal("1", message.Header("X-A"));
        Assert.Null(message.Header("X-B"));
    }
}
