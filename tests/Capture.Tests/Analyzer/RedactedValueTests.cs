using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// The recorder replaces secrets by keyed hashes of the same length, which look like any token
/// (`Bearer 7qts5gg5x`). Whatever shows such a value says it is a hash: `show` names the fields, `show --json`
/// lists them, and HAR comments each header, query parameter and cookie. A recording made with --no-redact says nothing.
/// </summary>
public sealed class RedactedValueTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Request = "GET /me?page=2&Access%5Ftoken=abcdefgh HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer 7qts5gg5x\r\nAccept: */*\r\n\r\n";
    private const string Response = "HTTP/1.1 200 OK\r\nSet-Cookie: sid=k2jd8a; Path=/\r\nContent-Length: 0\r\n\r\n";

    private string Recording(bool redacted, string request = Request)
    {
        var rec = new SyntheticRecording(_dir.File($"{Guid.NewGuid():N}.db"));
        if (redacted)
            rec.Info("redaction", "on")
               .Info("redacted_headers", "authorization,cookie,proxy-authorization,set-cookie")
               .Info("redacted_query_parameters", "access_token,token");
        else rec.Info("redaction", "off");
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080").ClientSends(1, request).ServerSends(2, Response);
        return rec.Save();
    }

    [Fact]
    public void Show_names_the_fields_whose_values_are_keyed_hashes()
    {
        string shown = Analyze.Output(Recording(redacted: true), "show", "1");

        Assert.Contains("  redacted    Authorization in the request, Set-Cookie in the response, query Access_token: keyed hashes of the same length, " +
                        "not the values sent (record --no-redact keeps them)", shown);
    }

    [Fact]
    public void Show_names_a_parameter_written_with_brackets_as_a_keyed_hash_as_the_recorder_replaced_it()
    {
        string request = Request.Replace("Access%5Ftoken=", "token%5B0%5D=");
        string shown = Analyze.Output(Recording(redacted: true, request), "show", "1");

        Assert.Contains("query token[0]: keyed hashes", shown);
    }

    [Fact]
    public void Show_json_lists_them_and_a_recording_made_with_no_redact_lists_none()
    {
        string RedactedList(string db) => string.Join(", ", Analyze.ShowJson(db, 1).GetProperty("redacted").EnumerateArray().Select(r => r.GetString()));

        Assert.Equal("Authorization in the request, Set-Cookie in the response, query Access_token", RedactedList(Recording(redacted: true)));
        Assert.Equal("", RedactedList(Recording(redacted: false)));
        Assert.DoesNotContain("redacted", Analyze.Output(Recording(redacted: false), "show", "1"));
    }

    [Fact]
    public void Har_comments_each_replaced_header_and_query_parameter_and_nothing_else()
    {
        string har = _dir.File("out.har");
        Analyze.Output(Recording(redacted: true), "--export-har", har);
        using var doc = JsonDocument.Parse(File.ReadAllText(har));
        var entry = Assert.Single(doc.RootElement.GetProperty("log").GetProperty("entries").EnumerateArray());

        static IEnumerable<string> Commented(JsonElement list) => list.EnumerateArray()
            .Where(f => f.TryGetProperty("comment", out var c) && c.GetString()!.StartsWith("redacted by Capture: a keyed hash"))
            .Select(f => f.GetProperty("name").GetString()!);
        Assert.Equal(["Authorization"], Commented(entry.GetProperty("request").GetProperty("headers")));
        Assert.Equal(["Access_token"], Commented(entry.GetProperty("request").GetProperty("queryString")));
        Assert.Equal(["Set-Cookie"], Commented(entry.GetProperty("response").GetProperty("headers")));
    }

    [Fact]
    public void Har_comments_each_cookie_whose_value_is_a_keyed_hash_and_none_of_a_recording_made_with_no_redact()
    {
        // A devtools cookie list shows name and value, not the header's comment: each cookie must say it too.
        const string WithCookies = "GET / HTTP/1.1\r\nHost: api.test\r\nCookie: sid=q7x2kd; theme=rrgqmi\r\n\r\n";
        static IEnumerable<string> Cookies(JsonElement entry, string message) => entry.GetProperty(message).GetProperty("cookies").EnumerateArray()
            .Select(c => $"{c.GetProperty("name").GetString()}: {(c.TryGetProperty("comment", out var comment) ? comment.GetString() : "-")}");

        var redacted = Assert.Single(Analyze.Har([Recording(redacted: true, WithCookies)], _dir.File("redacted.har")).Entries);
        const string Hash = "redacted by Capture: a keyed hash of the same length, not the value sent";
        Assert.Equal([$"sid: {Hash}", $"theme: {Hash}"], Cookies(redacted, "request"));
        Assert.Equal([$"sid: {Hash}"], Cookies(redacted, "response"));

        var asSent = Assert.Single(Analyze.Har([Recording(redacted: false, WithCookies)], _dir.File("as-sent.har")).Entries);
        Assert.Equal(["sid: -", "theme: -"], Cookies(asSent, "request"));
        Assert.Equal(["sid: -"], Cookies(asSent, "response"));
    }
}
