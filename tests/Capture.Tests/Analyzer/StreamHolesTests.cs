using Capture.Analyzer.Reassembly;
using Capture.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Analyzer;

/// <summary>
/// The export looks for HTTP/2 frame tails orphaned by a hole only in connections that have one, and tells those from
/// the chunks' positions and sizes alone: a hole is where the stream's reassembly would find one, whatever the protocol.
/// </summary>
public sealed class StreamHolesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private bool HasHole(Action<SyntheticRecording.Conn> traffic)
    {
        var rec = new SyntheticRecording(_dir.File($"holes-{Guid.NewGuid():N}.db"));
        traffic(rec.Connection("curl", 30, "client", "127.0.0.1:50000", "127.0.0.1:8080"));
        using var db = new SqliteConnection($"Data Source={rec.Save()};Mode=ReadOnly;Pooling=false");
        db.Open();
        return StreamHoles.AnyInside(db, 1);
    }

    [Fact]
    public void Calls_that_follow_each_other_in_both_directions_leave_no_hole() =>
        Assert.False(HasHole(c => c.ClientSends(1, "GET / HTTP/1.1\r\n\r\n").ServerSends(2, "HTTP/1.1 200 OK\r\n").ServerSends(3, "\r\n")));

    [Fact]
    public void Bytes_the_capture_lost_between_two_calls_are_a_hole() =>
        Assert.True(HasHole(c => c.ClientSends(1, "GET / HTTP/1.1\r\n\r\n").ServerSends(2, "HTTP/1.1 200 OK\r\n").ServerLoses(5).ServerSends(3, "\r\n")));

    [Fact]
    public void A_stream_whose_first_captured_byte_is_not_its_first_has_a_hole_at_its_start() =>
        Assert.True(HasHole(c => c.ClientLoses(3).ClientSends(1, "GET / HTTP/1.1\r\n\r\n")));

    [Fact]
    public void A_call_the_cap_cut_leaves_a_hole_before_the_next_call() =>
        Assert.True(HasHole(c => c.ServerSendsCapped(1, new byte[100], 10).ServerSends(2, "more")));

    [Fact]
    public void Bytes_kept_out_by_policy_are_not_a_hole() =>
        Assert.False(HasHole(c => c.ClientSends(1, "POST / HTTP/1.1\r\n\r\n").ClientElides(2, 40).ClientSends(3, "next")));

    [Fact]
    public void Bytes_lost_at_the_very_end_are_not_a_hole_inside_the_stream() =>
        Assert.False(HasHole(c => c.ClientSends(1, "GET / HTTP/1.1\r\n\r\n").ClientLoses(20)));
}
