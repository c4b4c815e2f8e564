using Capture.Tests.Support;
using Capture.Recorder.Interop;
using Capture.Tests.Http2;

namespace Capture.Tests.Redaction;

/// <summary>The recorder's redaction of HTTP/2 header blocks: HPACK literals rewritten at the same length, raw and
/// Huffman-coded, so that the Analyzer's own parser decodes the stored stream without an error.</summary>
public sealed class Http2RedactionTests
{
    // Static table (RFC 7541 Appendix A): 2 :method GET, 4 :path, 23 authorization, 32 cookie.
    private static byte[] ClientStream() =>
    [
        .. Frames.Preface,
        .. Frames.Settings(),
        .. Frames.Headers(1, new HpackBlock()
            .Indexed(2)
            .Incremental(4, "/api?page=1&token=SECRETQUERY", huffman: true)
            .Incremental(23, "Bearer SECRETH2TOKEN", huffman: true)
            .WithoutIndexing(32, "sid=SECRETCOOKIE; lang=en")
            .NeverIndexed("x-api-key", "SECRETAPIKEY", huffman: true), endStream: true, pad: 3, priority: (false, 0, 16)),
        .. Frames.Data(1, "authorization: SECRET-LOOKING-BODY"),
        // Stream 3 reuses the authorization entry (dynamic index 62; :path is 63) and sends a new token in a CONTINUATION.
        .. Frames.Headers(3, new HpackBlock().Indexed(2).Indexed(62), endHeaders: false),
        .. Frames.Continuation(3, new HpackBlock().WithoutIndexing(23, "Bearer SECRETOTHER00", huffman: true)),
    ];

    private static string[] Decode(byte[] stored)
    {
        var result = Http2Harness.Run(clientToServer: true, Http2Harness.Script(stored), StreamSplits.Whole);
        Assert.Empty(result.Errors);
        return result.Events;
    }

    private static byte[] Redact(byte[] stream, int[] cuts) =>
        new RedactionHarness().SendSplit(Direction.Egress, stream, cuts).Close().Stored(Direction.Egress);

    [Fact]
    public void Literal_values_are_rewritten_raw_and_huffman_and_the_stream_still_decodes()
    {
        var stream = ClientStream();
        var stored = Redact(stream, []);
        var events = Decode(stored);
        string all = string.Join("\n", events);

        Assert.Equal(stream.Length, stored.Length);
        Assert.DoesNotContain("SECRET", all.Replace("SECRET-LOOKING-BODY", ""));
        Assert.Contains("preview=\"authorization: SECRET-LOOKING-BODY\"", all); // DATA is not a header block
        Assert.Matches(@"\[:path: /api\?page=1&token=[0-9a-zA-Z_.-]+\]", all);
        Assert.Matches(@"\[authorization: Bearer [0-9a-zA-Z_.-]+\]", all);
        Assert.Matches(@"\[cookie: sid=[a-z2-7]{12}; lang=[a-z2-7]{2}\]", all);
    }

    [Fact]
    public void An_indexed_reference_carries_the_same_replacement_as_the_literal_that_inserted_it()
    {
        var events = Decode(Redact(ClientStream(), []));
        string First(string line) => System.Text.RegularExpressions.Regex.Match(line, @"\[authorization: ([^\]]*)\]").Groups[1].Value;
        var headers = events.Where(e => e.StartsWith("HEADERS")).ToArray();

        Assert.Equal(First(headers[0]), First(headers[1])); // stream 3's indexed field
        Assert.Contains("[authorization: Bearer ", headers[1][(headers[1].IndexOf("[authorization", StringComparison.Ordinal) + 10)..]);
        Assert.DoesNotContain("SECRETOTHER00", headers[1]);
    }

    [Fact]
    public void A_stream_cut_at_every_byte_is_redacted_the_same_as_whole()
    {
        var stream = ClientStream();
        var whole = Redact(stream, []);
        for (int cut = 1; cut < stream.Length; cut++) Assert.Equal(whole, Redact(stream, [cut]));
        Assert.Equal(whole, Redact(stream, Enumerable.Range(1, stream.Length - 1).ToArray()));
    }

