using Capture.Hpack;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.Frames;
using static Capture.Tests.Http2.Http2Harness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http2;

/// <summary>
/// Well-formed directions of HTTP/2 connections, each fed whole, byte by byte, at seeded random cuts and at every
/// single cut: every split must give exactly the expected events (every field, offsets included) and no errors.
/// </summary>
public sealed class WellFormedStreamTests
{
    private sealed record Case(bool ClientToServer, byte[] Stream, string[] Expected);

    private const bool Client = true, Server = false;

    /// <summary>The client preface: 24 octets of magic and a SETTINGS frame of 21 (offsets 24-45).</summary>
    private static readonly byte[] ClientStart = Concat(Preface, Settings((2, 0), (4, 65535)));
    private const string ClientSettings = "SETTINGS @24 2=0 4=65535";

    /// <summary>The server preface: a SETTINGS frame of 15 octets (0-15), and its ACK of the client's (15-24).</summary>
    private static readonly byte[] ServerStart = Concat(Settings((3, 100)), SettingsAck());
    private static readonly string[] ServerSettings = ["SETTINGS @0 3=100", "SETTINGS @15 ack"];

    /// <summary>GET https://example.com/ : 16 octets, and the entry (:authority, example.com) added.</summary>
    private static HpackBlock Get() => new HpackBlock().Indexed(2).Indexed(7).Indexed(4).Incremental(1, "example.com");
    private const string GetFields = "[:method: GET][:scheme: https][:path: /][:authority: example.com]";

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["client: preface, SETTINGS, and a GET that ends the stream"] = new(Client,
            Concat(ClientStart, Headers(1, Get(), endStream: true)),
            [ClientSettings, $"HEADERS @45-70 stream=1 end_stream {GetFields}"]),

        ["client: a second request reuses the dynamic table entry of the first"] = new(Client,
            Concat(ClientStart, Headers(1, Get(), endStream: true),
                Headers(3, new HpackBlock().Indexed(2).Indexed(7).Incremental(4, "/b").Indexed(63), endStream: true)),
            [ClientSettings, $"HEADERS @45-70 stream=1 end_stream {GetFields}",
             "HEADERS @70-86 stream=3 end_stream [:method: GET][:scheme: https][:path: /b][:authority: example.com]"]),

        ["server: response headers and a body in two DATA frames"] = new(Server,
            Concat(ServerStart, Headers(1, new HpackBlock().Indexed(8).WithoutIndexing(31, "text/plain")),
                Data(1, "hello "), Data(1, "world", endStream: true)),
            [.. ServerSettings, "HEADERS @24-47 stream=1 [:status: 200][content-type: text/plain]",
             "DATA @47-62 stream=1 length=6 preview=\"hello \"", "DATA @62-76 stream=1 length=5 end_stream preview=\"world\""]),

        ["server: interleaved streams keep their own DATA"] = new(Server,
            Concat(ServerStart, Headers(1, new HpackBlock().Indexed(8)), Headers(3, new HpackBlock().Indexed(13)),
                Data(3, "not found", endStream: true), Data(1, "ok", endStream: true)),
            [.. ServerSettings, "HEADERS @24-34 stream=1 [:status: 200]", "HEADERS @34-44 stream=3 [:status: 404]",
             "DATA @44-62 stream=3 length=9 end_stream preview=\"not found\"", "DATA @62-73 stream=1 length=2 end_stream preview=\"ok\""]),

        ["client: CONTINUATION frames join one field block"] = new(Client,
            Concat(ClientStart,
                Headers(1, Get().ToArray()[..5], endStream: true, endHeaders: false),
                Continuation(1, Get().ToArray()[5..10], endHeaders: false),
                Continuation(1, Get().ToArray()[10..])),
            [ClientSettings, $"HEADERS @45-88 stream=1 end_stream {GetFields}"]),

        ["server: padding on HEADERS and DATA is not data"] = new(Server,
            Concat(ServerStart, Headers(1, new HpackBlock().Indexed(8), pad: 3), Data(1, "abc", endStream: true, pad: 10)),
            [.. ServerSettings, "HEADERS @24-38 stream=1 [:status: 200]",
             "DATA @38-61 stream=1 length=3 end_stream preview=\"abc\""]),

        ["server: DATA of padding only"] = new(Server,
            Concat(ServerStart, Headers(1, new HpackBlock().Indexed(8)), Data(1, "", endStream: true, pad: 4)),
            [.. ServerSettings, "HEADERS @24-34 stream=1 [:status: 200]", "DATA @34-48 stream=1 length=0 end_stream preview=\"\""]),

