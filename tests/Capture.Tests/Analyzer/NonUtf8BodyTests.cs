using System.Text;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>A body in Latin-1 (or any bytes that are not UTF-8) is shown as a hex dump by `show` and exported to HAR
/// as base64, however long: deciding whether it is text must not cost more than a pass over it. Only a body whose end
/// was not kept may end in part of a character and still be text: the rest of that character is in what was cut.</summary>
public sealed class NonUtf8BodyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_long_latin1_body_is_shown_as_bytes_and_exported()
    {
        var body = Encoding.Latin1.GetBytes(string.Concat(Enumerable.Repeat("caf\u00e9 cr\u00e8me ", 2000)));
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "latin1.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /menu HTTP/1.1\r\nHost: latin1.test\r\n\r\n")
            .ServerSends(2, [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Length: {body.Length}\r\n\r\n"), .. body])
            .Close(3);
        string db = rec.Save();

        Assert.Contains("63 61 66 e9", Analyze.Output(db, "show", "1"));
        var har = Path.Combine(_dir.Path, "latin1.har");
        Analyze.Output(db, "--export-har", har);
        Assert.Contains("\"bodySize\": " + body.Length, File.ReadAllText(har));
    }

    [Fact]
    public void A_whole_body_whose_last_byte_is_not_UTF8_is_bytes_in_HAR_and_show_not_text_with_a_replacement_character()
    {
        byte[] body = [.. Encoding.ASCII.GetBytes("{\"ok\":1}"), 0xFF];
        string db = OneResponse(body, "application/octet-stream");

        var content = HarContent(db);
        Assert.Equal("base64", content.GetProperty("encoding").GetString());
        Assert.Equal(Convert.ToBase64String(body), content.GetProperty("text").GetString());
        Assert.Contains("7b 22 6f 6b 22 3a 31 7d ff", Analyze.Output(db, "show", "1"));
    }

    [Fact]
    public void A_whole_body_ending_in_the_first_byte_of_a_character_that_never_came_is_bytes()
    {
        byte[] body = [.. Encoding.ASCII.GetBytes("price: 10"), 0xE2, 0x82];
        var content = HarContent(OneResponse(body, "text/plain"));

        Assert.Equal("base64", content.GetProperty("encoding").GetString());
        Assert.Equal(Convert.ToBase64String(body), content.GetProperty("text").GetString());
    }

    [Fact]
    public void A_body_kept_up_to_the_middle_of_a_character_is_still_text()
    {
        // --body-kb 1 keeps 1024 bytes: 1023 letters and the first byte of "é".
        byte[] body = Encoding.UTF8.GetBytes(new string('a', 1023) + "\u00e9 and more");
        var content = HarContent(OneResponse(body, "text/plain"), "--body-kb", "1");

        Assert.False(content.TryGetProperty("encoding", out _));
        Assert.StartsWith(new string('a', 1023), content.GetProperty("text").GetString());
    }

    private string OneResponse(byte[] body, string contentType)
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /data HTTP/1.1\r\nHost: bytes.test\r\n\r\n")
            .ServerSends(2, [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n\r\n"), .. body])
            .Close(3);
        return rec.Save();
    }

    private System.Text.Json.JsonElement HarContent(string db, params string[] options) =>
        Assert.Single(Analyze.Har([db], Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.har"), options).Entries)
            .GetProperty("response").GetProperty("content");
}
