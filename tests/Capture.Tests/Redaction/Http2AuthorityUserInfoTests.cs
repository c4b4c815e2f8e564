using System.Text.RegularExpressions;
using Capture.Recorder.Interop;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Redaction;

/// <summary>An HTTP/2 authority with userinfo ("user:password@host", forbidden by RFC 9113 §8.3.1, sent by broken
/// clients): the userinfo is a credential, replaced whole as an HTTP/1 absolute-form target's is, the host kept; and
/// --allow/--deny cannot tell which host a server takes from it, so every reading must pass the patterns.</summary>
public sealed class Http2AuthorityUserInfoTests
{
    // Static table: 1 :authority, 2 :method GET, 4 :path, 6 :scheme http, 38 host. The first request inserts its
    // :authority (dynamic 62), which the second only references.
    private static byte[] Client(bool huffman) =>
    [
        .. Frames.Preface,
        .. Frames.Settings(),
        .. Frames.Headers(1, new HpackBlock().Indexed(2).Indexed(6).Incremental(1, "user:SECRETPASSWORD@example.test", huffman)
            .WithoutIndexing(4, "/a"), endStream: true),
        .. Frames.Headers(3, new HpackBlock().Indexed(2).Indexed(6).Indexed(62).WithoutIndexing(38, "SECRETTOKEN@example.test:8080", huffman)
            .WithoutIndexing(4, "/b"), endStream: true),
    ];

    private static string Decoded(byte[] stored)
    {
        var result = Http2Harness.Run(clientToServer: true, Http2Harness.Script(stored), StreamSplits.Whole);
        Assert.Empty(result.Errors);
        return string.Join("\n", result.Events);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_userinfo_of_an_authority_or_host_is_replaced_whole_and_the_host_kept(bool huffman)
    {
        var client = Client(huffman);
        var stored = new RedactionHarness().Send(Direction.Egress, client).Close().Stored(Direction.Egress);
        string decoded = Decoded(stored);
        // Raw, the same number of base32 characters; Huffman-coded, as many 5- and 6-bit coded ones as fill the octets.
        string hash = huffman ? "[0-9a-zA-Z_.-]+" : "[a-z2-7]{19}", shortHash = huffman ? "[0-9a-zA-Z_.-]+" : "[a-z2-7]{11}";

        Assert.Equal(client.Length, stored.Length);
        Assert.DoesNotContain("SECRET", decoded);
        Assert.DoesNotContain("user", decoded);
        var authorities = Regex.Matches(decoded, @"\[:authority: ([^\]]*)\]").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(2, authorities.Length);
        Assert.Matches($@"^{hash}@example\.test$", authorities[0]);
        Assert.Equal(authorities[0], authorities[1]); // the indexed reference carries the same replacement
        Assert.Matches($@"\[host: {shortHash}@example\.test:8080\]", decoded);
    }

    [Fact]
    public void The_userinfo_is_replaced_under_allow_and_deny_too()
    {
        var stored = new RedactionHarness(deny: ["*/nothing"]).Send(Direction.Egress, Client(huffman: false)).Close().StoredText(Direction.Egress);
        Assert.DoesNotContain("SECRET", stored);
    }

    [Fact]
    public void A_host_named_by_redact_header_is_replaced_whole_userinfo_or_not()
    {
        var stored = new RedactionHarness(headers: ["host"]).Send(Direction.Egress, Client(huffman: false)).Close().Stored(Direction.Egress);
        string decoded = Decoded(stored);

        Assert.Matches(@"\[host: [a-z2-7]{29}\]", decoded);
        Assert.Matches(@"\[:authority: [a-z2-7]{19}@example\.test\]", decoded);
    }

    private static List<uint> Denied(string authority, string[]? allow = null, string[]? deny = null)
    {
        byte[] client = [.. Frames.Preface, .. Frames.Settings(),
            .. Frames.Headers(1, new HpackBlock().Indexed(2).Indexed(6).WithoutIndexing(1, authority).WithoutIndexing(4, "/x"), endStream: true)];
        return new RedactionHarness(allow: allow, deny: deny).Send(Direction.Egress, client).Close().DeniedStreams;
    }

    [Fact]
    public void A_deny_matches_the_host_after_the_userinfo_as_for_an_HTTP1_absolute_form_target()
    {
        Assert.Equal([1u], Denied("user:pw@denied.example", deny: ["denied.example/*"]));
    }

    [Fact]
    public void A_deny_matches_the_userinfo_read_as_a_host_as_servers_that_split_host_and_port_at_the_first_colon_read_it()
    {
        // A server that splits host from port at the colon reads host "denied.example", port "1@other.example".
        Assert.Equal([1u], Denied("denied.example:1@other.example", deny: ["denied.example:1/*"]));
    }

    [Fact]
    public void Under_allow_an_authority_with_userinfo_is_kept_only_when_every_reading_of_it_is_allowed()
    {
        Assert.Equal([1u], Denied("allowed.example:1@other.example", allow: ["*allowed.example*/*"]));
        Assert.Equal([1u], Denied("other.example:1@allowed.example", allow: ["*allowed.example*/*"]));
        Assert.Empty(Denied("allowed.example:1@allowed.example", allow: ["*allowed.example*/*"]));
    }
}
