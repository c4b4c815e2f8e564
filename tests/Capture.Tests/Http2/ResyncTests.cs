using Capture.Hpack;
using System.Text;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.Frames;
using static Capture.Tests.Http2.Http2Harness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http2;

/// <summary>
/// Captures that did not see the connection start, or lost bytes: the parser finds the next frame boundary
/// (a plausible frame header followed by another), decodes with the HPACK context marked unknown, and never
/// reports a wrong field. A gap inside one frame's payload costs only that frame's octets.
/// </summary>
public sealed class ResyncTests
{
    private sealed record Case(bool ClientToServer, Step[] Script, string[] Expected, bool MidConnection, bool ContextLost);

    private const bool Client = true, Server = false;

    private static byte[] Text(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>Server preface (24 octets) and a response on stream 1 that adds (x-a, 1) to the table (24-41).</summary>
    private static readonly byte[] ServerStart = Concat(Settings((3, 100)), SettingsAck(),
        Headers(1, new HpackBlock().Indexed(8).Incremental("x-a", "1")));
    private static readonly string[] ServerStartEvents =
        ["SETTINGS @0 3=100", "SETTINGS @15 ack", "HEADERS @24-41 stream=1 [:status: 200][x-a: 1]"];

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["server capture begins inside a DATA frame: resync, static and literal fields decode, unseen entries are unknown"] = new(Server,
            Script(
                Text("the end of an earlier response body"), // 35 octets of a DATA payload
                Headers(3, new HpackBlock().Indexed(8).Indexed(63).WithoutIndexing(31, "text/html").Incremental("x-new", "1")),
                Data(3, "<html>", endStream: true),
                Headers(5, new HpackBlock().Indexed(8).Indexed(62).Indexed(64), endStream: true),
                new Step.Close()),
            [
                "RESYNC @35 skipped=35",
                "HEADERS @35-67 stream=3 context_lost [:status: 200][<unknown>: <unknown>][content-type: text/html][x-new: 1]",
                "DATA @67-82 stream=3 length=6 end_stream preview=\"<html>\"",
                "HEADERS @82-94 stream=5 end_stream context_lost [:status: 200][x-new: 1][<unknown>: <unknown>]",
            ], MidConnection: true, ContextLost: true),

        ["client capture without the preface, at a frame boundary"] = new(Client,
            Script(
                Headers(1, new HpackBlock().Indexed(2).Indexed(7).Indexed(4).Incremental(1, "example.com"), endStream: true),
                Headers(3, new HpackBlock().Indexed(2).Indexed(7).Indexed(4).Indexed(62).Indexed(63), endStream: true),
                new Step.Close()),
            [
                "RESYNC @0 skipped=0",
                "HEADERS @0-25 stream=1 end_stream [:method: GET][:scheme: https][:path: /][:authority: example.com]",
                "HEADERS @25-39 stream=3 end_stream context_lost [:method: GET][:scheme: https][:path: /][:authority: example.com][<unknown>: <unknown>]",
            ], MidConnection: true, ContextLost: true),

        ["client capture begins inside a field block: its CONTINUATION is skipped silently"] = new(Client,
            Script(
                new HpackBlock().Incremental(1, "example.com"), // 13 octets: the end of a HEADERS payload
                Continuation(1, new HpackBlock().Indexed(84)),
                Headers(3, new HpackBlock().Indexed(2).Indexed(7).Indexed(5).WithoutIndexing(1, "x"), endStream: true),
                new Step.Close()),
            [
                "RESYNC @13 skipped=13",
                "HEADERS @23-38 stream=3 end_stream [:method: GET][:scheme: https][:path: /index.html][:authority: x]",
            ], MidConnection: true, ContextLost: true),

        ["capture that joined an open connection starts with a gap"] = new(Server,
            Script(1000, Headers(1, new HpackBlock().Indexed(8)), Data(1, "x", endStream: true), new Step.Close()),
            [
                "GAP @0 length=1000 framing_lost",
                "RESYNC @1000 skipped=0",
                "HEADERS @1000-1010 stream=1 [:status: 200]",
                "DATA @1010-1020 stream=1 length=1 end_stream preview=\"x\"",
            ], MidConnection: true, ContextLost: true),

        ["a plausible header followed by garbage is not a frame boundary"] = new(Server,
            Script(
                Text("xy"), Frame(0x4, 0, 0, Text("abcdef")), Text("garbage!"), // a SETTINGS-like frame, then no frame header
                Headers(1, new HpackBlock().Indexed(8)), Data(1, "ok", endStream: true), new Step.Close()),
            [
                "RESYNC @25 skipped=25",
                "HEADERS @25-35 stream=1 [:status: 200]",
                "DATA @35-46 stream=1 length=2 end_stream preview=\"ok\"",
            ], MidConnection: true, ContextLost: true),

        ["gap inside a DATA payload: the frame is reported with its lost octets and the HPACK context is kept"] = new(Server,
            Script(
                Concat(ServerStart, Data(1, "0123456789")[..13]), 3, Data(1, "0123456789")[16..],
                Headers(3, new HpackBlock().Indexed(8).Indexed(62), endStream: true), new Step.Close()),
            [
                .. ServerStartEvents,
                "GAP @54 length=3 stream=1",
                "DATA @41-60 stream=1 length=10 lost=3 preview=\"0123789\"",
                "HEADERS @60-71 stream=3 end_stream [:status: 200][x-a: 1]",
            ], MidConnection: false, ContextLost: false),

        ["gap across frame boundaries: resync, and the HPACK context is unknown from then on"] = new(Server,
            Script(
                Concat(ServerStart, Data(1, "0123456789")[..13]), 20,
                Data(1, "abcdefghij")[14..], // the rest of a DATA frame whose header was lost
                Headers(3, new HpackBlock().Indexed(8).Indexed(62), endStream: true), Data(3, "z", endStream: true), new Step.Close()),
            [
                .. ServerStartEvents,
                "DATA @41-60 stream=1 length=10 lost=6 preview=\"0123\"",
                "GAP @54 length=20 framing_lost",
                "RESYNC @79 skipped=5",
                "HEADERS @79-90 stream=3 end_stream context_lost [:status: 200][<unknown>: <unknown>]",
                "DATA @90-100 stream=3 length=1 end_stream preview=\"z\"",
            ], MidConnection: false, ContextLost: true),

        ["gap inside a HEADERS payload: the block is cut before its first whole field, framing is kept, the HPACK context is not"] = new(Server,
            Script(
                Concat(ServerStart[..24], Headers(1, new HpackBlock().WithoutIndexing(31, "text/plain").Indexed(8))[..16]), 2,
                Headers(1, new HpackBlock().WithoutIndexing(31, "text/plain").Indexed(8))[18..],
                Headers(3, new HpackBlock().Indexed(8).Indexed(62), endStream: true), new Step.Close()),
            [
                "SETTINGS @0 3=100", "SETTINGS @15 ack",
                "GAP @40 length=2 stream=1",
                "HEADERS @24-47 stream=1 cut ",
                "HEADERS @47-58 stream=3 end_stream context_lost [:status: 200][<unknown>: <unknown>]",
            ], MidConnection: false, ContextLost: true),

        ["gap inside a HEADERS payload whose block continues: its CONTINUATION is skipped silently"] = new(Server,
            Script(
                Concat(ServerStart[..24], Headers(1, new HpackBlock().WithoutIndexing(31, "text/plain"), endHeaders: false)[..16]), 2,
                Headers(1, new HpackBlock().WithoutIndexing(31, "text/plain"), endHeaders: false)[18..],
                Continuation(1, new HpackBlock().Indexed(8)),
                Headers(3, new HpackBlock().Indexed(8), endStream: true), new Step.Close()),
            [
                "SETTINGS @0 3=100", "SETTINGS @15 ack",
                "GAP @40 length=2 stream=1",
                "HEADERS @24-46 stream=1 cut ",
                "HEADERS @56-66 stream=3 end_stream [:status: 200]",
            ], MidConnection: false, ContextLost: true),

        ["gap inside the client preface"] = new(Client,
            Script(Preface[..10], 14, Settings(), Headers(1, new HpackBlock().Indexed(2), endStream: true), new Step.Close()),
            [
                "GAP @10 length=14 framing_lost",
                "RESYNC @24 skipped=0",
                "SETTINGS @24",
                "HEADERS @33-43 stream=1 end_stream [:method: GET]",
            ], MidConnection: false, ContextLost: true),

        ["stream that ends while scanning: a last frame ending exactly at the end is taken"] = new(Server,
            Script(Text("tail of a body"), GoAway(0, 0), new Step.Close()),
            ["RESYNC @14 skipped=14", "GOAWAY @14 last_stream=0 error=0 debug=\"\""], MidConnection: true, ContextLost: true),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ParserResynchronisesAndReportsOnlyWhatItKnows(string name)
    {
        var c = Cases[name];
        var result = Run(c.ClientToServer, c.Script, Whole);

        Assert.Equal(c.Expected, result.Events);
        Assert.Empty(result.Errors);
        Assert.Equal(c.MidConnection, result.StartedMidConnection);
        Assert.Equal(c.ContextLost, result.ContextLost);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ResynchronisationDoesNotDependOnHowBytesAreSplit(string name)
    {
        var c = Cases[name];
        string whole = Run(c.ClientToServer, c.Script, Whole).ToString();
        foreach (var (how, split) in AllSplitters())
        {
            string result = Run(c.ClientToServer, c.Script, split).ToString();
            Assert.True(whole == result, $"fed {how}:\n{result}\nwhole:\n{whole}");
        }
    }

    [Fact]
    public void ResynchronisationNeedsNoEndWhenMoreFramesFollow()
    {
        // The SETTINGS-like header at 2 and a DATA-like one at 3 (length 1540) are plausible; the second is only
        // refuted once 1540 more octets arrived. Everything after is found without the stream ending.
        var frames = Enumerable.Range(0, 40).SelectMany(i => Concat(Headers(2 * i + 1, new HpackBlock().Indexed(8)),
            Data(2 * i + 1, new string('x', 40), endStream: true))).ToArray();
        var parser = Parse(Server, Script(Text("xy"), Frame(0x4, 0, 0, Text("abcdef")), Text("garbage!"), frames), Whole);

        Assert.Equal("RESYNC @25 skipped=25", Describe(parser.Events[0]));
        Assert.Equal(81, parser.Events.Count);
        Assert.Empty(parser.Errors);
    }
}
