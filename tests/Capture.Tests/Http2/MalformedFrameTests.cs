using Capture.Hpack;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.Frames;
using static Capture.Tests.Http2.Http2Harness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http2;

/// <summary>
/// Frames that break RFC 9113: each case gives the exact errors (offset, code, message, stream) and the events
/// that still make sense, and the well-formed frame after it parses. Frames whose length is trusted are skipped;
/// a frame too large to be real makes the parser resynchronise.
/// </summary>
public sealed class MalformedFrameTests
{
    private sealed record Case(bool ClientToServer, byte[] Stream, string[] Errors, string[] Events, Http2Limits? Limits = null);

    /// <summary>Server preface (SETTINGS and ACK, 24 octets); every bad frame below starts at offset 24.</summary>
    private static readonly byte[] Start = Concat(Settings((3, 100)), SettingsAck());
    private static readonly string[] StartEvents = ["SETTINGS @0 3=100", "SETTINGS @15 ack"];

    /// <summary>A well-formed response HEADERS frame of 10 octets after each bad frame, to show the parser goes on.</summary>
    private static readonly byte[] Next = Headers(1, new HpackBlock().Indexed(8), endStream: true);
    private static string NextAt(long at, int stream = 1) => $"HEADERS @{at}-{at + 10} stream={stream} end_stream [:status: 200]";

    private static byte[] Bytes(int count, byte value = 0) => Enumerable.Repeat(value, count).ToArray();

    private static Case Server(byte[] bad, string[] errors, params string[] events) =>
        new(false, Concat(Start, bad, Next), errors, [.. StartEvents, .. events]);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // Streams a frame type may use, §6
        ["DATA on stream 0"] = Server(Data(0, "abc"),
            ["24 InvalidStreamId: DATA frame on stream 0"], NextAt(36)),
        ["HEADERS on stream 0"] = Server(Headers(0, new HpackBlock().Indexed(8)),
            ["24 InvalidStreamId: HEADERS frame on stream 0"], NextAt(34)),
        ["SETTINGS on a stream"] = Server(Frame(0x4, 0, 1, []),
            ["24 InvalidStreamId: SETTINGS frame on stream 1, expected stream 0 (stream 1)"], NextAt(33)),
        ["PUSH_PROMISE promising an odd stream"] = Server(PushPromise(1, 3, new HpackBlock().Indexed(2)),
            ["24 InvalidStreamId: PUSH_PROMISE promises stream 3, not an even stream the server may open (stream 1)"],
            "PUSH_PROMISE promised=3 @24-38 stream=1 [:method: GET]", NextAt(38)),

        // Lengths, §6.3-§6.9
        ["SETTINGS length not a multiple of 6"] = Server(Frame(0x4, 0, 0, Bytes(5)),
            ["24 InvalidFrameLength: SETTINGS frame length 5 is not a multiple of 6"], NextAt(38)),
        ["SETTINGS ACK with a payload"] = Server(Frame(0x4, Ack, 0, Bytes(6)),
            ["24 InvalidFrameLength: SETTINGS frame with ACK must be empty, got 6 bytes"], NextAt(39)),
        ["PING of 4 bytes"] = Server(Frame(0x6, 0, 0, Bytes(4)),
            ["24 InvalidFrameLength: PING frame must be 8 bytes, got 4"], NextAt(37)),
        ["RST_STREAM of 3 bytes"] = Server(Frame(0x3, 0, 1, Bytes(3)),
            ["24 InvalidFrameLength: RST_STREAM frame must be 4 bytes, got 3 (stream 1)"], NextAt(36)),
        ["WINDOW_UPDATE of 5 bytes"] = Server(Frame(0x8, 0, 0, Bytes(5)),
            ["24 InvalidFrameLength: WINDOW_UPDATE frame must be 4 bytes, got 5"], NextAt(38)),
        ["PRIORITY of 4 bytes"] = Server(Frame(0x2, 0, 1, Bytes(4)),
            ["24 InvalidFrameLength: PRIORITY frame must be 5 bytes, got 4 (stream 1)"], NextAt(37)),
        ["GOAWAY of 7 bytes"] = Server(Frame(0x7, 0, 0, Bytes(7)),
            ["24 InvalidFrameLength: GOAWAY frame must be at least 8 bytes, got 7"], NextAt(40)),
        ["HEADERS with PRIORITY shorter than the priority fields"] = Server(Frame(0x1, EndHeaders | PriorityFlag, 1, Bytes(3)),
            ["24 InvalidFrameLength: HEADERS frame of 3 bytes is shorter than its 5 bytes of fixed fields (stream 1)"], NextAt(36)),
        ["PADDED DATA without a Pad Length octet"] = Server(Frame(0x0, Padded, 1, []),
            ["24 InvalidFrameLength: DATA frame of 0 bytes is shorter than its 1 bytes of fixed fields (stream 1)"], NextAt(33)),

