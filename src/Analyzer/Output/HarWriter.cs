using System.Globalization;
using System.Text.Json;
using Capture.Analyzer.Exchanges;

namespace Capture.Analyzer.Output;

/// <summary>
/// HAR 1.2 (the format browser devtools import): one entry per exchange, streamed so that memory does not
/// grow with the recording. Fields HAR requires are always present; times are ≥ 0 (blocked, dns, connect
/// and ssl are -1: not measured); a body HAR cannot show whole or as it is says so in a comment (see
/// <see cref="HarBody"/>); the process is `_pid`/`_comm`.
/// </summary>
internal static class HarWriter
{
    /// <summary>Entries written, and how many exchanges were left out for each reason (see <see cref="WhyLeftOut"/>), in
    /// the order the reasons first came.</summary>
    public sealed record Result(int Written, IReadOnlyList<(string Why, int Count)> LeftOut)
    {
        public int LeftOutCount => LeftOut.Sum(r => r.Count);
    }

    /// <summary>An entry's connection is <see cref="Exchange.ConnectionLabel"/>: with several recordings, "2:7".</summary>
    public static Result Write(Stream stream, IEnumerable<Exchange> exchanges)
    {
        int written = 0;
        var leftOut = new List<(string Why, int Count)>();
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartObject("log");
        json.WriteString("version", "1.2");
        json.WriteStartObject("creator");
        json.WriteString("name", "Capture");
        json.WriteString("version", typeof(HarWriter).Assembly.GetName().Version?.ToString() ?? "0");
        json.WriteEndObject();
        // Optional in HAR 1.2, but Firefox's importer reads log.pages without checking that it is there.
        json.WriteStartArray("pages");
        json.WriteEndArray();
        json.WriteStartArray("entries");
        foreach (var e in exchanges)
        {
            // An entry needs a request's method and URL, and making one up (GET /) would show a request that never
            // happened: an exchange whose request has no method is left out, and counted under its reason.
            if (WhyLeftOut(e) is { } why)
            {
                int known = leftOut.FindIndex(r => r.Why == why);
                if (known < 0) leftOut.Add((why, 1));
                else leftOut[known] = (why, leftOut[known].Count + 1);
                continue;
            }
            Entry(json, e);
            written++;
            if (written % 256 == 0) json.Flush();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        return new Result(written, leftOut);
    }

    /// <summary>Why an exchange cannot be an entry, its request having no method (as `show` tells the same cases apart);
    /// null when it can.</summary>
    private static string? WhyLeftOut(Exchange e) =>
        e.Flags.Contains(ExchangeFlags.NoRequest) ? "whose request was not captured"
        : e.Method is not null ? null
        : e.RequestLine == StartLine.NotDecoded ? "whose HTTP/2 request fields were over --max-header-block-kb"
        : e.Protocol == "h2" && e.RequestLine == StartLine.NotParsed ? "whose HTTP/2 request field block was interrupted, not decoded"
        : e.Protocol == "h2" ? (e.RequestHeaders.Count == 0 ? "whose HTTP/2 request fields were not captured" : "whose HTTP/2 request had no :method")
        : e.RequestLine == StartLine.NotCaptured ? "whose request line was not captured"
        : "whose request line did not parse";

    /// <summary>HAR's status is a number, and the 0 written when there is none is what importers show for a request the
    /// browser blocked or gave up on: the response's comment says why there is none. Null when there is a status.</summary>
    private static string? WhyNoStatus(Exchange e) =>
        e.Status is not null ? null
        : e.StatusLine == StartLine.NotParsed ? (e.Protocol == "h2"
            ? "status 0: the response's field block was interrupted by another frame, not decoded (flagged malformed)"
            : "status 0: the status line did not parse (flagged malformed)")
        : e.StatusLine == StartLine.NotDecoded ? "status 0: the response's fields were over --max-header-block-kb, not decoded"
        : e.StatusLine == StartLine.NotCaptured ? "status 0: the status line was not captured (the per-call cap left it out; flagged truncated)"
        : e.InterimResponses.Count > 0 ? "status 0: only an interim (1xx) response was captured, not the final one"
        : e.ResponseHeaders.Count == 0 && e.ResponseTrailers.Count > 0 ? "status 0: only the response's trailers were captured, its header section was lost"
        : e.TtfbMs is null ? "status 0: no response was captured"
        : "status 0: no :status was read from the response's fields";

    /// <summary>HAR's date-time form (ISO 8601, UTC, milliseconds).</summary>
    public static string Iso8601(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Entry(Utf8JsonWriter json, Exchange e)
    {
        double sendMs = Math.Max(0, e.RequestSentMs ?? 0);
        // Waiting is for the final response: time after an interim 100 Continue or 103 Early Hints is still the server's.
        double waitMs = Math.Max(0, (e.FinalResponseMs ?? e.TtfbMs ?? e.DurationMs) - sendMs);
        // HAR's time is the sum of the timings: of the rounded ones written, since rounding the total instead can
        // differ from their sum by a microsecond (1.0004 + 1.0004 is 1 + 1, but 2.0008 is 2.001).
        double send = Microseconds(sendMs), wait = Microseconds(waitMs);
        double receive = Microseconds(Math.Max(0, e.DurationMs - sendMs - waitMs));
        string version = e.Protocol == "h2" ? "HTTP/2.0" : e.HttpVersion ?? "HTTP/1.1";
        // Each message's own: a server answers an HTTP/1.0 request in HTTP/1.1 (RFC 9110 §6.2).
        string responseVersion = e.Protocol == "h2" ? version : e.ResponseHttpVersion ?? version;

        json.WriteStartObject();
        json.WriteString("startedDateTime", Iso8601(e.Timestamp));
        json.WriteNumber("time", Microseconds(send + wait + receive));

        var url = HarUrl.Of(e);
        json.WriteStartObject("request");
        json.WriteString("method", e.Method);
        json.WriteString("url", url.Url);
        json.WriteString("httpVersion", version);
        HarCookies.WriteRequest(json, e.RequestHeaders, e.IsRedactedHeader("cookie") ? RedactedComment : null);
        Headers(json, e.RequestHeaders, e.RequestTrailers, e);
        QueryString(json, e.Path, e.Redaction);
        if (e.RequestBodyBytes > 0 || e.RequestBody.Length > 0) PostData(json, e);
        json.WriteNumber("headersSize", -1);
        json.WriteNumber("bodySize", e.RequestBodyBytes);
        json.WriteEndObject();

        json.WriteStartObject("response");
        json.WriteNumber("status", e.Status ?? 0);
        json.WriteString("statusText", e.Reason ?? "");
        json.WriteString("httpVersion", responseVersion);
        HarCookies.WriteResponse(json, e.ResponseHeaders, e.Timestamp.AddMilliseconds(e.TtfbMs ?? e.DurationMs),
            e.IsRedactedHeader("set-cookie") ? RedactedComment : null);
        Headers(json, e.ResponseHeaders, e.ResponseTrailers, e);
        Content(json, e);
        json.WriteString("redirectURL", e.ResponseHeader("location") ?? "");
        json.WriteNumber("headersSize", -1);
        // HAR's -1, "not available": no response was seen, so its size is not 0 but unknown.
        bool noResponse = e.Status is null && e.ResponseHeaders.Count == 0 && e.ResponseBodyBytes == 0;
        json.WriteNumber("bodySize", noResponse ? -1 : e.ResponseBodyBytes);
        if (WhyNoStatus(e) is { } why) json.WriteString("comment", why);
        json.WriteEndObject();

        json.WriteStartObject("cache");
        json.WriteEndObject();
        json.WriteStartObject("timings");
        json.WriteNumber("blocked", -1);
        json.WriteNumber("dns", -1);
        json.WriteNumber("connect", -1);
        json.WriteNumber("ssl", -1);
        json.WriteNumber("send", send);
        json.WriteNumber("wait", wait);
        json.WriteNumber("receive", receive);
        json.WriteEndObject();
        string server = e.Side == "client" ? e.Remote : e.Local;
        json.WriteString("serverIPAddress", server[..Math.Max(0, server.LastIndexOf(':'))].Trim('[', ']'));
        json.WriteString("connection", e.ConnectionLabel);
        json.WriteNumber("_pid", e.Pid);
        json.WriteString("_comm", e.Comm);
        json.WriteString("_side", e.Side);
        json.WriteNumber("_id", e.Id);
        json.WriteStartArray("_flags");
        foreach (var flag in e.Flags) json.WriteStringValue(flag);
        json.WriteEndArray();
        if (url.Comment is not null) json.WriteString("comment", url.Comment);
        json.WriteEndObject();
    }

    /// <summary>Milliseconds to the microsecond; of a sum of such values, it drops the binary fractions' error (0.1 + 0.2).</summary>
    private static double Microseconds(double ms) => Math.Round(ms, 3);

    private static void PostData(Utf8JsonWriter json, Exchange e)
    {
        var body = HarBody.Of(e.RequestBody, e.RequestBodyBytes, BodyCoding.Of(e.RequestHeaders), e.Flags.Contains(ExchangeFlags.Incomplete));
        json.WriteStartObject("postData");
        json.WriteString("mimeType", e.RequestHeader("content-type") ?? "");
        if (body.IsText)
        {
            json.WriteString("text", body.Text);
            if (body.Comment is not null) json.WriteString("comment", body.Comment);
        }
        else
        {
            // HAR 1.2's postData has no "encoding", so base64 here would be shown as the body itself. Chrome's
            // importer reads a missing text as the string "undefined" (String(data.text)), so text stays, empty;
            // the comment says what was left out.
            json.WriteString("text", "");
            json.WriteString("comment", $"binary body of {e.RequestBodyBytes} bytes left out: HAR 1.2 postData holds only text");
        }
        json.WriteEndObject();
    }

    private static void Content(Utf8JsonWriter json, Exchange e)
    {
        var body = HarBody.Of(e.ResponseBody, e.ResponseBodyBytes, BodyCoding.Of(e.ResponseHeaders), e.Flags.Contains(ExchangeFlags.Incomplete));
        json.WriteStartObject("content");
        json.WriteNumber("size", body.Size);
        if (body.Compression is { } saved) json.WriteNumber("compression", saved);
        json.WriteString("mimeType", e.ResponseHeader("content-type") ?? "");
        if (body.Decoded.Length > 0)
        {
            json.WriteString("text", body.Text);
            if (!body.IsText) json.WriteString("encoding", "base64");
        }
        if (body.Comment is not null) json.WriteString("comment", body.Comment);
        json.WriteEndObject();
    }

    /// <summary>A header HAR would show as sent says when its value is the recorder's keyed hash.</summary>
    public const string RedactedComment = "redacted by Capture: a keyed hash of the same length, not the value sent";

    /// <summary>A trailer field in a message's headers: HAR 1.2 has no place of its own for them.</summary>
    public const string TrailerComment = "trailer: sent after the body";

    /// <summary>The header fields, then the trailer fields, each of those commented: HAR has no trailers, and leaving them
    /// out would hide what a gRPC call's answer is (grpc-status and grpc-message come as trailers: a failed call is a 200).</summary>
    private static void Headers(Utf8JsonWriter json, IReadOnlyList<KeyValuePair<string, string>> headers,
        IReadOnlyList<KeyValuePair<string, string>> trailers, Exchange e)
    {
        json.WriteStartArray("headers");
        foreach (var (section, fields) in new[] { ((string?)null, headers), (TrailerComment, trailers) })
            foreach (var (name, value) in fields)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("value", value);
                string?[] comments = [section, e.IsRedactedHeader(name) ? RedactedComment : null];
                if (comments.Any(c => c is not null)) json.WriteString("comment", string.Join("; ", comments.OfType<string>()));
                json.WriteEndObject();
            }
        json.WriteEndArray();
    }

    /// <summary>A query parameter as browsers' devtools decode one from the entry's url (application/x-www-form-urlencoded):
    /// '+' is a space, then %XX escapes as UTF-8; "%2B" stays a plus. The target's characters are its bytes (Latin-1), so a
    /// raw UTF-8 "é" is first escaped as the url has it (%C3%A9), not read as "Ã©"; bytes that are no UTF-8 stay escaped.</summary>
    private static string QueryDecode(string text) => Uri.UnescapeDataString(HarUrl.Escape(text).Replace('+', ' '));

    private static void QueryString(Utf8JsonWriter json, string? path, Recording.RedactionInfo redaction)
    {
        json.WriteStartArray("queryString");
        int q = path?.IndexOf('?') ?? -1;
        if (q >= 0)
        {
            foreach (var pair in path![(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=');
                json.WriteStartObject();
                json.WriteString("name", QueryDecode(eq < 0 ? pair : pair[..eq]));
                json.WriteString("value", eq < 0 ? "" : QueryDecode(pair[(eq + 1)..]));
                if (redaction.QueryParametersIn("?" + pair).Any()) json.WriteString("comment", RedactedComment);
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
    }
}
