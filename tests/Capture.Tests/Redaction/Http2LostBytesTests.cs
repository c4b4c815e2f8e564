using System.Text;
using Capture.Recorder.Interop;
using Capture.Tests.Http2;

namespace Capture.Tests.Redaction;

/// <summary>
/// Bytes lost in an HTTP/2 direction (a drop, a truncated call) where a header block is: what was held of the block,
/// and the rest of it after the hole, are stored as zeros (undecodable, never in clear); a CONTINUATION whose block
/// began before the capture saw it is zeros too, for a secret literal may stand in it as in any fragment. Bytes after a
/// hole that no frame header frames (until a call begins with a plausible one) may be any frame's, a header block's
/// too: zeros as well.
/// </summary>
public sealed class Http2LostBytesTests
{
    private static byte[] Start() => [.. Frames.Preface, .. Frames.Settings()];

    [Fact]
    public void A_header_frame_cut_by_lost_bytes_stores_neither_what_was_held_of_it_nor_its_rest_in_clear()
    {
        // Static table 23: authorization, a literal value in raw octets.
        byte[] stream = [.. Start(), .. Frames.Headers(1, new HpackBlock().Indexed(2).WithoutIndexing(23, "Bearer SECRETBEFOREHOLEANDAFTERHOLE")),
            .. Frames.Headers(3, new HpackBlock().Indexed(2))];
        int hole = stream.AsSpan().IndexOf("AND"u8);
        var harness = new RedactionHarness()
            .Send(Direction.Egress, stream[..hole])
            .Send(Direction.Egress, stream[(hole + 3)..], lost: 3)
            .Close();
        string stored = harness.StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRETBEFOREHOLE", stored);
        Assert.DoesNotContain("AFTERHOLE", stored);
        Assert.Equal(stream.Length - 3, harness.Stored(Direction.Egress).Length);
    }

    [Fact]
    public void A_continuation_whose_headers_frame_was_lost_is_stored_as_zeros()
    {
        var continuation = Frames.Continuation(3, new HpackBlock().WithoutIndexing(23, "Bearer SECRETINCONTINUATION"));
        var harness = new RedactionHarness()
            .Send(Direction.Egress, Start())
            .Send(Direction.Egress, continuation, lost: 60)
            .Send(Direction.Egress, Frames.Headers(5, new HpackBlock().Indexed(2)))
            .Close();
        var stored = harness.Stored(Direction.Egress);

        Assert.DoesNotContain("SECRETINCONTINUATION", Encoding.Latin1.GetString(stored));
        Assert.Equal(Start().Length + continuation.Length + Frames.Headers(5, new HpackBlock().Indexed(2)).Length, stored.Length);
    }

    [Fact]
    public void A_connection_joined_mid_stream_at_a_continuation_stores_it_as_zeros()
    {
        var continuation = Frames.Continuation(3, new HpackBlock().WithoutIndexing(23, "Bearer SECRETJOINEDCONT"));
        string stored = new RedactionHarness().JoinedMidStream().Send(Direction.Egress, continuation).Close().StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRETJOINEDCONT", stored);
    }

    [Fact]
    public void Bytes_after_a_hole_that_cut_a_frame_header_are_zeros_until_a_call_begins_with_a_frame()
    {
        var headers = Frames.Headers(1, new HpackBlock().Indexed(2), endHeaders: false);
        var continuation = Frames.Continuation(1, new HpackBlock().WithoutIndexing(23, "Bearer SECRETPASTFRAMEHEADER"));
        var next = Frames.Headers(3, new HpackBlock().Indexed(2));
        var harness = new RedactionHarness()
            .Send(Direction.Egress, [.. Start(), .. headers])
            .Send(Direction.Egress, continuation[11..], lost: 11) // its frame header and two octets lost
            .Send(Direction.Egress, next)
            .Close();
        var stored = harness.Stored(Direction.Egress);

        Assert.DoesNotContain("SECRETPASTFRAMEHEADER", Encoding.Latin1.GetString(stored));
        Assert.Equal(next, stored[^next.Length..]); // resynchronised on the call that begins with a frame
    }

    [Fact]
    public void After_a_hole_only_a_calls_first_event_may_resynchronise_not_a_later_piece_of_the_same_call()
    {
        // One call of more than 16 KiB comes as events of 16 KiB: its second begins mid-frame, wherever the first ended.
        // Here DATA payload that happens to read as a DATA frame header would swallow the HEADERS frame after it.
        var headers = Frames.Headers(5, new HpackBlock().Indexed(2).WithoutIndexing(23, "Bearer SECRETPIECE"));
        byte[] lookalike = [(byte)(headers.Length >> 16), (byte)(headers.Length >> 8), (byte)headers.Length, 0x0, 0x0, 0, 0, 0, 1];
        var first = Enumerable.Repeat((byte)'b', 16 * 1024).ToArray();
        byte[] second = [.. lookalike, .. headers];
        var harness = new RedactionHarness()
            .Send(Direction.Egress, Start())
            .Send(Direction.Egress, first, lost: 100, callBytes: first.Length + second.Length)
            .Send(Direction.Egress, second, callBytes: first.Length + second.Length)
            .Close();

        Assert.DoesNotContain("SECRETPIECE", harness.StoredText(Direction.Egress));
    }
}
