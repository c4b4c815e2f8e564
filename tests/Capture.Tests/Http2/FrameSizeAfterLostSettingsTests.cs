using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.Frames;
using static Capture.Tests.Http2.Http2Harness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http2;

/// <summary>
/// A receiver may raise SETTINGS_MAX_FRAME_SIZE, and the sender may send larger frames once it has acknowledged that
/// SETTINGS (RFC 9113 §4.2, §6.5.3). When the capture lost or cut a SETTINGS of the receiver's, the size in force after
/// its acknowledgement is unknown: a frame read at a frame boundary is then taken up to the protocol's largest size,
/// 2^24-1, when its header is plausible (known type, defined flags, a stream its type and sender may use), instead of
/// being called too large and the frames after it lost. Scanning for a boundary after lost bytes still keeps to the
/// last size known, so a false frame header in the bytes after a hole cannot swallow the real frames behind it.
/// </summary>
public sealed class FrameSizeAfterLostSettingsTests
{
    private static readonly byte[] Upload = Concat(Headers(1, new HpackBlock().Indexed(3).Indexed(6).Indexed(4).WithoutIndexing(1, "s.test")),
        Data(1, new string('x', 20000), endStream: true));

    /// <summary>The server's SETTINGS as the client's parser follows them: its first, then frames lost in a hole of the server's.</summary>
    private static void FollowFirstThenLost(Http2DirectionParser client) =>
        client.FollowPeerSettings([new Http2SettingsEvent(0, Ack: false, []), new Http2SettingsEvent(40, Ack: false, [], Lost: true)]);

    [Fact]
    public void After_acknowledging_a_SETTINGS_lost_in_a_hole_a_frame_over_16384_bytes_is_read_whole()
    {
        var script = Script(Preface, Settings(), SettingsAck(), SettingsAck(), Upload, new Step.Close());

        foreach (var (how, split) in AllSplitters())
        {
            var result = Run(true, script, split, setup: FollowFirstThenLost);
            Assert.True(result.Errors.Length == 0, $"fed {how}: {string.Join("; ", result.Errors)}");
            Assert.StartsWith("DATA @", result.Events[^1]);
            Assert.Contains("length=20000 end_stream", result.Events[^1]);
            Assert.DoesNotContain(result.Events, e => e.StartsWith("RESYNC"));
        }
    }

    [Fact]
    public void A_SETTINGS_cut_by_the_capture_likewise_leaves_the_frame_size_open_after_its_acknowledgement()
    {
        var script = Script(Preface, Settings(), SettingsAck(), SettingsAck(), Upload, new Step.Close());

        var result = Run(true, script, Whole, setup: client => client.FollowPeerSettings(
            [new Http2SettingsEvent(0, Ack: false, []), new Http2SettingsEvent(40, Ack: false, [], Cut: true)]));

        Assert.Empty(result.Errors);
        Assert.Contains("length=20000 end_stream", result.Events[^1]);
    }

    [Fact]
    public void After_a_hole_in_the_senders_direction_that_may_have_hidden_the_acknowledgement_of_a_larger_size_it_is_open_too()
    {
        var get = new HpackBlock().Indexed(2).Indexed(6).Indexed(4).WithoutIndexing(1, "s.test");
        // Lost: the acknowledgement of the server's second SETTINGS, which raised the frame size.
        var script = Script(Preface, Settings(), SettingsAck(), 9, Headers(3, get, endStream: true), Headers(5, get, endStream: true),
            Headers(7, get), Data(7, new string('x', 20000), endStream: true), new Step.Close());

        var result = Run(true, script, Whole, setup: client => client.FollowPeerSettings(
            [new Http2SettingsEvent(0, Ack: false, []), new Http2SettingsEvent(40, Ack: false, [(5, 65536)])]));

        Assert.Empty(result.Errors);
        Assert.Contains("stream=7 length=20000 end_stream", result.Events[^1]);
    }

    [Fact]
    public void A_later_SETTINGS_that_names_the_frame_size_makes_it_known_again()
    {
        var script = Script(Preface, Settings(), SettingsAck(), SettingsAck(), SettingsAck(), Upload, new Step.Close());

        var result = Run(true, script, Whole, setup: client => client.FollowPeerSettings([new Http2SettingsEvent(0, Ack: false, []),
            new Http2SettingsEvent(40, Ack: false, [], Cut: true), new Http2SettingsEvent(60, Ack: false, [(5, 16384)])]));

        Assert.Contains(result.Errors, e => e.Contains("FrameTooLarge"));
    }

    [Fact]
    public void Before_that_acknowledgement_a_frame_over_16384_bytes_is_still_too_large()
    {
        var result = Run(true, Script(Preface, Settings(), SettingsAck(), Upload, new Step.Close()), Whole, setup: FollowFirstThenLost);

        Assert.Contains(result.Errors, e => e.Contains("FrameTooLarge: DATA frame of 20000 bytes exceeds the maximum frame size 16384"));
    }

    [Fact]
    public void A_frame_over_16384_bytes_whose_header_is_implausible_is_still_too_large()
    {
        // DATA on an even stream: the client sends DATA only on the odd streams it opens.
        var result = Run(true, Script(Preface, Settings(), SettingsAck(), SettingsAck(), Data(2, new string('x', 20000), endStream: true),
            new Step.Close()), Whole, setup: FollowFirstThenLost);

        Assert.Contains(result.Errors, e => e.Contains("FrameTooLarge"));
    }

    [Fact]
    public void Scanning_after_a_hole_keeps_to_the_known_frame_size_so_a_false_large_header_does_not_swallow_real_frames()
    {
        // After the hole: a plausible header claiming 20000 octets, whose end lands exactly on a real frame header; the
        // frames it would swallow are a request on stream 3.
        var request = Headers(3, new HpackBlock().Indexed(2).Indexed(6).Indexed(4).WithoutIndexing(1, "s.test"));
        int rest = 20000 - request.Length - 2 * 9;
        var swallowed = Concat(request, Data(3, new string('a', rest / 2)), Data(3, new string('b', rest - rest / 2), endStream: true));
        var falseHeader = Frame(0x0, 0, 5, [], length: 20000);
        var script = Script(Preface, Settings(), SettingsAck(), SettingsAck(), 40, falseHeader, swallowed,
            Headers(5, new HpackBlock().Indexed(2).Indexed(6).Indexed(4).WithoutIndexing(1, "s.test"), endStream: true), new Step.Close());

        var result = Run(true, script, Whole, setup: FollowFirstThenLost);

        Assert.Contains(result.Events, e => e.StartsWith("HEADERS") && e.Contains("stream=3"));
        Assert.Contains(result.Events, e => e.StartsWith("DATA") && e.Contains("stream=3") && e.Contains("end_stream"));
    }
}
