using System.Globalization;
using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Recording;

namespace Capture.Analyzer.Output;

/// <summary>`show ID`: one exchange in full, as a person reads it.</summary>
internal static class ExchangeDetail
{
    public static void Write(TextWriter o, Exchange e, ConnectionRow? conn, Exchange? peer)
    {
        string scheme = e.Tls ? "https" : "http";
        o.WriteLine($"exchange {e.Id}" + (e.Recording.Length > 0 ? $" in {e.Recording}" : ""));
        o.WriteLine($"  {e.Method ?? (e.Flags.Contains(ExchangeFlags.NoRequest) ? "(request not captured)" : "(request line not parsed)")} {scheme}://{e.Host}{e.Path}");
        o.WriteLine($"  -> {(e.Status?.ToString(CultureInfo.InvariantCulture) ?? "(no response)")}{(e.Reason is { Length: > 0 } r ? " " + r : "")}");
        o.WriteLine($"  protocol    {e.Protocol}{(e.StreamId is { } s ? $", stream {s}" : "")}{(e.Tls ? $", TLS plaintext ({conn?.Tls_Library}, attributed by {conn?.Tls_Attribution})" : "")}");
        o.WriteLine($"  time        {ExchangeJson.Time(e.Timestamp)}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  duration    {e.DurationMs:F3} ms (request sent {Ms(e.RequestSentMs)}, first response byte {Ms(e.TtfbMs)})"));
        o.WriteLine($"  process     {e.Comm} pid {e.Pid}, {e.Side} side");
        o.WriteLine($"  connection  {e.ConnectionId}: {e.Local} -> {e.Remote}" +
                    (conn is null ? "" : $", {conn.Role} (opened by {conn.Opened_By})"));
        if (e.Flags.Count > 0) o.WriteLine($"  flags       {string.Join(", ", e.Flags)}");
        if (e.ResetError is { } reset) o.WriteLine($"  reset       RST_STREAM {reset}");
        if (e.Grpc is { } g)
            o.WriteLine($"  grpc        {g.Service}/{g.Method} status {(g.Status?.ToString(CultureInfo.InvariantCulture) ?? "-")}" +
                        $"{(g.Message is null ? "" : $" \"{g.Message}\"")}, {g.RequestMessages} request / {g.ResponseMessages} response messages");
        if (peer is not null)
        {
            double difference = e.Side == "client" ? e.DurationMs - peer.DurationMs : peer.DurationMs - e.DurationMs;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  other end   {peer.Comm} pid {peer.Pid} ({peer.Side} side) took {peer.DurationMs:F3} ms; {difference:F3} ms of the client's time was spent outside the server (network, kernel, scheduling)"));
        }

        Message(o, "request", e.RequestHeaders, e.RequestTrailers, e.RequestBody, e.RequestBodyBytes, e.RequestHeader("content-encoding"), ">");
        foreach (var interim in e.InterimResponses)
        {
            o.WriteLine();
            o.WriteLine($"< interim response {interim.Status}{(interim.Reason is { Length: > 0 } reason ? " " + reason : "")}");
            foreach (var (name, value) in interim.Headers) o.WriteLine($"<   {name}: {value}");
        }
        Message(o, "response", e.ResponseHeaders, e.ResponseTrailers, e.ResponseBody, e.ResponseBodyBytes, e.ResponseHeader("content-encoding"), "<");
    }

    private static string Ms(double? ms) => ms is { } v ? v.ToString("F3", CultureInfo.InvariantCulture) + " ms" : "-";

    private static void Message(TextWriter o, string what, IReadOnlyList<KeyValuePair<string, string>> headers,
        IReadOnlyList<KeyValuePair<string, string>> trailers, byte[] body, long bodyBytes, string? contentEncoding, string mark)
    {
        o.WriteLine();
        o.WriteLine($"{mark} {what} headers");
        foreach (var (name, value) in headers) o.WriteLine($"{mark}   {name}: {value}");
        if (bodyBytes > 0 || body.Length > 0)
        {
            var decoded = BodyDisplay.Decode(body, contentEncoding, cutShort: body.Length < bodyBytes);
            string kept = body.Length < bodyBytes ? $", first {body.Length} kept" : "";
            string coding = decoded.Coding is { } c ? $", {c} decoded to {decoded.Bytes.Length} bytes" : "";
            string problem = decoded.CodingProblem is { } p ? $" ({p})" : "";
            o.WriteLine($"{mark} {what} body: {bodyBytes} bytes{kept}{coding}{problem}");
            BodyDisplay.Write(o, decoded.Bytes, $"{mark}   ");
        }
        if (trailers.Count > 0)
        {
            o.WriteLine($"{mark} {what} trailers");
            foreach (var (name, value) in trailers) o.WriteLine($"{mark}   {name}: {value}");
        }
    }
}
