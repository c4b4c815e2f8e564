using System.Text;
using Capture.Analyzer.Http1;
using static Capture.Tests.Http1.ParserHarness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http1;

/// <summary>
/// Whatever bytes arrive, the parser never throws, its offsets stay consistent, and its results do not depend
/// on how the bytes were split. Inputs are generated from fixed seeds, so a failure reproduces.
/// </summary>
public sealed class RobustnessTests
{
    /// <summary>Pieces random streams are made of: mostly whole lines, so that heads, bodies and chunks occur.</summary>
    private static readonly string[] Fragments =
    [
        "GET / HTTP/1.1\r\n", "POST /a HTTP/1.1\r\n", "HEAD /h HTTP/1.0\r\n", "CONNECT h:443 HTTP/1.1\r\n", "get / HTTP/1.1\r\n",
        "HTTP/1.1 200 OK\r\n", "HTTP/1.1 100 Continue\r\n", "HTTP/1.1 204 No Content\r\n", "HTTP/1.0 304\n",
        "HTTP/1.1 101 Switching Protocols\r\n", "HTTP/2.0 200 OK\r\n",
        "Host: h\r\n", "Content-Length: 5\r\n", "Content-Length: 0\r\n", "Content-Length: x\r\n", "Content-Length: 3, 4\r\n",
        "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip\r\n", "X-A: 1\r\nX-B: 2\r\nX-C: 3\r\n", " folded\r\n",
        "Bad Name: v\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r", "5\r\n", "3;x=y\r\n", "0\r\n", "zz\r\n", "ffffffffffffffffff\r\n",
        "hello", "abc\r\n", "GET ", "HTTP/1.1", " ", ": ", "\t", "\0", "\xff", "\x80",
    ];

    private static readonly string[] Corpus =
    [
        "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /c HTTP/1.0\r\n\r\n",
        "POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 200 OK\r\n\r\nrest",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x00",
    ];

    public static TheoryData<int> Seeds => new(Enumerable.Range(0, 60));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomInputNeverThrowsKeepsOffsetsConsistentAndIgnoresSplits(int seed)
    {
        var random = new Random(seed);
        var kind = seed % 2 == 0 ? Http1MessageKind.Request : Http1MessageKind.Response;
        var limits = seed % 3 == 0 ? new Http1Limits(MaxHeadBytes: 48, MaxHeaderCount: 2, BodyPreviewBytes: 4) : new Http1Limits();
        var steps = new List<object>();
        for (int i = random.Next(1, 8); i > 0; i--)
        {
            steps.Add(RandomBytes(random, random.Next(1, 300)));
            if (random.Next(4) == 0) steps.Add(random.Next(1, 40));
        }
        steps.Add(new StreamOp.Close());

        AssertConsistentForEverySplit(kind, Script(steps.ToArray()), limits, RandomMethods(random));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MutatedWellFormedStreamsGiveTheSameResultHoweverSplit(int seed)
    {
        var random = new Random(seed);
        string source = Corpus[seed % Corpus.Length];
        var kind = source.StartsWith("HTTP/") ? Http1MessageKind.Response : Http1MessageKind.Request;
        var bytes = new List<byte>(Bytes(source));
        for (int i = random.Next(1, 4); i > 0; i--)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(3))
            {
                case 0: bytes[at] = "\r\n :0a\0\xff;"u8[random.Next(9)]; break;
                case 1: bytes.InsertRange(at, Bytes(Fragments[random.Next(Fragments.Length)])); break;
                default: bytes.RemoveRange(at, Math.Min(random.Next(1, 6), bytes.Count - at)); break;
            }
        }

        AssertConsistentForEverySplit(kind, Script(bytes.ToArray(), new StreamOp.Close()), null, RandomMethods(random));
    }

    private static string?[] RandomMethods(Random random) =>
        Enumerable.Range(0, 8).Select(_ => new[] { "GET", "HEAD", "CONNECT", null }[random.Next(4)]).ToArray();

    private static byte[] RandomBytes(Random random, int length)
    {
        var s = new StringBuilder();
        while (s.Length < length)
        {
            s.Append(random.Next(5) == 0 ? ((char)random.Next(256)).ToString() : Fragments[random.Next(Fragments.Length)]);
        }
        return Bytes(s.ToString());
    }

    private static void AssertConsistentForEverySplit(Http1MessageKind kind, StreamOp[] script, Http1Limits? limits, string?[] methods)
    {
        var whole = RunChecked(kind, script, Whole, limits, methods);
        foreach (var (how, split) in AllSplitters())
        {
            var other = RunChecked(kind, script, split, limits, methods);
            Assert.True(whole.ToString() == other.ToString(), $"fed {how}:\n{other}\nwhole:\n{whole}");
        }
    }

    /// <summary>Runs a script and checks the invariants every result must keep.</summary>
    private static ParseResult RunChecked(Http1MessageKind kind, StreamOp[] script, Splitter split, Http1Limits? limits, string?[] methods)
    {
        var parser = new Http1StreamParser(kind, limits);
        var queue = new Queue<string?>(methods);
        parser.RequestMethodForNextResponse = () => queue.Count > 0 ? queue.Dequeue() : null;
        long expectedPosition = 0;
        foreach (var op in script)
        {
            switch (op)
            {
                case StreamOp.Bytes(var data):
                    int at = 0;
                    foreach (int piece in split(data.Length))
                    {
                        parser.Feed(data.AsSpan(at, piece));
                        at += piece;
                    }
                    expectedPosition += data.Length;
                    break;
                case StreamOp.Lost(var count):
                    parser.Gap(count);
                    expectedPosition += count;
                    break;
                case StreamOp.Close:
                    parser.End();
                    break;
            }
            Assert.Equal(expectedPosition, parser.Position);
        }

        var preview = (limits ?? Http1Limits.Default).BodyPreviewBytes;
        long previousEnd = 0;
        foreach (var m in parser.Messages)
        {
            Assert.True(m.StartOffset >= previousEnd, $"message overlaps the previous one: {Describe(m)}");
            Assert.True(m.StartOffset < m.HeadEndOffset && m.HeadEndOffset <= m.EndOffset && m.EndOffset <= parser.Position, Describe(m));
            Assert.True(m.BodyPreview.Length <= Math.Min(preview, m.BodyBytes), Describe(m));
            if (m.Flags.HasFlag(Http1MessageFlags.Chunked)) Assert.True(m.BodyBytes <= m.EndOffset - m.HeadEndOffset, Describe(m));
            else Assert.True(m.BodyBytes == m.EndOffset - m.HeadEndOffset, Describe(m));
            // A request has a method and a response a status, unless its start line did not parse (then it is Malformed,
            // with no version either).
            bool unparsed = m.Version == "" && m.Flags.HasFlag(Http1MessageFlags.Malformed);
            Assert.True(m.Kind == kind && (kind == Http1MessageKind.Request
                ? m.Method is not null || unparsed
                : m.Status is >= 100 and <= 999 || m.Status is null && unparsed), Describe(m));
            Assert.Equal(parser.Upgraded && m.EndOffset == parser.UpgradeOffset, m.Flags.HasFlag(Http1MessageFlags.Upgrade));
            previousEnd = m.EndOffset;
        }
        foreach (var e in parser.Errors)
        {
            Assert.InRange(e.Offset, 0, parser.Position);
            Assert.False(string.IsNullOrEmpty(e.Message));
        }
        return Result(parser);
    }
}
