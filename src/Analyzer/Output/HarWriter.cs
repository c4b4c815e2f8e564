using System.Text;
using System.Text.Json;
using Capture.Analyzer.Exchanges;

namespace Capture.Analyzer.Output;

/// <summary>
/// HAR 1.2 (the format browser devtools import): one entry per exchange, streamed so that memory does not
/// grow with the recording. Fields HAR requires are always present; times are ≥ 0 (blocked, dns, connect
/// and ssl are -1: not measured); bodies that are not text are base64; the process is `_pid`/`_comm`.
/// </summary>
internal static class HarWriter
{
    public static int Write(Stream stream, IEnumerable<Exchange> exchanges)
    {
        int count = 0;
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartObject("log");
        json.WriteString("version", "1.2");
        json.WriteStartObject("creator");
        json.WriteString("name", "Capture");
        json.WriteString("version", typeof(HarWriter).Assembly.GetName().Version?.ToString() ?? "0");
        json.WriteEndObject();
        json.WriteStartArray("entries");
        foreach (var e in exchanges)
        {
            Entry(json, e);
            count++;
            if (count % 256 == 0) json.Flush();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        return count;
    }

    private static void Entry(Utf8JsonWriter json, Exchange e)
    {
        double send = Math.Max(0, e.RequestSentMs ?? 0);
        double wait = Math.Max(0, (e.TtfbMs ?? e.DurationMs) - send);
        double receive = Math.Max(0, e.DurationMs - send - wait);
        string version = e.Protocol == "h2" ? "HTTP/2.0" : e.HttpVersion ?? "HTTP/1.1";

        json.WriteStartObject();
        json.WriteString("startedDateTime", e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"));
        json.WriteNumber("time", Math.Round(send + wait + receive, 3));

        json.WriteStartObject("request");
        json.WriteString("method", e.Method ?? "GET");
        json.WriteString("url", $"{(e.Tls ? "https" : "http")}://{e.Host}{e.Path ?? "/"}");
        json.WriteString("httpVersion", version);
        json.WriteStartArray("cookies");
        json.WriteEndArray();
        Headers(json, e.RequestHeaders);
        QueryString(json, e.Path);
        if (e.RequestBodyBytes > 0 || e.RequestBody.Length > 0)
        {
            json.WriteStartObject("postData");
            json.WriteString("mimeType", e.RequestHeader("content-type") ?? "");
            var decoded = BodyDisplay.Decode(e.RequestBody, e.RequestHeader("content-encoding"), e.RequestBody.Length < e.RequestBodyBytes);
            json.WriteString("text", BodyDisplay.IsText(decoded.Bytes) ? Encoding.UTF8.GetString(decoded.Bytes) : Convert.ToBase64String(decoded.Bytes));
            json.WriteEndObject();
        }
        json.WriteNumber("headersSize", -1);
        json.WriteNumber("bodySize", e.RequestBodyBytes);
        json.WriteEndObject();

        json.WriteStartObject("response");
        json.WriteNumber("status", e.Status ?? 0);
        json.WriteString("statusText", e.Reason ?? "");
        json.WriteString("httpVersion", version);
        json.WriteStartArray("cookies");
        json.WriteEndArray();
        Headers(json, e.ResponseHeaders);
        json.WriteStartObject("content");
        var body = BodyDisplay.Decode(e.ResponseBody, e.ResponseHeader("content-encoding"), e.ResponseBody.Length < e.ResponseBodyBytes);
        json.WriteNumber("size", body.Coding is null ? e.ResponseBodyBytes : body.Bytes.Length);
        if (body.Coding is not null) json.WriteNumber("compression", Math.Max(0, body.Bytes.Length - e.ResponseBodyBytes));
        json.WriteString("mimeType", e.ResponseHeader("content-type") ?? "");
        if (body.Bytes.Length > 0)
        {
            if (BodyDisplay.IsText(body.Bytes)) json.WriteString("text", Encoding.UTF8.GetString(body.Bytes));
            else
            {
                json.WriteString("text", Convert.ToBase64String(body.Bytes));
                json.WriteString("encoding", "base64");
            }
        }
        json.WriteEndObject();
        json.WriteString("redirectURL", e.ResponseHeader("location") ?? "");
        json.WriteNumber("headersSize", -1);
        json.WriteNumber("bodySize", e.ResponseBodyBytes);
        json.WriteEndObject();

        json.WriteStartObject("cache");
        json.WriteEndObject();
        json.WriteStartObject("timings");
        json.WriteNumber("blocked", -1);
        json.WriteNumber("dns", -1);
        json.WriteNumber("connect", -1);
        json.WriteNumber("ssl", -1);
        json.WriteNumber("send", Math.Round(send, 3));
        json.WriteNumber("wait", Math.Round(wait, 3));
        json.WriteNumber("receive", Math.Round(receive, 3));
        json.WriteEndObject();
        string server = e.Side == "client" ? e.Remote : e.Local;
        json.WriteString("serverIPAddress", server[..Math.Max(0, server.LastIndexOf(':'))].Trim('[', ']'));
        json.WriteString("connection", e.ConnectionId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("_pid", e.Pid);
        json.WriteString("_comm", e.Comm);
        json.WriteString("_side", e.Side);
        json.WriteNumber("_id", e.Id);
        json.WriteStartArray("_flags");
        foreach (var flag in e.Flags) json.WriteStringValue(flag);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Headers(Utf8JsonWriter json, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        json.WriteStartArray("headers");
        foreach (var (name, value) in headers)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("value", value);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void QueryString(Utf8JsonWriter json, string? path)
    {
        json.WriteStartArray("queryString");
        int q = path?.IndexOf('?') ?? -1;
        if (q >= 0)
        {
            foreach (var pair in path![(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=');
                json.WriteStartObject();
                json.WriteString("name", Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]));
                json.WriteString("value", eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]));
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
    }
}
