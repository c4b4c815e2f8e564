using Capture.Recorder.Interop;
using Capture.Tests.Http2;

namespace Capture.Tests.Redaction;

/// <summary>--allow/--deny and the names an HTTP/2 request gives its host. RFC 9113 §8.3.1 has :authority and Host
/// agree; a client that makes them differ (or repeats a pseudo-header) leaves the server to choose, and servers differ,
/// so a request is kept only when it would be kept whichever one the server goes by.</summary>
public sealed class Http2AuthorityPolicyTests
{
    // Static table: 1 :authority, 2 :method GET, 4 :path, 6 :scheme http, 38 host.
    private static byte[] Request(params (int NameIndex, string Value)[] fields)
    {
        var block = new HpackBlock().Indexed(2).Indexed(6);
        foreach (var (name, value) in fields) block.WithoutIndexing(name, value);
        return [.. Frames.Preface, .. Frames.Settings(), .. Frames.Headers(1, block, endStream: true)];
    }

    private static List<uint> Denied(byte[] client, string[]? allow = null, string[]? deny = null) =>
        new RedactionHarness(allow: allow, deny: deny).Send(Direction.Egress, client).Close().DeniedStreams;

    [Fact]
    public void A_host_field_naming_a_denied_host_denies_the_request_whatever_its_authority_says()
    {
        Assert.Equal([1u], Denied(Request((1, "allowed.example"), (38, "denied.example"), (4, "/")), deny: ["denied.example/*"]));
        Assert.Equal([1u], Denied(Request((1, "denied.example"), (38, "allowed.example"), (4, "/")), deny: ["denied.example/*"]));
    }

    [Fact]
    public void Under_allow_both_authority_and_host_must_be_allowed()
    {
        Assert.Equal([1u], Denied(Request((1, "allowed.example"), (38, "other.example"), (4, "/")), allow: ["allowed.example/*"]));
        Assert.Equal([1u], Denied(Request((1, "other.example"), (38, "allowed.example"), (4, "/")), allow: ["allowed.example/*"]));
        Assert.Empty(Denied(Request((1, "allowed.example"), (38, "allowed.example"), (4, "/")), allow: ["allowed.example/*"]));
        Assert.Empty(Denied(Request((38, "allowed.example"), (4, "/")), allow: ["allowed.example/*"]));
    }

    [Fact]
    public void A_repeated_path_denies_the_request_when_either_path_is_denied()
    {
        Assert.Equal([1u], Denied(Request((1, "example.test"), (4, "/admin"), (4, "/public")), deny: ["*/admin"]));
        Assert.Equal([1u], Denied(Request((1, "example.test"), (4, "/public"), (4, "/admin")), deny: ["*/admin"]));
        Assert.Equal([1u], Denied(Request((1, "example.test"), (4, "/public"), (4, "/admin")), allow: ["*/public"]));
    }
}
