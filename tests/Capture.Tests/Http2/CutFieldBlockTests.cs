using Capture.Hpack;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.Frames;
using static Capture.Tests.Http2.Http2Harness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http2;

/// <summary>
/// A field block whose frames were not all captured (the per-call cap cut the call that carried it, bytes were lost
/// inside it, or the recording ended in it). HPACK representations are read in order (RFC 7541 §3.2), so those
/// wholly before the cut decode exactly: they are kept, and the event says the block was cut. A representation the
/// cut runs through is not a fault of the sender. What the lost part did to the dynamic table is unknown, so the
/// context is lost from there on: a later reference to an entry shows as unknown, never as a wrong field. Octets lost
/// inside a frame are reported (GAP) before the frame, as for DATA.
/// </summary>
public sealed class CutFieldBlockTests
{
    private static readonly byte[] ServerStart = Concat(Settings(), SettingsAck()); // 18 octets

    /// <summary>:status 200, then (x-a, 1) added to the table, then a long server field (without indexing).</summary>
    private static readonly byte[] Response = Headers(1, new HpackBlock().Indexed(8).Incremental("x-a", "1")
        .WithoutIndexing("server", "a server name long enough to be cut"));

    /// <summary>Response's frame up to and into the server field's value: 9 + 1 + 7 octets are whole.</summary>
    private const int CutAt = 9 + 1 + 7 + 10;

    private static Http2Result RunServer(params object[] steps)
    {
        var script = Script([ServerStart, .. steps]);
        var whole = Run(false, script, Whole);
        foreach (var (how, split) in AllSplitters())
            Assert.True(whole.ToString() == Run(false, script, split).ToString(), $"fed {how}");
        return whole;
    }

    [Fact]
    public void A_response_block_cut_with_frames_after_it_keeps_the_fields_before_the_cut()
    {
        var result = RunServer(Response[..CutAt], Response.Length - CutAt + 100, // the rest, and frames after it
            Headers(3, new HpackBlock().Indexed(8).Indexed(62), endStream: true), new Step.Close());

        Assert.Equal([
            "SETTINGS @0", "SETTINGS @9 ack",
            $"HEADERS @18-{18 + Response.Length} stream=1 cut [:status: 200][x-a: 1]",
            $"GAP @{18 + CutAt} length={Response.Length - CutAt + 100} framing_lost",
            $"RESYNC @{18 + Response.Length + 100} skipped=0",
            // Whatever the lost part added to the table moved (x-a, 1) away from index 62.
            $"HEADERS @{18 + Response.Length + 100}-{18 + Response.Length + 100 + 11} stream=3 end_stream context_lost [:status: 200][<unknown>: <unknown>]",
        ], result.Events);
        Assert.Empty(result.Errors);
        Assert.True(result.ContextLost);
    }

