using System.Text;
using Capture.Recorder.Interop;
using Capture.Recorder.Redaction;

namespace Capture.Tests.Redaction;

/// <summary>A line that is or may be secret and will not be seen whole (bytes of it were lost, or it outgrew what a
/// direction may hold back) fails closed: what is held of its secret, and the rest of the line when it comes, are
/// stored as filler.</summary>
public sealed class Http1UnfinishedLineTests
{
    [Fact]
    public void A_secret_value_cut_by_lost_bytes_is_filler_up_to_the_end_of_its_line()
    {
        var harness = new RedactionHarness()
            .Send(Direction.Egress, "GET / HTTP/1.1\r\nAuthorization: Bearer SECRETHEAD")
            .Send(Direction.Egress, Encoding.ASCII.GetBytes("SECRETAFTERHOLE\r\nHost: a\r\n\r\n"), lost: 100);
        string stored = harness.StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRET", stored);
        Assert.Contains("Authorization: " + new string('*', "Bearer SECRETHEAD".Length), stored);
        Assert.EndsWith(new string('*', "SECRETAFTERHOLE".Length) + "\r\nHost: a\r\n\r\n", stored);
        Assert.Equal(1, harness.Policy.Overflows);
    }

    [Fact]
    public void A_query_cut_by_lost_bytes_is_filler_up_to_the_end_of_its_line()
    {
        string stored = new RedactionHarness()
            .Send(Direction.Egress, "GET /a?token=SECRETHEAD")
            .Send(Direction.Egress, Encoding.ASCII.GetBytes("SECRETTAIL HTTP/1.1\r\nHost: a\r\n\r\n"), lost: 5)
            .StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRET", stored);
        Assert.StartsWith("GET /a?****", stored);
    }

    [Fact]
    public void A_secret_that_outgrew_the_hold_is_still_filler_after_lost_bytes()
    {
        var harness = new RedactionHarness()
            .Send(Direction.Egress, "GET / HTTP/1.1\r\nCookie: big=" + new string('S', DirectionFlow.MaxHeldBytes + 10))
            .Send(Direction.Egress, Encoding.ASCII.GetBytes("SECRETTAIL\r\n\r\n"), lost: 1000);
        string stored = harness.StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRETTAIL", stored);
        Assert.DoesNotContain("SSS", stored);
        Assert.EndsWith("**\r\n\r\n", stored);
    }

    [Fact]
    public void Giving_up_on_a_line_whose_name_is_unfinished_fills_the_rest_of_it_instead_of_reading_it_as_a_new_line()
    {
        // One write longer than the hold ends in the middle of a secret field's name.
        var harness = new RedactionHarness()
            .Send(Direction.Egress, "GET / HTTP/1.1\r\nX-Pad: " + new string('p', DirectionFlow.MaxHeldBytes) + "\r\nAuthoriz")
            .Send(Direction.Egress, "ation: Bearer SECRETGIVEUP\r\nHost: a\r\n\r\n");
        string stored = harness.StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRETGIVEUP", stored);
        Assert.EndsWith("\r\nAuthoriz" + new string('*', "ation: Bearer SECRETGIVEUP".Length) + "\r\nHost: a\r\n\r\n", stored);
    }
}
