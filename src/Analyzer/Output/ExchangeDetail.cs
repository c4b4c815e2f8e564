using System.Globalization;
using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Recording;

namespace Capture.Analyzer.Output;

/// <summary>`show ID`: one exchange in full, as a person reads it; what came from the traffic or a process name is
/// written through <see cref="TerminalText"/>.</summary>
internal static class ExchangeDetail
{
    /// <summary>Why a request shows no method: not captured at all, an HTTP/1 request line that did not parse, an HTTP/2
    /// stream that no request opened, or an HTTP/2 field block cut before its first field (or one without :method, flagged
    /// malformed).</summary>
    private static string NoMethod(Exchange e) =>
        e.Flags.Contains(ExchangeFlags.NoRequest) ? "(request not captured)"
        : e.RequestLine == StartLine.Absent ? "(no request)"
        : e.RequestLine == StartLine.NotDecoded ? "(request fields not decoded)"
        : e.Protocol == "h2" && e.RequestLine == StartLine.NotParsed ? "(request field block interrupted)"
        : e.Protocol != "h2" ? (e.RequestLine == StartLine.NotCaptured ? "(request line not captured)" : "(request line not parsed)")
        : e.RequestHeaders.Count == 0 ? "(request fields not captured)" : "(no :method)";

    /// <summary>How the TLS calls were tied to the socket; a connection whose row the kernel's events did not tell it (its
    /// open came before any TLS call, or was dropped and no close came) says so rather than a blank.</summary>
    private static string Attribution(ConnectionRow? conn) =>
        conn?.Tls_Attribution is { } how ? $"attributed by {how}" : "attribution not recorded";

    public static void Write(TextWriter o, Exchange e, ConnectionRow? conn, Exchange? peer)
    {
        string scheme = e.Tls ? "https" : "http";
        o.WriteLine($"exchange {e.Id}" + (e.Recording.Length > 0 ? $" in {e.Recording}" : ""));
        string request = e.Method is { } method ? T(method) : NoMethod(e);
        string status = e.Status?.ToString(CultureInfo.InvariantCulture) ?? e.StatusLine switch
        {
            StartLine.NotParsed => e.Protocol == "h2" ? "(response field block interrupted)" : "(status line not parsed)",
            StartLine.NotCaptured => "(status line not captured)",
            StartLine.Absent => "(no status line)",
            StartLine.NotDecoded => "(response fields not decoded)",
            _ => "(no response)",
        };
        o.WriteLine($"  {request} {scheme}://{T(e.Host)}{T(e.Path)}");
        o.WriteLine($"  -> {status}{(e.Reason is { Length: > 0 } r ? " " + T(r) : "")}");
        o.WriteLine($"  protocol    {e.Protocol}{(e.StreamId is { } s ? $", stream {s}" : "")}{(e.Tls ? $", TLS plaintext ({conn?.Tls_Library}, {Attribution(conn)})" : "")}");
        o.WriteLine($"  time        {ExchangeJson.Time(e.Timestamp)}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  duration    {e.DurationMs:F3} ms (request sent {Ms(e.RequestSentMs)}, first response byte {Ms(e.TtfbMs)})"));
        o.WriteLine($"  process     {T(ProcessLabel.Described(e.Comm, e.Pid))}, {e.Side} side");
        o.WriteLine($"  connection  {e.ConnectionId}: {e.Local} -> {e.Remote}" +
                    (conn is null ? "" : $", {conn.Role} (opened by {conn.Opened_By})"));
        if (e.Flags.Count > 0) o.WriteLine($"  flags       {string.Join(", ", e.Flags)}");
        if (e.Note is { } note) o.WriteLine($"  note        {T(note)}");
        if (e.RedactedFields() is { Count: > 0 } redacted)
            o.WriteLine($"  redacted    {T(string.Join(", ", redacted))}: keyed hashes of the same length, not the values sent (record --no-redact keeps them)");
        if (e.ResetError is { } reset) o.WriteLine($"  reset       RST_STREAM {reset}");
        if (e.Grpc is { } g)
            o.WriteLine($"  grpc        {T(g.Service)}/{T(g.Method)} status {(g.Status?.ToString(CultureInfo.InvariantCulture) ?? "-")}" +
                        $"{(g.Message is null ? "" : $" \"{T(g.Message)}\"")}, {g.RequestMessages} request / {g.ResponseMessages} response messages");
        if (peer is not null)
        {
            double difference = e.Side == "client" ? e.DurationMs - peer.DurationMs : peer.DurationMs - e.DurationMs;
            // An unfinished exchange's duration is only how far its end had got when the recording stopped.
            bool unfinished = e.Flags.Contains(ExchangeFlags.Incomplete) || peer.Flags.Contains(ExchangeFlags.Incomplete);
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  other end   {T(ProcessLabel.Described(peer.Comm, peer.Pid))} ({peer.Side} side) took {peer.DurationMs:F3} ms; ") +
                (unfinished ? "not compared: the exchange did not finish in the recording"
                    : string.Create(CultureInfo.InvariantCulture, $"{difference:F3} ms of the client's time was spent outside the server (network, kernel, scheduling)")));
        }

        // A body the recording ended in may stop inside a character, as one cut by --body-kb may.
        bool incomplete = e.Flags.Contains(ExchangeFlags.Incomplete);
        Message(o, "request", e.RequestHeaders, e.RequestTrailers, e.RequestBody, e.RequestBodyBytes, BodyCoding.Of(e.RequestHeaders), incomplete, ">");
        foreach (var interim in e.InterimResponses)
        {
            o.WriteLine();
            o.WriteLine($"< interim response {interim.Status}{(interim.Reason is { Length: > 0 } reason ? " " + T(reason) : "")}");
            Fields(o, interim.Headers, "<");
        }
        Message(o, "response", e.ResponseHeaders, e.ResponseTrailers, e.ResponseBody, e.ResponseBodyBytes, BodyCoding.Of(e.ResponseHeaders), incomplete, "<");
    }

    private static string T(string? text) => TerminalText.Escape(text);

    private static void Fields(TextWriter o, IReadOnlyList<KeyValuePair<string, string>> fields, string mark)
    {
        foreach (var (name, value) in fields) o.WriteLine($"{mark}   {T(name)}: {T(value)}");
    }

    private static string Ms(double? ms) => ms is { } v ? v.ToString("F3", CultureInfo.InvariantCulture) + " ms" : "-";

    private static void Message(TextWriter o, string what, IReadOnlyList<KeyValuePair<string, string>> headers,
        IReadOnlyList<KeyValuePair<string, string>> trailers, byte[] body, long bodyBytes, string? contentEncoding, bool unfinished, string mark)
    {
        o.WriteLine();
        o.WriteLine($"{mark} {what} headers");
        Fields(o, headers, mark);
        if (bodyBytes > 0 || body.Length > 0)
        {
            bool cut = body.Length < bodyBytes;
            var decoded = BodyDisplay.Decode(body, contentEncoding, cut);
            string kept = cut ? $", first {body.Length} kept" : "";
            string coding = decoded.Coding is { } c ? $", {c} decoded to {decoded.Bytes.Length} bytes" : "";
            string problem = decoded.CodingProblem is { } p ? $" ({p})" : "";
            o.WriteLine($"{mark} {what} body: {bodyBytes} bytes{kept}{coding}{problem}");
            BodyDisplay.Write(o, decoded.Bytes, decoded.EndsEarly(cut || unfinished), $"{mark}   ");
        }
        if (trailers.Count > 0)
        {
            o.WriteLine($"{mark} {what} trailers");
            Fields(o, trailers, mark);
        }
    }
}