    [Fact]
    public void A_client_speaking_HTTP1_to_a_server_that_sent_SETTINGS_first_is_redacted_as_HTTP1()
    {
        // The server's view: nghttpd writes its SETTINGS as it accepts, before reading a byte.
        var harness = new RedactionHarness()
            .Send(Direction.Egress, Frames.Settings())
            .Send(Direction.Ingress, "GET /?token=SECRETQUERY HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer SECRETTOKEN\r\n\r\n")
            .Close();

        string stored = harness.StoredText(Direction.Ingress);
        Assert.DoesNotContain("SECRET", stored);
        Assert.StartsWith("GET /?token=", stored);
    }

    [Fact]
    public void A_preface_read_in_two_pieces_after_the_servers_SETTINGS_is_redacted_as_HTTP2()
    {
        var stream = ClientStream();
        var stored = new RedactionHarness()
            .Send(Direction.Egress, Frames.Settings())
            .SendSplit(Direction.Ingress, stream, 16) // "PRI * HTTP/2.0\r\n", then the rest
            .Close().Stored(Direction.Ingress);

        Assert.Equal(Redact(stream, []), stored);
    }

    [Fact]
    public void Joined_mid_connection_a_literal_whose_name_is_unknown_is_replaced_whole()
    {
        // A literal naming dynamic entry 62, which the capture never saw inserted.
        var frame = Frames.Headers(5, new HpackBlock().WithoutIndexing(62, "SECRETUNKNOWNNAME"));
        var harness = new RedactionHarness();
        harness.Send(Direction.Egress, frame, lost: 1000);
        var stored = harness.Close().Stored(Direction.Egress);

        Assert.Equal(frame.Length, stored.Length);
        Assert.DoesNotContain("SECRETUNKNOWNNAME", System.Text.Encoding.Latin1.GetString(stored));
    }
    [Fact]
    public void Joined_mid_connection_its_frames_from_position_0_are_read_as_http2_and_their_secrets_replaced()
    {
        // The kernel counts a connection it joined mid-way from where it joined: its first frame is at position 0, and
        // it is no preface or SETTINGS, as a connection's own start would be. python3-h2 sends authorization never indexed.
        var request = Frames.Headers(5, new HpackBlock().Indexed(2).NeverIndexed(23, "Bearer SECRETMIDSTREAM", huffman: true), endStream: true);
        var response = Frames.Headers(5, new HpackBlock().Indexed(8).WithoutIndexing(55, "sid=SECRETSETCOOKIE"));
        var harness = new RedactionHarness().JoinedMidStream().Send(Direction.Egress, request).Send(Direction.Ingress, response).Close();

        var decoded = string.Join('\n', Decode([.. Frames.Preface, .. Frames.Settings(), .. harness.Stored(Direction.Egress)]));
        Assert.Contains("authorization", decoded);
        Assert.DoesNotContain("SECRETMIDSTREAM", decoded);
        Assert.Equal(request.Length, harness.Stored(Direction.Egress).Length);
        Assert.DoesNotContain("SECRETSETCOOKIE", harness.StoredText(Direction.Ingress));
    }

    // Static table: 1 :authority, 2 :method GET, 4 :path /, 8 :status 200. Dynamic entries are numbered from 62, newest
    // first: after stream 1, 62 is :path /a and 63 :authority. Stream 3 is denied; its request inserts :path /secret and
    // then x-trace, after which x-trace is 62 and :authority 65, and stream 5's request only references them.
    private static byte[] DenyClientStream() =>
    [
        .. Frames.Preface,
        .. Frames.Settings(),
        .. Frames.Headers(1, new HpackBlock().Indexed(2).Incremental(1, "example.test").Incremental(4, "/a"), endStream: true),
        .. Frames.Headers(3, new HpackBlock().Indexed(2).Indexed(63).Incremental(4, "/secret").Incremental("x-trace", "t-1")),
        .. Frames.Data(3, "DENIEDREQUESTBODY", endStream: true),
        .. Frames.Headers(5, new HpackBlock().Indexed(2).Indexed(65).Indexed(62).Incremental(4, "/b"), endStream: true),
    ];

    private static byte[] DenyServerStream() =>
    [
        .. Frames.Settings(),
        .. Frames.Headers(1, new HpackBlock().Indexed(8)),
        .. Frames.Headers(3, new HpackBlock().Indexed(8)),
        .. Frames.Data(3, "DENIEDRESPONSEBODY"),
        .. Frames.Data(1, "alpha", endStream: true),
        .. Frames.Data(3, "MOREDENIED", endStream: true),
        .. Frames.Headers(5, new HpackBlock().Indexed(8)),
        .. Frames.Data(5, "beta", endStream: true),
    ];

