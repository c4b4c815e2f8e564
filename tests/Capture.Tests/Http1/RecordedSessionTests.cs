using System.Runtime.CompilerServices;
using System.Text;
using Capture.Analyzer.Http1;
using static Capture.Tests.Http1.ParserHarness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http1;

/// <summary>
/// Both directions of one keep-alive connection (fixtures/http1/keepalive-session.*.http): curl-style requests
/// and nginx-style responses, with HEAD, 100-continue, chunked trailers, 304 and a WebSocket upgrade. The
/// response parser learns each request's method the way the Analyzer wires it, and the request parser is
/// stopped where the 101 says the other protocol begins.
/// </summary>
public sealed class RecordedSessionTests
{
    private static (Http1StreamParser Requests, Http1StreamParser Responses) ParseSession(Splitter split)
    {
        var requests = new Http1StreamParser(Http1MessageKind.Request);
        var responses = new Http1StreamParser(Http1MessageKind.Response);
        Feed(requests, Fixture("keepalive-session.requests.http"), split);

        int answered = 0;
        responses.RequestMethodForNextResponse = () => requests.Messages[answered++].Method;
        Feed(responses, Fixture("keepalive-session.responses.http"), split);
        // Interim responses (the 101 too) are not asked for a method: the 101 answers the next unanswered request.
        if (responses.Upgraded) requests.StopAt(requests.Messages[answered].EndOffset);
        return (requests, responses);
    }

    [Fact]
    public void RequestsOfTheSessionAreParsedUpToTheUpgrade()
    {
        var (requests, _) = ParseSession(Whole);

        Assert.Empty(requests.Errors);
        Assert.Equal(["GET /index.html", "HEAD /images/debian.iso", "POST /upload", "GET /events", "GET /logo.png", "GET /chat"],
            requests.Messages.Select(m => $"{m.Method} {m.Target}"));
        var post = requests.Messages[2];
        Assert.Equal("100-continue", post.Header("expect"));
        Assert.Equal("hello world"u8.ToArray(), post.BodyPreview);
        Assert.Equal(Http1MessageFlags.Upgrade, requests.Messages[^1].Flags);
        Assert.True(requests.Upgraded);
        Assert.Equal(626, requests.UpgradeOffset);
    }

    [Fact]
    public void ResponsesOfTheSessionFollowTheMethodsOfTheirRequests()
    {
        var (_, responses) = ParseSession(Whole);
        var m = responses.Messages;

        Assert.Empty(responses.Errors);
        Assert.Equal([200, 200, 100, 201, 200, 304, 101], m.Select(r => r.Status!.Value));
        Assert.Equal("<!doctype html>\n<title>Capture</title>\n<p>It works.</p>\n", Encoding.ASCII.GetString(m[0].BodyPreview));
        Assert.Equal((0L, "658505728"), (m[1].BodyBytes, m[1].Header("Content-Length")));   // answers HEAD
        Assert.Equal(m[3].HeadEndOffset, m[3].EndOffset);                                    // 201 after 100 Continue
        Assert.Equal(Http1MessageFlags.Chunked, m[4].Flags);
        Assert.Equal("data: first\n\ndata: second\n\n", Encoding.ASCII.GetString(m[4].BodyPreview));
        Assert.Equal([new KeyValuePair<string, string>("X-Events", "2")], m[4].Trailers);
        Assert.Equal(0, m[5].BodyBytes);
        Assert.Equal(Http1MessageFlags.Upgrade, m[6].Flags);
        Assert.True(responses.Upgraded);
        Assert.Equal(841, responses.UpgradeOffset);
        Assert.Equal(848, responses.Position);
    }

    [Fact]
    public void SessionGivesTheSameResultHoweverItIsSplit()
    {
        string Render((Http1StreamParser Requests, Http1StreamParser Responses) p) => $"{Result(p.Requests)}\n==\n{Result(p.Responses)}";
        string whole = Render(ParseSession(Whole));
        foreach (var (how, split) in AllSplitters())
            Assert.True(whole == Render(ParseSession(split)), $"fed {how}");
    }

    private static void Feed(Http1StreamParser parser, byte[] data, Splitter split)
    {
        int at = 0;
        foreach (int piece in split(data.Length))
        {
            parser.Feed(data.AsSpan(at, piece));
            at += piece;
        }
    }

    /// <summary>Reads fixtures/http1/<paramref name="name"/>, found from the build output or from this source file.</summary>
    private static byte[] Fixture(string name, [CallerFilePath] string sourceFile = "")
    {
        var relative = Path.Combine("fixtures", "http1", name);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return File.ReadAllBytes(candidate);
        }
        return File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "..", "..", relative));
    }
}
