using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// HTTP/1.1 pairs the requests and responses of a keep-alive connection by their order. When the kernel drops the
/// event of a whole response, the bytes lost leave no trace inside any message, and each later request would be
/// shown with the response to the one after it. Every exchange of the connection from the first lost byte on is
/// therefore flagged `gap`; those before it are exact. A hole wholly inside one body whose length the framing gave
/// (Content-Length, or one chunk's data: a body spliced off the socket, a dropped piece of a large upload) can hide no
/// message: only its own exchange is flagged, and the ones after it pair exactly.
/// </summary>
public sealed class LostResponseTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Exchanges_after_a_response_lost_whole_are_flagged_gap()
    {
        static string Answer(string body) => $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}";
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "lost.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /one HTTP/1.1\r\nHost: lost.test\r\n\r\n").ServerSends(2, Answer("one"))
            .ClientSends(3, "GET /two HTTP/1.1\r\nHost: lost.test\r\n\r\n").ServerLoses(Answer("two").Length)
            .ClientSends(5, "GET /three HTTP/1.1\r\nHost: lost.test\r\n\r\n").ServerSends(6, Answer("three"));
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db).Select(e =>
            $"{e.GetProperty("path").GetString()} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]");
        Assert.Equal(["/one []", "/two [gap]", "/three [incomplete,gap]"], exchanges);
    }

    private static readonly string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    [Fact]
    public void A_hole_inside_a_request_body_of_known_length_flags_only_its_own_exchange()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "spliced.db"));
        rec.Connection("python3", 11, "server", "127.0.0.1:8080", "127.0.0.1:50000")
            .ClientSends(1, "POST /upload HTTP/1.1\r\nHost: lost.test\r\nContent-Length: 1000\r\n\r\nfirst").ClientLoses(990)
            .ClientSends(2, "last!").ServerSends(3, Ok)
            .ClientSends(4, "GET /after HTTP/1.1\r\nHost: lost.test\r\n\r\n").ServerSends(5, Ok);
        Assert.Equal(["/upload [gap]", "/after []"], Flags(rec.Save()));
    }

    [Fact]
    public void A_hole_inside_one_chunks_data_flags_only_its_own_exchange()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "chunk.db"));
        rec.Connection("curl", 12, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /report HTTP/1.1\r\nHost: lost.test\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\nab").ServerLoses(1020)
            .ServerSends(3, "cd\r\n0\r\n\r\n")
            .ClientSends(4, "GET /after HTTP/1.1\r\nHost: lost.test\r\n\r\n").ServerSends(5, Ok);
        Assert.Equal(["/report [gap]", "/after []"], Flags(rec.Save()));
    }

    [Fact]
    public void A_hole_that_runs_past_a_body_into_what_follows_still_flags_every_later_exchange()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "past.db"));
        rec.Connection("python3", 13, "server", "127.0.0.1:8080", "127.0.0.1:50000")
            .ClientSends(1, "POST /upload HTTP/1.1\r\nHost: lost.test\r\nContent-Length: 10\r\n\r\nfirst")
            .ClientLoses(5 + "GET /lost HTTP/1.1\r\n\r\n".Length).ServerSends(2, Ok).ServerSends(3, Ok)
            .ClientSends(4, "GET /after HTTP/1.1\r\nHost: lost.test\r\n\r\n").ServerSends(5, Ok);
        // The answer to /lost came before /after was sent: it is no answer of /after's, which gets the one after it.
        Assert.Equal(["/upload [gap]", " [no_request,gap]", "/after [gap]"], Flags(rec.Save()));
    }

    private static IEnumerable<string> Flags(string db) => Analyze.ListJson(db).Select(e =>
        $"{e.GetProperty("path").GetString()} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]");
}
