using System.Text;
using Capture.Analyzer.Http1;
using static Capture.Tests.Http1.ParserHarness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http1;

/// <summary>Limits keep memory bounded whatever the peer sends.</summary>
public sealed class LimitsTests
{
    private const string NextRequest = "GET /ok HTTP/1.1\r\n\r\n";
    private static string Ok(long at) => $"GET /ok HTTP/1.1 start={at} head={at + 20} end={at + 20} body=0 flags=None headers=";

    private static ParseResult RunAllWays(Http1MessageKind kind, string stream, Http1Limits limits)
    {
        var script = Script(stream, new StreamOp.Close());
        var whole = Run(kind, script, Whole, limits: limits);
        foreach (var (how, split) in AllSplitters())
            Assert.True(whole.ToString() == Run(kind, script, split, limits: limits).ToString(), $"fed {how}");
        return whole;
    }

    [Fact]
    public void HeadLargerThanMaxHeadBytesIsAnErrorAndTheParserResynchronises()
    {
        var result = RunAllWays(Http1MessageKind.Request,
            "GET / HTTP/1.1\r\nX-Big: " + new string('a', 100) + "\r\n\r\n" + NextRequest, new Http1Limits(MaxHeadBytes: 64));

        Assert.Equal(["0 HeadTooLarge: message head exceeds 64 bytes"], result.Errors);
        Assert.Equal(["GET / HTTP/1.1 start=0 head=64 end=64 body=0 flags=Incomplete, Malformed headers=", Ok(127)], result.Messages);
    }

    [Fact]
    public void StartLineLongerThanMaxHeadBytesIsAnErrorAndAMalformedRequestRunningToTheNext()
    {
        var result = RunAllWays(Http1MessageKind.Request,
            "GET /" + new string('a', 100) + " HTTP/1.1\r\n\r\n" + NextRequest, new Http1Limits(MaxHeadBytes: 64));

        Assert.Equal(["0 HeadTooLarge: message head exceeds 64 bytes"], result.Errors);
        Assert.Equal(["(request line not parsed) start=0 head=118 end=118 body=0 flags=Malformed headers=", Ok(118)], result.Messages);
    }

    [Theory]
    [InlineData(41, true)]  // 16 (request line) + 3 + 41 + 2 + 2 (blank line) = 64
    [InlineData(42, false)]
    public void HeadOfExactlyMaxHeadBytesIsAccepted(int valueLength, bool accepted)
    {
        var result = RunAllWays(Http1MessageKind.Request,
            "GET / HTTP/1.1\r\nX: " + new string('v', valueLength) + "\r\n\r\n", new Http1Limits(MaxHeadBytes: 64));

        Assert.Equal(accepted, result.Errors.Length == 0);
        Assert.Equal(accepted ? "None" : "Incomplete, Malformed", result.Messages.Single().Split("flags=")[1].Split(" headers=")[0]);
    }

    [Fact]
    public void MoreHeaderFieldsThanMaxHeaderCountIsAnErrorAtTheFieldOverTheLimit()
    {
        var result = RunAllWays(Http1MessageKind.Request,
            "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n" + NextRequest, new Http1Limits(MaxHeaderCount: 3));

        Assert.Equal(["34 TooManyHeaders: message head has more than 3 header fields"], result.Errors);
        Assert.Equal(["GET / HTTP/1.1 start=0 head=34 end=34 body=0 flags=Incomplete, Malformed headers=[A: 1][B: 2][C: 3]", Ok(42)], result.Messages);
    }

