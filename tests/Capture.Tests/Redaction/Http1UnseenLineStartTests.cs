using System.Text;
using Capture.Recorder.Interop;

namespace Capture.Tests.Redaction;

/// <summary>
/// Where the bytes before a direction's first captured byte were not captured (the recorder joined the connection
/// mid-way, or a hole), the line they begin may be the rest of one whose start was lost: "ie: session=…" is a Cookie
/// field whose name went with the hole. Such a line is stored as filler up to its end, unless it is a start line
/// (which resynchronises the direction); the lines after it are read as before.
/// </summary>
public sealed class Http1UnseenLineStartTests
{
    [Fact]
    public void A_direction_first_captured_past_its_start_stores_its_first_line_as_filler()
    {
        var harness = new RedactionHarness()
            .Send(Direction.Ingress, Encoding.ASCII.GetBytes("ie: session=SECRETTAIL\r\nHost: a\r\n\r\n"), lost: 500);
        string stored = harness.StoredText(Direction.Ingress);

        Assert.Equal(new string('*', "ie: session=SECRETTAIL".Length) + "\r\nHost: a\r\n\r\n", stored);
        Assert.Equal(1, harness.Policy.Overflows);
    }

    [Fact]
    public void A_connection_joined_mid_stream_stores_a_first_line_that_is_no_start_line_as_filler_wherever_it_is_cut()
    {
        var head = Encoding.ASCII.GetBytes("ie: session=SECRETTAIL\r\n\r\n");
        for (int cut = 1; cut < head.Length; cut++)
        {
            string stored = new RedactionHarness().JoinedMidStream().SendSplit(Direction.Ingress, head, cut).Close().StoredText(Direction.Ingress);

            Assert.Equal(new string('*', "ie: session=SECRETTAIL".Length) + "\r\n\r\n", stored);
        }
    }

    [Fact]
    public void A_line_after_a_hole_between_two_header_lines_is_filler_for_it_may_be_a_secret_fields_rest()
    {
        string stored = new RedactionHarness()
            .Send(Direction.Egress, "GET / HTTP/1.1\r\nHost: a\r\n")
            .Send(Direction.Egress, Encoding.ASCII.GetBytes("ie: session=SECRETAFTERHOLE\r\nAccept: */*\r\n\r\n"), lost: 4)
            .StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRETAFTERHOLE", stored);
        Assert.EndsWith("\r\nAccept: */*\r\n\r\n", stored);
    }

    [Fact]
    public void A_start_line_after_a_hole_is_kept_and_read()
    {
        string stored = new RedactionHarness()
            .Send(Direction.Egress, "GET / HTTP/1.1\r\nHost: a\r\n")
            .Send(Direction.Egress, Encoding.ASCII.GetBytes("GET /b?token=SECRETQ HTTP/1.1\r\nCookie: id=SECRETC\r\n\r\n"), lost: 40)
            .StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRET", stored);
        Assert.Contains("GET /b?token=", stored);
        Assert.Contains("\r\nCookie: id=", stored);
    }

    [Fact]
    public void A_body_joined_mid_way_is_filler_to_its_first_line_end_and_a_header_like_line_in_it_is_still_redacted()
    {
        // Failing closed may rewrite body bytes: after a hole nothing tells a body's line from a header's.
        string stored = new RedactionHarness().JoinedMidStream()
            .Send(Direction.Egress, "rest of a body\nAuthorization: Bearer SECRETINBODY\n")
            .StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRETINBODY", stored);
        Assert.StartsWith(new string('*', "rest of a body".Length) + "\nAuthorization: Bearer ", stored);
    }
}