    private static int Find(byte[] stream, string text) => stream.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(text));

    [Fact]
    public void A_denied_stream_loses_its_data_frames_whole_both_ways_and_the_header_blocks_after_it_still_decode()
    {
        var client = DenyClientStream();
        var server = DenyServerStream();
        // The DATA frames of stream 3, header (9 octets) and payload.
        (long, long) FrameOf(byte[] stream, string payload) => (Find(stream, payload) - 9, Find(stream, payload) + payload.Length);

        for (int cut = 0; cut < client.Length; cut++)
        {
            var harness = new RedactionHarness(deny: ["*/secret"]);
            harness.SendSplit(Direction.Egress, client, cut == 0 ? [] : [cut]);
            harness.SendSplit(Direction.Ingress, server, cut == 0 || cut >= server.Length ? [] : [cut]).Close();

            Assert.Equal([FrameOf(client, "DENIEDREQUESTBODY")], harness.Elided[Direction.Egress]);
            Assert.Equal([FrameOf(server, "DENIEDRESPONSEBODY"), FrameOf(server, "MOREDENIED")], harness.Elided[Direction.Ingress]);
            var requests = string.Join("\n", Decode(harness.Stored(Direction.Egress)));
            Assert.DoesNotContain("DENIED", requests);
            Assert.Contains("[:path: /b]", requests);
            Assert.Contains("[x-trace: t-1]", requests); // stream 5 references what stream 3's block inserted
            var responses = Http2Harness.Run(clientToServer: false, Http2Harness.Script(harness.Stored(Direction.Ingress)), StreamSplits.Whole);
            Assert.Empty(responses.Errors);
            Assert.DoesNotContain("DENIED", string.Join("\n", responses.Events));
        }
    }
    [Fact]
    public void A_request_that_names_no_authority_is_matched_as_an_empty_host_as_in_HTTP1()
    {
        // :method GET, :scheme http, :path /x; neither :authority nor host.
        byte[] client = [.. Frames.Preface, .. Frames.Settings(), .. Frames.Headers(1, new HpackBlock().Indexed(2).Indexed(6).WithoutIndexing(4, "/x"))];

        Assert.Equal([1u], new RedactionHarness(allow: ["api.example/*"]).Send(Direction.Egress, client).Close().DeniedStreams);
        Assert.Empty(new RedactionHarness(allow: ["*/x"]).Send(Direction.Egress, client).Close().DeniedStreams);
    }

    [Fact]
    public void A_denied_h2c_upgrade_request_takes_its_http2_answer_on_stream_1_with_it()
    {
        var request = System.Text.Encoding.ASCII.GetBytes("GET /secret HTTP/1.1\r\nHost: example.test\r\nConnection: Upgrade, HTTP2-Settings\r\n" +
            "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n");
        var switching = System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
        byte[] server = [.. switching, .. Frames.Settings(), .. Frames.Headers(1, new HpackBlock().Indexed(8)),
            .. Frames.Data(1, "UPGRADEDDENIEDBODY", endStream: true)];

        // In time order: the client sends its preface once the 101 arrived (RFC 9113 §3.2).
        var harness = new RedactionHarness(deny: ["*/secret"]);
        harness.Send(Direction.Egress, request).Send(Direction.Ingress, server).Send(Direction.Egress, [.. Frames.Preface, .. Frames.Settings()]).Close();

        Assert.Equal([1u], harness.DeniedStreams);
        Assert.Equal([(0L, (long)request.Length)], harness.Elided[Direction.Egress]);
        int data = Find(server, "UPGRADEDDENIEDBODY") - 9;
        Assert.Equal([(0L, (long)switching.Length), ((long)data, (long)server.Length)], harness.Elided[Direction.Ingress]);
        // What is left of each direction is HTTP/2 from its first octet, as the Analyzer will read it.
        Assert.Equal([.. Frames.Preface, .. Frames.Settings()], harness.Stored(Direction.Egress));
        Assert.Equal(server[switching.Length..data], harness.Stored(Direction.Ingress));
    }
}
