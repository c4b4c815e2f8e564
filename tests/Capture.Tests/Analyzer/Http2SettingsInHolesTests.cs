using System.Text.Json;
using Capture.Hpack;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// A side's SETTINGS_HEADER_TABLE_SIZE bounds the table size updates the other side's HPACK encoder may send, from the
/// other side's acknowledgement on (RFC 9113 §6.5.3, RFC 7541 §4.2). A hole in the capture can hide a SETTINGS frame
/// whole (a hole in its sender's direction) or the acknowledgement that put one in force (a hole in the other):
/// from there on the bound is unknown, and a size update up to what the hidden frame allowed is read as the sender
/// meant it, not refused as malformed with the request's fields lost.
/// </summary>
public sealed class Http2SettingsInHolesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly byte[] RaiseTableSize = Frames.Settings((1, 65536));

    private List<JsonElement> List(string db)
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [db, "--list", "--json"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }

    private static string Describe(JsonElement e) =>
        $"{e.GetProperty("path").GetString()} {e.GetProperty("status")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]";

    /// <summary>GET <paramref name="path"/>: <paramref name="start"/> (a size update), the pseudo-header fields, then <paramref name="fields"/>.</summary>
    private static byte[] Request(int stream, string path, HpackBlock? start = null, HpackBlock? fields = null) => Frames.Headers(stream,
        (start ?? new HpackBlock()).WithoutIndexing(":method", "GET").WithoutIndexing(":scheme", "http")
            .WithoutIndexing(":path", path).WithoutIndexing(":authority", "s.test").Raw((fields ?? new HpackBlock()).ToArray()).ToArray(),
        endStream: true);

    private static byte[] Ok(int stream) => Frames.Headers(stream, new HpackBlock().WithoutIndexing(":status", "200").ToArray(), endStream: true);

    [Fact]
    public void A_SETTINGS_lost_whole_in_a_hole_of_its_senders_direction_leaves_the_table_size_bound_unknown_from_its_acknowledgement()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "server-hole.db"));
        rec.Connection("client", 40, "client", "127.0.0.1:53000", "127.0.0.1:8080")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings()))
            .ServerSends(2, Frames.Concat(Frames.Settings(), Frames.SettingsAck()))
            .ClientSends(3, Frames.Concat(Frames.SettingsAck(), Request(1, "/before")))
            .ServerSends(4, Ok(1))
            .ServerLoses(RaiseTableSize.Length)
            // The client acknowledges the lost SETTINGS and uses the larger table it allows; (x-big, 1) goes into it.
            .ClientSends(5, Frames.Concat(Frames.SettingsAck(), Request(3, "/big-table", new HpackBlock().SizeUpdate(65536), new HpackBlock().Incremental("x-big", "1"))))
            .ServerSends(6, Ok(3))
            .ClientSends(7, Request(5, "/after", fields: new HpackBlock().Indexed(62)))
            .ServerSends(8, Ok(5));
        var exchanges = List(rec.Save());

        Assert.Equal(["/before 200 []", "/big-table 200 []", "/after 200 []"], exchanges.Select(Describe));
        // The field the larger table kept is read back from it, as the client meant it.
        var show = ProcessRunner.Run(Repo.AnalyzeBinary, [rec.Path, "show", exchanges[2].GetProperty("id").ToString(), "--json"]);
        Assert.Contains(JsonDocument.Parse(show.Stdout).RootElement.GetProperty("request_headers").EnumerateArray(),
            f => f[0].GetString() == "x-big" && f[1].GetString() == "1");
    }

    [Fact]
    public void A_frame_size_raised_by_a_SETTINGS_lost_in_a_hole_lets_the_larger_frames_after_its_acknowledgement_through_whole()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "frame-size-hole.db"));
        rec.Connection("client", 40, "client", "127.0.0.1:53000", "127.0.0.1:8080")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings()))
            .ServerSends(2, Frames.Concat(Frames.Settings(), Frames.SettingsAck()))
            .ClientSends(3, Frames.Concat(Frames.SettingsAck(), Request(1, "/before")))
            .ServerSends(4, Ok(1))
            .ServerLoses(Frames.Settings((5, 65536)).Length)
            // The client acknowledges the lost SETTINGS and sends a frame the larger size allows.
            .ClientSends(5, Frames.Concat(Frames.SettingsAck(), Frames.Headers(3, new HpackBlock().WithoutIndexing(":method", "POST")
                .WithoutIndexing(":scheme", "http").WithoutIndexing(":path", "/upload").WithoutIndexing(":authority", "s.test").ToArray()),
                Frames.Data(3, new string('x', 20000), endStream: true)))
            .ServerSends(6, Ok(3));
        var exchanges = List(rec.Save());

        Assert.Equal(["/before 200 []", "/upload 200 []"], exchanges.Select(Describe));
        Assert.Equal(20000, exchanges[1].GetProperty("req_bytes").GetInt64());
    }

    [Fact]
    public void An_acknowledgement_lost_in_a_hole_leaves_the_table_size_bound_unknown_after_it()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "client-hole.db"));
        rec.Connection("client", 40, "client", "127.0.0.1:53000", "127.0.0.1:8080")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings()))
            .ServerSends(2, Frames.Concat(Frames.Settings(), Frames.SettingsAck()))
            .ClientSends(3, Frames.Concat(Frames.SettingsAck(), Request(1, "/before")))
            .ServerSends(4, Frames.Concat(RaiseTableSize, Ok(1)))
            .ClientLoses(Frames.SettingsAck().Length)
            .ClientSends(5, Request(3, "/big-table", new HpackBlock().SizeUpdate(65536)))
            .ServerSends(6, Ok(3));
        var exchanges = List(rec.Save());

        Assert.Equal(["/before 200", "/big-table 200"], exchanges.Select(e => $"{e.GetProperty("path").GetString()} {e.GetProperty("status")}"));
        Assert.DoesNotContain("malformed", exchanges[1].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public void After_a_hole_that_hid_an_acknowledgement_a_reference_past_the_old_table_size_is_unknown_not_malformed()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "far-entry.db"));
        rec.Connection("client", 40, "client", "127.0.0.1:53000", "127.0.0.1:8080")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings()))
            .ServerSends(2, Frames.Concat(Frames.Settings(), Frames.SettingsAck()))
            .ClientSends(3, Frames.Concat(Frames.SettingsAck(), Request(1, "/before")))
            .ServerSends(4, Frames.Concat(RaiseTableSize, Ok(1)))
            // Lost: the acknowledgement, and requests that filled the larger table.
            .ClientLoses(Frames.SettingsAck().Length + 3000)
            // Entry 200 of the dynamic table: a 4096-octet table cannot hold it, a 65536-octet one can.
            .ClientSends(5, Request(3, "/far", fields: new HpackBlock().Indexed(62 + 200)))
            .ServerSends(6, Ok(3));
        var exchanges = List(rec.Save());

        Assert.Equal("/far 200 [hpack_context_lost]", Describe(exchanges[1]));
    }
}