    [Fact]
    public void A_response_block_cut_inside_its_frame_keeps_the_fields_before_the_cut_and_framing_goes_on()
    {
        var result = RunServer(Response[..CutAt], Response.Length - CutAt,
            Headers(3, new HpackBlock().Indexed(8).Indexed(62), endStream: true), new Step.Close());

        Assert.Equal([
            "SETTINGS @0", "SETTINGS @9 ack",
            $"GAP @{18 + CutAt} length={Response.Length - CutAt} stream=1",
            $"HEADERS @18-{18 + Response.Length} stream=1 cut [:status: 200][x-a: 1]",
            $"HEADERS @{18 + Response.Length}-{18 + Response.Length + 11} stream=3 end_stream context_lost [:status: 200][<unknown>: <unknown>]",
        ], result.Events);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void A_block_cut_in_its_CONTINUATION_keeps_the_HEADERS_fields_and_those_before_the_cut()
    {
        byte[] continuation = Continuation(1, new HpackBlock().WithoutIndexing("content-type", "text/plain").WithoutIndexing("x-b", "2"));
        var result = RunServer(Headers(1, new HpackBlock().Indexed(8), endStream: true, endHeaders: false),
            continuation[..(9 + 25)], continuation.Length - 9 - 25, new Step.Close());

        Assert.Equal([
            "SETTINGS @0", "SETTINGS @9 ack",
            $"GAP @{28 + 9 + 25} length={continuation.Length - 9 - 25} stream=1",
            $"HEADERS @18-{28 + continuation.Length} stream=1 end_stream cut [:status: 200][content-type: text/plain]",
        ], result.Events);
    }

    [Fact]
    public void A_padded_prioritised_block_cut_is_read_after_its_fixed_fields()
    {
        byte[] frame = Headers(1, new HpackBlock().Indexed(8).WithoutIndexing("x-long", new string('v', 40)), pad: 20,
            priority: (false, 0, 16));
        var result = RunServer(frame[..(9 + 1 + 5 + 1 + 3)], frame.Length - 19, new Step.Close());

        Assert.Equal([
            "SETTINGS @0", "SETTINGS @9 ack",
            $"GAP @{18 + 19} length={frame.Length - 19} stream=1",
            $"HEADERS @18-{18 + frame.Length} stream=1 cut [:status: 200]",
        ], result.Events);
    }

    [Fact]
    public void A_block_whose_padding_alone_was_lost_is_whole_and_keeps_the_table()
    {
        byte[] frame = Headers(1, new HpackBlock().Indexed(8).Incremental("x-a", "1"), pad: 10);
        int whole = frame.Length - 10;
        var result = RunServer(frame[..whole], 10, Headers(3, new HpackBlock().Indexed(8).Indexed(62), endStream: true), new Step.Close());

        Assert.Equal([
            "SETTINGS @0", "SETTINGS @9 ack",
            $"GAP @{18 + whole} length=10 stream=1",
            $"HEADERS @18-{18 + frame.Length} stream=1 [:status: 200][x-a: 1]",
            $"HEADERS @{18 + frame.Length}-{18 + frame.Length + 11} stream=3 end_stream [:status: 200][x-a: 1]",
        ], result.Events);
        Assert.False(result.ContextLost);
    }

    [Fact]
    public void A_block_the_recording_ended_in_keeps_its_fields_and_does_not_end_its_stream()
    {
        var result = RunServer(Headers(1, new HpackBlock().Indexed(8).Incremental("x-a", "1")
            .WithoutIndexing("server", "a server name long enough to be cut"), endStream: true)[..CutAt], new Step.Close());

        Assert.Equal([
            "SETTINGS @0", "SETTINGS @9 ack",
            $"HEADERS @18-{18 + Response.Length} stream=1 cut [:status: 200][x-a: 1]",
        ], result.Events);
    }

    [Fact]
    public void A_cut_PUSH_PROMISE_keeps_its_promised_stream_and_the_request_fields_before_the_cut()
    {
        byte[] push = PushPromise(1, 2, new HpackBlock().Indexed(2).Indexed(7).WithoutIndexing(4, "/style.css").WithoutIndexing(1, "example.com"));
        var result = RunServer(push[..(9 + 4 + 3 + 5)], push.Length - 21, new Step.Close());

        Assert.Equal([
            "SETTINGS @0", "SETTINGS @9 ack",
            $"GAP @{18 + 21} length={push.Length - 21} stream=1",
            $"PUSH_PROMISE promised=2 @18-{18 + push.Length} stream=1 cut [:method: GET][:scheme: https]",
        ], result.Events);
    }

    [Fact]
    public void A_HEADERS_frame_cut_inside_its_priority_fields_is_a_cut_block_with_no_fields_on_its_stream()
    {
        byte[] frame = Headers(1, new HpackBlock().Indexed(8), endStream: true, priority: (false, 0, 16));
        var result = RunServer(frame[..(9 + 2)], frame.Length - 11, new Step.Close());

        Assert.Equal([
            "SETTINGS @0", "SETTINGS @9 ack",
            $"GAP @{18 + 11} length={frame.Length - 11} stream=1",
            $"HEADERS @18-{18 + frame.Length} stream=1 end_stream cut ",
        ], result.Events);
    }
}
