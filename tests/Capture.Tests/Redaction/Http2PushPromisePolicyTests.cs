using Capture.Recorder.Interop;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Redaction;

/// <summary>--allow/--deny and server push (RFC 9113 §8.4): a PUSH_PROMISE's header block is the request of the stream it
/// promises, so the promised stream is judged by it as a client's request would be, and a denied push loses its DATA.</summary>
public sealed class Http2PushPromisePolicyTests
{
    private static readonly byte[] Client =
    [
        .. Frames.Preface,
        .. Frames.Settings(),
        .. Frames.Headers(1, new HpackBlock().Indexed(2).Indexed(7).WithoutIndexing(1, "example.test").WithoutIndexing(4, "/index.html"), endStream: true),
    ];

    // Static table: 1 :authority, 2 :method GET, 4 :path, 7 :scheme https, 8 :status 200. The server's first promise
    // inserts :authority example.test into the server's own dynamic table (62), and its second refers to it: the
    // promised requests are coded with the server's HPACK context, not the client's. The first promise's block goes on
    // in a CONTINUATION, which names the path.
    private static byte[] Server(string deniedPath = "/secret.css") =>
    [
        .. Frames.Settings(),
        .. Frames.PushPromise(1, 2, new HpackBlock().Indexed(2).Indexed(7).Incremental(1, "example.test"), endHeaders: false),
        .. Frames.Continuation(1, new HpackBlock().WithoutIndexing(4, deniedPath)),
        .. Frames.PushPromise(1, 4, new HpackBlock().Indexed(2).Indexed(7).Indexed(62).WithoutIndexing(4, "/style.css"), pad: 2),
        .. Frames.Headers(1, new HpackBlock().Indexed(8)),
        .. Frames.Data(1, "page", endStream: true),
        .. Frames.Headers(2, new HpackBlock().Indexed(8)),
        .. Frames.Data(2, "PUSHEDDENIEDBODY", endStream: true),
        .. Frames.Headers(4, new HpackBlock().Indexed(8)),
        .. Frames.Data(4, "pushedkeptbody", endStream: true),
    ];

    private static int Find(byte[] stream, string text) => stream.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(text));

    private static RedactionHarness Record(string[]? allow, string[]? deny, byte[] server, params int[] cuts) =>
        new RedactionHarness(allow: allow, deny: deny).Send(Direction.Egress, Client).SendSplit(Direction.Ingress, server, cuts).Close();

    [Fact]
    public void A_push_promised_for_a_denied_url_loses_its_data_and_its_stream_is_denied_wherever_the_bytes_are_cut()
    {
        var server = Server();
        long data = Find(server, "PUSHEDDENIEDBODY") - 9;
        for (int cut = 0; cut < server.Length; cut++)
        {
            var harness = Record(allow: null, deny: ["*/secret.css"], server, cut == 0 ? [] : [cut]);

            Assert.Equal([2u], harness.DeniedStreams);
            Assert.Equal([(data, data + 9 + "PUSHEDDENIEDBODY".Length)], harness.Elided[Direction.Ingress]);
            Assert.Empty(harness.Elided[Direction.Egress]);
        }
    }

    [Fact]
    public void A_push_for_a_url_outside_allow_is_denied_and_one_inside_is_kept()
    {
        Assert.Equal([2u], Record(allow: ["example.test/index.html", "example.test/style.css"], deny: null, Server()).DeniedStreams);
        Assert.Empty(Record(allow: ["example.test/*"], deny: null, Server()).DeniedStreams);
    }

    [Fact]
    public void A_push_is_judged_by_the_path_the_server_will_resolve_as_a_request_is()
    {
        Assert.Equal([2u], Record(allow: null, deny: ["*/secret.css"], Server(deniedPath: "/public/../secret.css")).DeniedStreams);
    }

    [Fact]
    public void A_denied_pushs_promise_and_headers_stay_so_the_blocks_after_them_still_decode()
    {
        var harness = Record(allow: null, deny: ["*/secret.css"], Server());

        var responses = Http2Harness.Run(clientToServer: false, Http2Harness.Script(harness.Stored(Direction.Ingress)), StreamSplits.Whole);
        Assert.Empty(responses.Errors);
        string all = string.Join("\n", responses.Events);
        Assert.DoesNotContain("PUSHEDDENIEDBODY", all);
        Assert.Contains("pushedkeptbody", all);
        // The second promise's :authority is an index into what the first, denied, promise inserted.
        Assert.Contains("PUSH_PROMISE promised=4 @60-91 stream=1 [:method: GET][:scheme: https][:authority: example.test][:path: /style.css]", all);
        Assert.Contains("HEADERS @114-124 stream=2 [:status: 200]", all);
    }
}