        // Padding, §6.1, §6.2
        ["HEADERS padding longer than the payload"] = Server(Frame(0x1, EndHeaders | Padded, 1, [10, 0x88]),
            ["24 InvalidPadding: HEADERS frame pad length 10 exceeds the 1 bytes after its fixed fields (stream 1)"], NextAt(35)),
        ["DATA padding longer than the payload"] = Server(Frame(0x0, Padded, 1, [5, (byte)'a', (byte)'b']),
            ["24 InvalidPadding: DATA frame pad length 5 exceeds the 2 bytes after its fixed fields (stream 1)"], NextAt(36)),

        // Values, §6.5.2, §6.9
        ["SETTINGS_MAX_FRAME_SIZE below 16384"] = Server(Settings((5, 100)),
            ["24 InvalidSetting: SETTINGS_MAX_FRAME_SIZE 100 is outside 16384..16777215"], "SETTINGS @24 5=100", NextAt(39)),
        ["SETTINGS_ENABLE_PUSH of 2"] = Server(Settings((2, 2)),
            ["24 InvalidSetting: SETTINGS_ENABLE_PUSH must be 0 or 1, got 2"], "SETTINGS @24 2=2", NextAt(39)),
        ["SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1"] = Server(Settings((4, 1u << 31)),
            ["24 InvalidSetting: SETTINGS_INITIAL_WINDOW_SIZE 2147483648 exceeds 2147483647"], "SETTINGS @24 4=2147483648", NextAt(39)),
        ["WINDOW_UPDATE with an increment of 0"] = Server(WindowUpdate(1, 0),
            ["24 ProtocolError: WINDOW_UPDATE with an increment of 0 (stream 1)"], "WINDOW_UPDATE @24 stream=1 increment=0", NextAt(37)),

        // Field blocks, §4.3, §6.10
        ["field block interrupted by DATA"] = Server(Concat(Headers(3, [0x88], endHeaders: false), Data(3, "x")),
            ["34 ContinuationExpected: field block of stream 3 interrupted by a DATA frame on stream 3 (stream 3)"],
            "HEADERS @24-34 stream=3 interrupted_by=\"DATA frame on stream 3\" ", "DATA @34-44 stream=3 length=1 preview=\"x\"", NextAt(44)),
        ["CONTINUATION on another stream"] = Server(Concat(Headers(3, [0x88], endHeaders: false), Continuation(5, [0x8d])),
            [
                "34 ContinuationExpected: field block of stream 3 interrupted by a CONTINUATION frame on stream 5 (stream 3)",
                "34 UnexpectedContinuation: CONTINUATION frame on stream 5 continues no field block (stream 5)",
            ], "HEADERS @24-34 stream=3 interrupted_by=\"CONTINUATION frame on stream 5\" ", NextAt(44)),
        ["CONTINUATION without a field block"] = Server(Continuation(1, [0x88]),
            ["24 UnexpectedContinuation: CONTINUATION frame on stream 1 continues no field block (stream 1)"], NextAt(34)),
        ["field block that HPACK cannot decode"] = Server(Headers(3, new HpackBlock().Indexed(2).Indexed(70)),
            ["24 CompressionError: HPACK InvalidIndex at byte 1 of the field block: index 70 is past the static table (61 entries) and the dynamic table (0 entries) (stream 3)"],
            "HEADERS @24-35 stream=3 malformed [:method: GET]", NextAt(35)),
        ["field block larger than the limit"] = new(false,
            Concat(Start, Headers(3, new HpackBlock().WithoutIndexing("x-big", "0123456789"), endHeaders: false),
                Continuation(3, new HpackBlock().Indexed(8)), Next),
            ["24 HeaderBlockTooLarge: field block of stream 3 exceeds 16 bytes (stream 3)"],
            [.. StartEvents, "HEADERS @24-61 stream=3 over_limit=19/16 ", NextAt(61)],
            new Http2Limits(MaxHeaderBlockBytes: 16)),

