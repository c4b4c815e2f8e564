using System.Globalization;
using System.Text.Json;
using Capture.Analyzer.Exchanges;

namespace Capture.Analyzer.Output;

/// <summary>JSON lines, one exchange per line. The field set and names are a stable contract
/// (docs/json.md): add fields, never rename or remove them.</summary>
internal static class ExchangeJson
{
    /// <param name="withMessages">Also the headers, trailers and body previews (`show --json`).</param>
    public static void Write(TextWriter output, IEnumerable<Exchange> exchanges, bool withMessages = false)
    {
        var lines = new JsonLines(output);
        foreach (var e in exchanges) lines.Write(json => WriteFields(json, e, withMessages));
    }

    private static void WriteFields(Utf8JsonWriter json, Exchange e, bool withMessages)
    {
        json.WriteNumber("id", e.Id);
        json.WriteString("ts", Time(e.Timestamp));
        json.WriteNumber("duration_ms", Math.Round(e.DurationMs, 3));
        if (e.TtfbMs is { } ttfb) json.WriteNumber("ttfb_ms", Math.Round(ttfb, 3)); else json.WriteNull("ttfb_ms");
        WriteStringOrNull(json, "method", e.Method);
        WriteStringOrNull(json, "host", e.Host);
        WriteStringOrNull(json, "path", e.Path);
        if (e.Status is { } status) json.WriteNumber("status", status); else json.WriteNull("status");
        json.WriteNumber("pid", e.Pid);
        json.WriteString("comm", e.Comm);
        json.WriteString("side", e.Side);
        json.WriteString("protocol", e.Protocol);
        json.WriteBoolean("tls", e.Tls);
        json.WriteNumber("req_bytes", e.RequestBytes);
        json.WriteNumber("resp_bytes", e.ResponseBytes);
        json.WriteStartArray("flags");
        foreach (var flag in e.Flags) json.WriteStringValue(flag);
        json.WriteEndArray();
        json.WriteNumber("connection_id", e.ConnectionId);
        json.WriteString("local", e.Local);
        json.WriteString("remote", e.Remote);
        if (e.StreamId is { } stream) json.WriteNumber("stream_id", stream); else json.WriteNull("stream_id");
        WriteStringOrNull(json, "reset_error", e.ResetError);
        if (e.Grpc is { } grpc)
        {
            json.WriteStartObject("grpc");
            WriteStringOrNull(json, "service", grpc.Service);
            WriteStringOrNull(json, "method", grpc.Method);
            if (grpc.Status is { } code) json.WriteNumber("status", code); else json.WriteNull("status");
            WriteStringOrNull(json, "message", grpc.Message);
            json.WriteNumber("request_messages", grpc.RequestMessages);
            json.WriteNumber("response_messages", grpc.ResponseMessages);
            json.WriteEndObject();
        }
        else json.WriteNull("grpc");
        if (e.Recording.Length > 0) json.WriteString("recording", e.Recording);
        if (withMessages) WriteMessages(json, e);
    }

    private static void WriteMessages(Utf8JsonWriter json, Exchange e)
    {
        foreach (var (name, fields) in new[] { ("request_headers", e.RequestHeaders), ("request_trailers", e.RequestTrailers),
                                               ("response_headers", e.ResponseHeaders), ("response_trailers", e.ResponseTrailers) })
            WriteFields(json, name, fields);
        json.WriteStartArray("interim_responses");
        foreach (var interim in e.InterimResponses)
        {
            json.WriteStartObject();
            json.WriteNumber("status", interim.Status);
            WriteStringOrNull(json, "reason", interim.Reason);
            WriteFields(json, "headers", interim.Headers);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("redacted");
        foreach (var field in e.RedactedFields()) json.WriteStringValue(field);
        json.WriteEndArray();
        WriteStringOrNull(json, "note", e.Note);
        json.WriteNumber("request_body_bytes", e.RequestBodyBytes);
        json.WriteNumber("response_body_bytes", e.ResponseBodyBytes);
        json.WriteBase64String("request_body_base64", e.RequestBody);
        json.WriteBase64String("response_body_base64", e.ResponseBody);
    }

    /// <summary>Header fields as an array of [name, value] pairs.</summary>
    private static void WriteFields(Utf8JsonWriter json, string name, IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        json.WriteStartArray(name);
        foreach (var (key, value) in fields)
        {
            json.WriteStartArray();
            json.WriteStringValue(key);
            json.WriteStringValue(value);
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }

    public static string Time(DateTimeOffset ts) => ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name); else json.WriteString(name, value);
    }
}
