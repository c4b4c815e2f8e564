using Capture.Hpack;
using Capture.Analyzer.Http2;
using Capture.Tests.Support;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// When a response began: `ttfb_ms` runs to its first byte, an interim 1xx one's included, and the final response to its
/// header section (RFC 9110 §15.2: a 1xx is interim). A trailer section begins nothing (RFC 9113 §8.1: it ends the
/// message); a response seen only from its trailers, or DATA, after frames of its direction were lost (see
/// <see cref="TrailersWithoutHeadTests"/>) began in what was lost, and when is not known: neither time is given.
/// </summary>
public sealed class ResponseStartTests : IDisposable
{
    private static readonly HpackBlock GrpcOk = new HpackBlock().WithoutIndexing("grpc-status", "0");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_final_response_begins_at_its_header_section_after_an_interim_one_and_not_at_its_trailers()
    {
        byte[] hints = Headers(1, Status(103));
        byte[] head = Headers(1, Status(200));
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, hints, head, Data(1, "x"), Headers(1, GrpcOk, endStream: true)]);

        Assert.Equal((18L, 18L + hints.Length, false), (stream.ResponseStartOffset, stream.FinalResponseOffset, stream.ResponseStartLost));
    }

    [Fact]
    public void A_response_seen_only_from_its_trailers_after_a_hole_has_no_known_start()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)], [ServerStart, 40, Headers(1, GrpcOk, endStream: true)]);

        Assert.Equal((null, true), (stream.FinalResponseOffset, stream.ResponseStartLost));
    }

    [Fact]
    public void A_response_whose_DATA_came_first_with_nothing_lost_began_with_that_DATA()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Data(1, "x"), Headers(1, Status(200)), Data(1, "y", endStream: true)]);

        Assert.False(stream.ResponseStartLost);
    }

    [Fact]
    public void An_exchange_whose_response_head_was_lost_has_no_time_to_first_byte_rather_than_the_trailers_time()
    {
        var rec = new SyntheticRecording(_dir.File("lost-head.db"));
        rec.Connection("grpc-client", 30, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Concat(ClientStart, Headers(1, Get("/a"), endStream: true)))
            .ServerSends(2, ServerStart)
            .ServerLoses(40)
            .ServerSends(250, Headers(1, GrpcOk, endStream: true));
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, exchange.GetProperty("ttfb_ms").ValueKind);
        Assert.Equal(249, exchange.GetProperty("duration_ms").GetDouble());
    }
}
