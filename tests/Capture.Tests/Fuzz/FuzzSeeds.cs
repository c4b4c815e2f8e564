using Capture.Hpack;
using System.Text;
using Capture.Tests.Http2;
using Capture.Tests.Support;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Fuzz;

/// <summary>
/// The well-formed inputs mutation starts from: the recorded fixtures (fixtures/http1, fixtures/http2), the
/// shapes the parser unit tests cover (chunked bodies with extensions and trailers, pipelining, 1xx, upgrades,
/// HEAD and CONNECT, padded and continued HTTP/2 headers, pushes, gRPC), and tokens to insert.
/// </summary>
internal static class FuzzSeeds
{
    private static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);

    public static readonly byte[][] Http1Requests =
    [
        File.ReadAllBytes(Repo.Fixture("http1/keepalive-session.requests.http")),
        Latin1("GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /c HTTP/1.0\r\n\r\n"),
        Latin1("POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n"),
        Latin1("PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"),
        Latin1("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x85\x00\x00\x00\x00hello"),
        Latin1("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01\x00\x05hello"),
        Latin1("GET / HTTP/1.1\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n\r\nOPTIONS * HTTP/1.1\r\n\n"),
        Latin1("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    ];

    public static readonly byte[][] Http1Responses =
    [
        File.ReadAllBytes(Repo.Fixture("http1/keepalive-session.responses.http")),
        Latin1("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 200 OK\r\n\r\nrest"),
        Latin1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x00"),
        Latin1("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789HTTP/1.1 204 No Content\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil close"),
        Latin1("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1a;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: 1\r\n\r\n"),
        Latin1("HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03\x00\x10binary"),
    ];

    public static readonly byte[][] Http1Tokens =
    [
        .. new[]
        {
            "\r\n", "\r\n\r\n", "\n", "\r", ": ", " ", "\t", "HTTP/1.1", "HTTP/1.1 200 OK\r\n", "GET / HTTP/1.1\r\n", "HEAD / HTTP/1.1\r\n",
            "Content-Length: ", "Content-Length: 5\r\n", "Content-Length: 1, 2\r\n", "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: identity\r\n",
            "Connection: close\r\n", "Upgrade: h2c\r\n", "0\r\n\r\n", "ffffffff\r\n", ";ext\r\n", "Host: h\r\n", "\0", "\xff\xfe",
        }.Select(Latin1),
    ];

    private static byte[] Fixture2(string name) => File.ReadAllBytes(Repo.Fixture("http2/" + name));

    /// <summary>A direction's bytes cut at frame boundaries into windows of about <paramref name="window"/> bytes, so
    /// that each seed is small (fast to fuzz) and every part of a long recording is covered.</summary>
    private static IEnumerable<byte[]> FrameWindows(byte[] direction, int skip, int window)
    {
        int start = skip, at = skip;
        while (at + 9 <= direction.Length)
        {
            int next = at + 9 + (direction[at] << 16 | direction[at + 1] << 8 | direction[at + 2]);
            if (next > direction.Length) break;
            at = next;
            if (at - start >= window) { yield return direction[start..at]; start = at; }
        }
        if (at > start) yield return direction[start..at];
    }

    /// <summary>Payloads of the HEADERS frames of a direction: real header blocks (Huffman, dynamic table).</summary>
    private static IEnumerable<byte[]> HeaderBlocks(byte[] direction, int skip)
    {
        for (int at = skip; at + 9 <= direction.Length;)
        {
            int length = direction[at] << 16 | direction[at + 1] << 8 | direction[at + 2];
            if (at + 9 + length > direction.Length) break;
            if (direction[at + 3] == 0x1 && (direction[at + 4] & (Padded | PriorityFlag)) == 0) yield return direction[(at + 9)..(at + 9 + length)];
            at += 9 + length;
        }
    }

    private static readonly int PrefaceLength = Preface.Length;

    public static readonly byte[][] Http2Client =
    [
        Fixture2("session.client.bin"),
        .. FrameWindows(Fixture2("session.client.bin"), PrefaceLength, 512).Select(w => Concat(Preface, w)),
        Concat(Preface, Settings((1, 4096), (5, 16384)), Headers(1, new HpackBlock().Indexed(2).Indexed(7).Indexed(4).Incremental(1, "example.com"), endStream: true)),
        Concat(Preface, Settings(), Headers(3, new HpackBlock().Indexed(3).Indexed(6).Incremental(4, "/upload"), endHeaders: false),
            Continuation(3, new HpackBlock().Incremental("x-big", new string('v', 200), huffman: true)), Data(3, "abc", pad: 4), Data(3, "", endStream: true)),
        Concat(Preface, Settings(), Headers(5, new HpackBlock().SizeUpdate(0).Indexed(2).Indexed(4), pad: 3, priority: (true, 1, 200)),
            Data(5, Grpc("grpc-request")), RstStream(5, 8), WindowUpdate(0, 1000), Ping(7), Priority(5, 3, 1), GoAway(5, 0, "bye")),
    ];

    public static readonly byte[][] Http2Server =
    [
        .. FrameWindows(Fixture2("session.server.bin"), 0, 2048),
        Concat(Settings(), SettingsAck(), Headers(1, new HpackBlock().Indexed(8).Incremental("content-type", "text/plain", huffman: true)),
            Data(1, "hello", endStream: true)),
        Concat(Settings(), PushPromise(1, 2, new HpackBlock().Indexed(2).Indexed(4)), Headers(2, new HpackBlock().Indexed(8)),
            Data(2, new string('z', 300), endStream: true), Headers(1, new HpackBlock().Indexed(13), endStream: true)),
        Concat(Settings(), Headers(5, new HpackBlock().Indexed(8).Incremental("content-type", "application/grpc")), Data(5, Grpc("reply")),
            Headers(5, new HpackBlock().Incremental("grpc-status", "0").Incremental("grpc-message", "ok"), endStream: true)),
    ];

    public static readonly byte[][] Http2Tokens =
    [
        Preface, Settings((1, 0)), Settings((5, 16777215)), SettingsAck(), Ping(1), Frame(0xEE, 0xFF, 9, [1, 2, 3]),
        Frame(0x1, EndHeaders, 1, [], length: 20000), Frame(0x9, 0, 1, [0x82]), Data(0, "x"), GoAway(0x7FFFFFFF, 2), [0, 0, 0],
        [0xFF, 0xFF, 0xFF, 0xFF], [0x3F, 0xE1, 0x1F], [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "garbage text"u8.ToArray(),
    ];

    public static readonly byte[][] HpackBlocks =
    [
        .. HeaderBlocks(Fixture2("session.client.bin"), PrefaceLength),
        .. HeaderBlocks(Fixture2("session.server.bin"), 0),
        // RFC 7541 Appendix C.3.1, C.4.1 and C.6.1: plain, Huffman, and a response that evicts.
        HpackBlock.Hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"),
        HpackBlock.Hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"),
        HpackBlock.Hex("4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"),
        new HpackBlock().SizeUpdate(100).Incremental("a", new string('b', 90)).Indexed(62).NeverIndexed("secret", "x", huffman: true).WithoutIndexing(1, "y"),
    ];

    public static readonly byte[][] HpackTokens =
    [
        [0x80], [0xBE], [0xFF, 0x80, 0x80, 0x80, 0x80, 0x10], [0x3F, 0xE1, 0x1F], [0x20], [0x40, 0x7F, 0xFF, 0xFF, 0xFF, 0x0F],
        [0x00, 0x81, 0xFF], [0x00, 0x85, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0x10, 0x00, 0x00], [0x0F, 0x2F, 0x00],
    ];
}