        ["client: HEADERS with the PRIORITY flag carry the field block after the priority fields"] = new(Client,
            Concat(ClientStart, Headers(1, Get(), endStream: true, priority: (true, 0, 256)),
                Headers(3, Get(), endStream: true, pad: 2, priority: (false, 1, 16))),
            [ClientSettings, $"HEADERS @45-75 stream=1 end_stream {GetFields}",
             "HEADERS @75-108 stream=3 end_stream [:method: GET][:scheme: https][:path: /][:authority: example.com]"]),

        ["client: frames of unknown type are skipped"] = new(Client,
            Concat(ClientStart, Frame(0xFA, 0xFF, 0, [1, 2, 3]), Frame(0x10, 0, 1, []), Headers(1, Get(), endStream: true)),
            [ClientSettings, $"HEADERS @66-91 stream=1 end_stream {GetFields}"]),

        // A stream's WINDOW_UPDATE is an event only for the §5.1 check (none on a stream never opened).
        ["client: PING, the connection's WINDOW_UPDATE and PRIORITY give no events"] = new(Client,
            Concat(ClientStart, Ping(0x0102030405060708), WindowUpdate(0, 1 << 20), Priority(1, 0, 200), Headers(1, Get(), endStream: true),
                WindowUpdate(1, 100), Ping(7, ack: true)),
            [ClientSettings, $"HEADERS @89-114 stream=1 end_stream {GetFields}", "WINDOW_UPDATE @114 stream=1 increment=100"]),

        ["client: request body and trailers"] = new(Client,
            Concat(ClientStart, Headers(1, new HpackBlock().Indexed(3).Indexed(7).Incremental(4, "/upload").Incremental(1, "h")),
                Data(1, "payload"), Headers(1, new HpackBlock().WithoutIndexing("x-checksum", "abc"), endStream: true)),
            [ClientSettings, "HEADERS @45-68 stream=1 [:method: POST][:scheme: https][:path: /upload][:authority: h]",
             "DATA @68-84 stream=1 length=7 preview=\"payload\"", "HEADERS @84-109 stream=1 end_stream [x-checksum: abc]"]),

        ["server: RST_STREAM"] = new(Server,
            Concat(ServerStart, RstStream(1, 8)),
            [.. ServerSettings, "RST_STREAM @24 stream=1 error=8"]),

        ["server: GOAWAY with debug data"] = new(Server,
            Concat(ServerStart, Headers(1, new HpackBlock().Indexed(8), endStream: true), GoAway(1, 0, "bye")),
            [.. ServerSettings, "HEADERS @24-34 stream=1 end_stream [:status: 200]", "GOAWAY @34 last_stream=1 error=0 debug=\"bye\""]),

        ["server: PUSH_PROMISE carries the promised request"] = new(Server,
            Concat(ServerStart,
                PushPromise(1, 2, new HpackBlock().Indexed(2).Indexed(7).Incremental(4, "/style.css").WithoutIndexing(1, "example.com")),
                Headers(1, new HpackBlock().Indexed(8), endStream: true),
                Headers(2, new HpackBlock().Indexed(8)), Data(2, "body{}", endStream: true)),
            [.. ServerSettings,
             "PUSH_PROMISE promised=2 @24-64 stream=1 [:method: GET][:scheme: https][:path: /style.css][:authority: example.com]",
             "HEADERS @64-74 stream=1 end_stream [:status: 200]", "HEADERS @74-84 stream=2 [:status: 200]",
             "DATA @84-99 stream=2 length=6 end_stream preview=\"body{}\""]),

        ["server: SETTINGS raising MAX_FRAME_SIZE and HEADER_TABLE_SIZE"] = new(Server,
            Concat(Settings((1, 65536), (5, 1 << 20)), SettingsAck()),
            ["SETTINGS @0 1=65536 5=1048576", "SETTINGS @21 ack"]),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void StreamGivesTheExpectedEventsAndNoErrors(string name)
    {
        var c = Cases[name];
        var result = Run(c.ClientToServer, Script(c.Stream, new Step.Close()), Whole);

        Assert.Equal(c.Expected, result.Events);
        Assert.Empty(result.Errors);
        Assert.Equal(c.Stream.Length, result.Position);
        Assert.False(result.StartedMidConnection);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void StreamGivesTheSameEventsHoweverItIsSplit(string name)
    {
        var c = Cases[name];
        var script = Script(c.Stream, new Step.Close());
        string whole = Run(c.ClientToServer, script, Whole).ToString();
        foreach (var (how, split) in AllSplitters())
        {
            string result = Run(c.ClientToServer, script, split).ToString();
            Assert.True(whole == result, $"fed {how}:\n{result}\nwhole:\n{whole}");
        }
        for (int cut = 1; cut < c.Stream.Length; cut++)
        {
            string result = Run(c.ClientToServer, script, TwoPieces(cut)).ToString();
            Assert.True(whole == result, $"cut at {cut}:\n{result}\nwhole:\n{whole}");
        }
    }
}