    [Fact]
    public void ExactlyMaxHeaderCountFieldsAreAccepted()
    {
        var result = RunAllWays(Http1MessageKind.Request, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", new Http1Limits(MaxHeaderCount: 3));

        Assert.Empty(result.Errors);
        Assert.Equal(["GET / HTTP/1.1 start=0 head=36 end=36 body=0 flags=None headers=[A: 1][B: 2][C: 3]"], result.Messages);
    }

    [Fact]
    public void TrailerSectionIsBoundedLikeAHead()
    {
        var result = RunAllWays(Http1MessageKind.Request,
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + new string('t', 80) + "\r\n\r\n" + NextRequest,
            new Http1Limits(MaxHeadBytes: 64));

        Assert.Equal(["50 HeadTooLarge: trailer section exceeds 64 bytes"], result.Errors);
        Assert.Equal(
            ["POST / HTTP/1.1 start=0 head=47 end=114 body=0 flags=Chunked, Incomplete, Malformed headers=[Transfer-Encoding: chunked]", Ok(139)],
            result.Messages);
    }

    [Fact]
    public void TrailerFieldsAreCountedAgainstMaxHeaderCount()
    {
        var result = RunAllWays(Http1MessageKind.Request,
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n", new Http1Limits(MaxHeaderCount: 1));

        Assert.Equal(["56 TooManyHeaders: trailer section has more than 1 fields"], result.Errors);
    }

    public static TheoryData<string> LargeBodyFramings => new("Content-Length", "chunked", "close-delimited");

    [Theory]
    [MemberData(nameof(LargeBodyFramings))]
    public void TenMegabyteBodyKeepsOnlyBodyPreviewBytesAndAllocatesLittle(string framing)
    {
        const int bodyLength = 10 * 1024 * 1024;
        const int piece = 8 * 1024;
        var limits = new Http1Limits();
        var parser = new Http1StreamParser(Http1MessageKind.Response, limits);
        parser.Feed(Encoding.ASCII.GetBytes(framing switch
        {
            "Content-Length" => $"HTTP/1.1 200 OK\r\nContent-Length: {bodyLength}\r\n\r\n",
            "chunked" => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            _ => "HTTP/1.1 200 OK\r\n\r\n",
        }));
        var chunkHeader = Encoding.ASCII.GetBytes($"{piece:x}\r\n");
        var data = new byte[piece];

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int sent = 0; sent < bodyLength; sent += piece)
        {
            for (int i = 0; i < piece; i++) data[i] = (byte)((sent + i) * 7);
            if (framing == "chunked") parser.Feed(chunkHeader);
            // Odd cuts so that chunk framing and preview boundaries fall mid-feed.
            parser.Feed(data.AsSpan(0, 1000));
            parser.Feed(data.AsSpan(1000));
            if (framing == "chunked") parser.Feed("\r\n"u8);
        }
        if (framing == "chunked") parser.Feed("0\r\n\r\n"u8);
        parser.End();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        var message = Assert.Single(parser.Messages);
        Assert.Equal(bodyLength, message.BodyBytes);
        Assert.Equal(limits.BodyPreviewBytes, message.BodyPreview.Length);
        Assert.Equal(Enumerable.Range(0, limits.BodyPreviewBytes).Select(i => (byte)(i * 7)), message.BodyPreview);
        Assert.False(message.Flags.HasFlag(Http1MessageFlags.Incomplete));
        Assert.True(allocated < 4 * limits.BodyPreviewBytes, $"allocated {allocated} bytes for a {bodyLength}-byte body");
    }

    [Fact]
    public void NeverEndingHeadDoesNotGrowMemoryPastTheLimit()
    {
        var limits = new Http1Limits(MaxHeadBytes: 16 * 1024);
        var parser = new Http1StreamParser(Http1MessageKind.Request, limits);
        parser.Feed("GET / HTTP/1.1\r\nX: "u8);
        var filler = new byte[1000];
        filler.AsSpan().Fill((byte)'a');

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) parser.Feed(filler);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Equal("0 HeadTooLarge: message head exceeds 16384 bytes", Describe(Assert.Single(parser.Errors)));
        Assert.True(allocated < 4 * limits.MaxHeadBytes, $"allocated {allocated} bytes for 10 MB of head");
    }

    [Fact]
    public void ZeroBodyPreviewBytesKeepsNoPreview()
    {
        var parser = new Http1StreamParser(Http1MessageKind.Request, new Http1Limits(BodyPreviewBytes: 0));
        parser.Feed("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"u8);

        var message = Assert.Single(parser.Messages);
        Assert.Empty(message.BodyPreview);
        Assert.Equal(3, message.BodyBytes);
    }

    [Fact]
    public void LimitsThatCannotWorkAreRejectedAtConstruction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Http1StreamParser(Http1MessageKind.Request, new Http1Limits(MaxHeadBytes: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Http1StreamParser(Http1MessageKind.Request, new Http1Limits(MaxHeaderCount: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Http1StreamParser(Http1MessageKind.Request, new Http1Limits(BodyPreviewBytes: -1)));
    }
}