        // Who may send what, §5.1.1, §8.4
        ["PUSH_PROMISE sent by the client"] = new(true,
            Concat(Preface, Settings(), PushPromise(1, 2, new HpackBlock().Indexed(2)), Headers(1, new HpackBlock().Indexed(2), endStream: true)),
            ["33 ProtocolError: PUSH_PROMISE frame sent by the client (stream 1)"],
            ["SETTINGS @24", "PUSH_PROMISE promised=2 @33-47 stream=1 [:method: GET]", "HEADERS @47-57 stream=1 end_stream [:method: GET]"]),
        ["HEADERS on an even stream from the client"] = new(true,
            Concat(Preface, Settings(), Headers(2, new HpackBlock().Indexed(2), endStream: true)),
            ["33 InvalidStreamId: HEADERS frame from the client on even stream 2 (stream 2)"],
            ["SETTINGS @24", "HEADERS @33-43 stream=2 end_stream [:method: GET]"]),

        // Frame size, §4.2: a frame above SETTINGS_MAX_FRAME_SIZE is taken for lost framing.
        ["frame larger than the maximum frame size"] = new(false,
            Concat(Start, Data(1, new string('x', 20000)), Next, Data(1, "ok", endStream: true)),
            ["24 FrameTooLarge: DATA frame of 20000 bytes exceeds the maximum frame size 16384 (stream 1)"],
            [.. StartEvents, "RESYNC @20033 skipped=20008", NextAt(20033), "DATA @20043-20054 stream=1 length=2 end_stream preview=\"ok\""]),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    private static Http2Result Run(Case c, Splitter split) =>
        Http2Harness.Run(c.ClientToServer, Script(c.Stream, new Step.Close()), split, limits: c.Limits);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MalformedFrameGivesTheExactErrorAndParsingGoesOn(string name)
    {
        var c = Cases[name];
        var result = Run(c, Whole);

        Assert.Equal(c.Errors, result.Errors);
        Assert.Equal(c.Events, result.Events);
        Assert.Equal(c.Stream.Length, result.Position);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MalformedFrameGivesTheSameResultHoweverItIsSplit(string name)
    {
        var c = Cases[name];
        string whole = Run(c, Whole).ToString();
        foreach (var (how, split) in AllSplitters())
            Assert.True(whole == Run(c, split).ToString(), $"fed {how}:\n{Run(c, split)}\nwhole:\n{whole}");
        if (c.Stream.Length > 2000) return;
        for (int cut = 1; cut < c.Stream.Length; cut++)
            Assert.True(whole == Run(c, TwoPieces(cut)).ToString(), $"cut at {cut}:\n{Run(c, TwoPieces(cut))}");
    }

    [Fact]
    public void PeerSettingsRaiseTheMaximumFrameSize()
    {
        var stream = Concat(Start, Headers(1, new HpackBlock().Indexed(8)), Data(1, new string('x', 20000), endStream: true));

        var result = Http2Harness.Run(false, Script(stream), Whole, setup: p => p.SetPeerMaxFrameSize(1 << 20));

        Assert.Empty(result.Errors);
        Assert.StartsWith("DATA @34-20043 stream=1 length=20000 end_stream preview=", result.Events[^1]);
    }

    [Fact]
    public void ErrorsOnAFrameMarkTheHpackContextLostWhenAFieldBlockIsSkipped()
    {
        var stream = Concat(Start, Frame(0x1, EndHeaders | Padded, 1, [10, 0x88]), Headers(3, new HpackBlock().Indexed(62)));

        var result = Http2Harness.Run(false, Script(stream), Whole);

        Assert.True(result.ContextLost);
        Assert.Equal("HEADERS @35-45 stream=3 context_lost [<unknown>: <unknown>]", result.Events[^1]);
    }

    [Fact]
    public void A_field_block_another_frame_interrupts_loses_the_HPACK_context_so_later_references_are_never_wrong()
    {
        // The encoder added (x-a, 1) in the interrupted block: index 62 is x-a now, not the y it was before.
        var stream = Concat(Start, Headers(1, new HpackBlock().Indexed(8).Incremental("y", "2"), endStream: true),
            Headers(3, new HpackBlock().Indexed(8).Incremental("x-a", "1"), endHeaders: false), Headers(5, new HpackBlock().Indexed(8)),
            Headers(7, new HpackBlock().Indexed(8).Indexed(62), endStream: true));

        var result = Http2Harness.Run(false, Script(stream), Whole);

        Assert.Equal("HEADERS @66-77 stream=7 end_stream context_lost [:status: 200][<unknown>: <unknown>]", result.Events[^1]);
    }
}
