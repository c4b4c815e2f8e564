using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Reassembly;
using Capture.Hpack;
using static Capture.Tests.Http2.Frames;
using static Capture.Tests.Http2.Http2Harness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http2;

/// <summary>The captured bytes a server direction's analysis could not read as frames after a hole: what
/// `--export-pcapng` leaves out so that Wireshark, which does not look for a frame boundary, starts again on one.</summary>
public sealed class OrphanedFrameTailTests
{
    private const int ServerDirection = 1;

    /// <summary>Server preface and stream 1's response: 9 + 9 + 10 = 28 octets.</summary>
    private static readonly byte[] Start = Concat(Settings(), SettingsAck(), Headers(1, new HpackBlock().Indexed(8), endStream: true));

    /// <summary>Stream 3's response: a DATA frame of 1000 octets whose first 509 (header and 500 of payload) a hole lost,
    /// then stream 5's.</summary>
    private static readonly byte[] Data3 = Data(3, new string('a', 1000), endStream: true);
    private static readonly byte[] Response5 = Concat(Headers(5, new HpackBlock().Indexed(13)), Data(5, "gone", endStream: true));

    private static OrphanedFrameTail[] Tails(params object[] steps) =>
        [.. OrphanedFrameTail.In(Parse(clientToServer: false, Script(steps), Whole).Events, new ByteTimeline(), ServerDirection)];

    [Fact]
    public void A_hole_that_ends_inside_a_frame_leaves_the_rest_of_that_frame_from_the_hole_to_the_next_frame()
    {
        int lost = Data3.Length - 500;
        Assert.Equal([new OrphanedFrameTail(ServerDirection, Start.Length + lost, Start.Length + Data3.Length)],
            Tails(Start, lost, Data3[lost..], Response5, new Step.Close()));
    }

    [Fact]
    public void Holes_one_after_another_before_the_next_frame_make_one_tail_from_the_end_of_the_first()
    {
        // 200 octets of the payload captured between two holes: they were not read as frames either.
        int lost = Data3.Length - 500;
        Assert.Equal([new OrphanedFrameTail(ServerDirection, Start.Length + lost, Start.Length + Data3.Length)],
            Tails(Start, lost, Data3[lost..(lost + 200)], 100, Data3[(lost + 300)..], Response5, new Step.Close()));
    }

    [Fact]
    public void A_hole_that_ends_at_a_frame_boundary_leaves_no_tail()
    {
        Assert.Empty(Tails(Start, Data3.Length, Response5, new Step.Close()));
    }

    [Fact]
    public void A_hole_after_which_no_frame_boundary_is_found_leaves_no_tail_to_cut_the_bytes_at()
    {
        int lost = Data3.Length - 500;
        Assert.Empty(Tails(Start, lost, Data3[lost..], new Step.Close()));
    }
}
