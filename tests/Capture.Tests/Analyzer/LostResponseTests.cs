using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// HTTP/1.1 pairs the requests and responses of a keep-alive connection by their order. When the kernel drops the
/// event of a whole response, the bytes lost leave no trace inside any message, and each later request would be
/// shown with the response to the one after it. Every exchange of the connection from the first lost byte on is
/// therefore flagged `gap`; those before it are exact.
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
}
