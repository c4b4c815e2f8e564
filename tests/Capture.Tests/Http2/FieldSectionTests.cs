using Capture.Hpack;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// RFC 9113 §8.2.1 and §8.3: a field section whose pseudo-header fields are repeated, out of place, of the other kind
/// or missing (a request's :method, :scheme and :path, a response's :status), a :status that is not three digits, or whose names have uppercase letters, makes its stream malformed. The status
/// shown stays the first :status, and the flag says not to trust it.
/// </summary>
public sealed class FieldSectionTests
{
    private static KeyValuePair<string, string>[] F(params string[] fields) =>
        [.. fields.Select(f => f.Split(": ", 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1]))];

    private sealed record Case(string[] Fields, Http2Section Section, bool Whole, string? Violation);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["a well-formed request"] = new([":method: GET", ":scheme: https", ":path: /", ":authority: a", "accept: */*"], Http2Section.Request, true, null),
        ["a well-formed response"] = new([":status: 200", "content-type: text/plain"], Http2Section.Response, true, null),
        ["a :status repeated"] = new([":status: 200", ":status: 500"], Http2Section.Response, true, "pseudo-header field :status repeated (RFC 9113 §8.3)"),
        ["a pseudo-header after a regular field"] = new(["x-a: 1", ":status: 404"], Http2Section.Response, true,
            "pseudo-header field :status after the regular field x-a (RFC 9113 §8.3)"),
        ["a request's pseudo-header in a response"] = new([":status: 200", ":path: /evil"], Http2Section.Response, true,
            "pseudo-header field :path is not defined for a response (RFC 9113 §8.3)"),
        ["a :status in a request"] = new([":method: GET", ":status: 200"], Http2Section.Request, true,
            "pseudo-header field :status is not defined for a request (RFC 9113 §8.3)"),
        ["an undefined pseudo-header"] = new([":method: GET", ":foo: 1"], Http2Section.Request, true, "pseudo-header field :foo is not defined for a request (RFC 9113 §8.3)"),
        ["a pseudo-header in trailers"] = new([":status: 500", "grpc-status: 13"], Http2Section.Trailers, true,
            "pseudo-header field :status is not defined for trailers (RFC 9113 §8.3)"),
        ["an uppercase name"] = new([":status: 200", "Content-Type: text/plain"], Http2Section.Response, true,
            "field name Content-Type has uppercase letters (RFC 9113 §8.2.1)"),
        ["a response without :status"] = new(["content-type: text/plain"], Http2Section.Response, true, "response without :status (RFC 9113 §8.3.2)"),
        ["a cut or partly unknown response without :status"] = new(["content-type: text/plain"], Http2Section.Response, false, null),
        ["an unknown field is neither kind"] = new([":method: GET", "<unknown>: <unknown>", ":path: /"], Http2Section.Request, true, null),
        ["a :path that is no absolute path"] = new([":method: GET", ":scheme: https", ":path: noslash?a=1", ":authority: a"], Http2Section.Request, true,
            ":path noslash?a=1 is neither an absolute path nor * of an OPTIONS (RFC 9113 §8.3.1)"),
        ["a :path of * on a GET"] = new([":method: GET", ":scheme: https", ":path: *", ":authority: a"], Http2Section.Request, true,
            ":path * is neither an absolute path nor * of an OPTIONS (RFC 9113 §8.3.1)"),
        ["an OPTIONS for the server as a whole"] = new([":method: OPTIONS", ":scheme: https", ":path: *", ":authority: a"], Http2Section.Request, true, null),
        ["extended CONNECT's :protocol (RFC 8441)"] = new([":method: CONNECT", ":protocol: websocket", ":scheme: https", ":path: /chat", ":authority: a"],
            Http2Section.Request, true, null),
        ["a request without :method"] = new([":scheme: https", ":path: /", ":authority: a"], Http2Section.Request, true, "request without :method (RFC 9113 §8.3.1)"),
        ["a request without :scheme"] = new([":method: GET", ":path: /", ":authority: a"], Http2Section.Request, true, "request without :scheme (RFC 9113 §8.3.1)"),
        ["a request without :path"] = new([":method: GET", ":scheme: https", ":authority: a"], Http2Section.Request, true, "request without :path (RFC 9113 §8.3.1)"),
        ["a request without any pseudo-header field"] = new(["x-checksum: 1"], Http2Section.Request, true, "request without :method (RFC 9113 §8.3.1)"),
        ["a cut or partly unknown request without :path"] = new([":method: GET", ":scheme: https"], Http2Section.Request, false, null),
        ["a request whose missing :path may be an unknown field"] = new([":method: GET", ":scheme: https", "<unknown>: <unknown>"], Http2Section.Request, true, null),
        ["a CONNECT names only its authority (RFC 9113 §8.5)"] = new([":method: CONNECT", ":authority: a:443"], Http2Section.Request, true, null),
        ["a CONNECT without :authority"] = new([":method: CONNECT"], Http2Section.Request, true, "CONNECT request without :authority (RFC 9113 §8.5)"),
        ["a CONNECT with a :path"] = new([":method: CONNECT", ":path: /", ":authority: a:443"], Http2Section.Request, true,
            "CONNECT request with :path (RFC 9113 §8.5)"),
        ["a :status of two digits"] = new([":status: 20"], Http2Section.Response, true, ":status 20 is not three digits (RFC 9113 §8.3.2)"),
        ["a :status with a sign"] = new([":status: +20"], Http2Section.Response, true, ":status +20 is not three digits (RFC 9113 §8.3.2)"),
        ["a :status of four digits"] = new([":status: 2000"], Http2Section.Response, true, ":status 2000 is not three digits (RFC 9113 §8.3.2)"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Field_sections_break_the_rules_of_RFC_9113_section_8_as_stated(string name)
    {
        var c = Cases[name];
        Assert.Equal(c.Violation, Http2FieldSection.Violation(F(c.Fields), c.Section, c.Whole));
    }

    [Fact]
    public void A_response_with_two_statuses_keeps_the_first_and_is_flagged_malformed()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(200).WithoutIndexing(8, "500"), endStream: true)]);

        Assert.Equal((200, Http2StreamFlags.Malformed), (stream.Status, stream.Flags));
    }

    [Fact]
    public void A_status_that_is_not_three_digits_shows_no_status_and_flags_the_stream_malformed()
    {
        // int.TryParse read "+20" as 20 and " 200" as 200: a status the peer never sent.
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true), Headers(3, Get("/b"), endStream: true)],
            [ServerStart, Headers(1, new HpackBlock().WithoutIndexing(8, "+20"), endStream: true),
             Headers(3, new HpackBlock().WithoutIndexing(8, " 200"), endStream: true)]);

        Assert.Equal([(null, Http2StreamFlags.Malformed), (null, Http2StreamFlags.Malformed)], streams.Select(s => (s.Status, s.Flags)));
    }

    [Fact]
    public void A_request_without_a_method_flags_its_stream_malformed()
    {
        var stream = Single([ClientStart, Headers(1, new HpackBlock().Indexed(7).WithoutIndexing(4, "/a").WithoutIndexing(1, "example.com"), endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true)]);

        Assert.Equal((null, 200, Http2StreamFlags.Malformed), (stream.Method, stream.Status, stream.Flags));
    }

    [Fact]
    public void Trailers_with_a_pseudo_header_flag_the_stream_malformed()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(200)), Data(1, "x"), Headers(1, Status(500), endStream: true)]);

        Assert.Equal((200, Http2StreamFlags.Malformed), (stream.Status, stream.Flags));
    }

    [Fact]
    public void A_response_whose_status_was_in_an_unseen_table_entry_is_not_malformed()
    {
        // Joined mid-connection: the response refers to a dynamic table entry for its status.
        var stream = Single([Headers(1, Get("/a"), endStream: true)],
            ["tail of a frame"u8.ToArray(), Headers(1, new HpackBlock().Indexed(62).WithoutIndexing(31, "text/plain"), endStream: true)]);

        Assert.Equal(Http2StreamFlags.ContextLost, stream.Flags);
    }
}
