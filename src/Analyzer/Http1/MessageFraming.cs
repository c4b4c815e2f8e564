namespace Capture.Analyzer.Http1;

internal enum BodyKind
{
    /// <summary>No body: the message ends with its head.</summary>
    None,
    /// <summary>Content-Length bytes follow.</summary>
    Fixed,
    /// <summary>Chunked transfer coding follows.</summary>
    Chunked,
    /// <summary>The body runs until the connection closes.</summary>
    CloseDelimited,
    /// <summary>The message ends with its head and the connection switches protocol (101, 2xx to CONNECT).</summary>
    SwitchProtocol,
    /// <summary>A response whose status line did not parse, with no framing fields: it may have had no body at all (1xx,
    /// 204, 304), so rather than to the close it runs to the next status line.</summary>
    UntilNextMessage,
    /// <summary>The framing cannot be determined; see the error.</summary>
    Invalid,
}

/// <summary>How a message's body is framed. With <see cref="BodyKind.Invalid"/> the error says why there is no framing;
/// with another body kind an error is a fault the framing was chosen despite (the message is Malformed and goes on).</summary>
internal readonly record struct Framing(BodyKind Body, long Length = 0,
    Http1ErrorCode ErrorCode = default, string? Error = null, long ErrorOffset = 0);

/// <summary>Message body length, RFC 9112 §6.3, decided once the head is complete.</summary>
internal static class MessageFraming
{
    /// <param name="requestMethod">For a final response: the method of the request it answers (null: unknown, treated as GET).</param>
    public static Framing Decide(MessageBuilder message, string? requestMethod)
    {
        // A status line that did not parse gives no status: only the request method can rule a body out.
        if (message.Kind == Http1MessageKind.Response && message.Status is null && requestMethod == "HEAD") return new(BodyKind.None);
        if (message is { Kind: Http1MessageKind.Response, Status: { } status })
        {
            // §6.3 item 1: 1xx, 204, 304 and any response to HEAD end with the head.
            if (status == 101) return new(BodyKind.SwitchProtocol);
            if (status < 200) return new(BodyKind.None);
            if (requestMethod == "HEAD") return new(BodyKind.None);
            // §6.3 item 2: a 2xx response to CONNECT switches to tunnel mode.
            if (requestMethod == "CONNECT" && status < 300) return new(BodyKind.SwitchProtocol);
            if (status is 204 or 304) return new(BodyKind.None);
        }

        bool sawTransferEncoding = false, sawContentLength = false, chunkedLast = false;
        long transferEncodingOffset = 0, contentLength = -1;
        string? lengthError = null;
        long lengthErrorOffset = 0;
        var headers = message.Headers;
        for (int i = 0; i < headers.Count; i++)
        {
            string name = headers[i].Key;
            if (name.Length == 17 && name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                sawTransferEncoding = true;
                transferEncodingOffset = message.HeaderOffset(i);
                if (TryGetLastCoding(headers[i].Value, out var last))
                    chunkedLast = last.Equals("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Length == 14 && lengthError is null && name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                sawContentLength = true;
                lengthError = ParseContentLength(headers[i].Value, ref contentLength);
                if (lengthError is not null) lengthErrorOffset = message.HeaderOffset(i);
            }
        }

        // §6.3 item 3: Transfer-Encoding overrides Content-Length.
        if (sawTransferEncoding)
        {
            // §6.3 item 4: a response reads until close; a request cannot be framed.
            if (!chunkedLast && message.Kind == Http1MessageKind.Request)
                return new(BodyKind.Invalid, ErrorCode: Http1ErrorCode.InvalidTransferEncoding,
                    Error: "invalid Transfer-Encoding: chunked is not the final coding of a request",
                    ErrorOffset: transferEncodingOffset);
            var body = chunkedLast ? BodyKind.Chunked : BodyKind.CloseDelimited;
            // §6.3 item 3: both fields "ought to be handled as an error" (request smuggling, response splitting); §6.1: so
            // must Transfer-Encoding in an HTTP/1.0 message. The body is read as Transfer-Encoding says, and the fault reported.
            string? fault = sawContentLength ? "ambiguous framing: Transfer-Encoding and Content-Length both present, Transfer-Encoding used"
                : message.Version == "HTTP/1.0" ? "ambiguous framing: Transfer-Encoding in an HTTP/1.0 message, which may not know it"
                : null;
            return new(body, ErrorCode: Http1ErrorCode.AmbiguousFraming, Error: fault, ErrorOffset: transferEncodingOffset);
        }
        // §6.3 item 5: an invalid Content-Length is an unrecoverable error.
        if (lengthError is not null)
            return new(BodyKind.Invalid, ErrorCode: Http1ErrorCode.InvalidContentLength, Error: lengthError, ErrorOffset: lengthErrorOffset);
        if (contentLength >= 0) return contentLength == 0 ? new(BodyKind.None) : new(BodyKind.Fixed, contentLength);
        // §6.3 items 7 and 8.
        if (message.Kind == Http1MessageKind.Request) return new(BodyKind.None);
        return message.Status is null ? new(BodyKind.UntilNextMessage) : new(BodyKind.CloseDelimited);
    }

    /// <summary>transfer-coding = token *( OWS ";" OWS transfer-parameter ): the last coding's token; false for an empty list.</summary>
    private static bool TryGetLastCoding(string value, out ReadOnlySpan<char> coding)
    {
        var list = value.AsSpan();
        while (true)
        {
            int comma = list.LastIndexOf(',');
            coding = list[(comma + 1)..];
            int semicolon = coding.IndexOf(';');
            if (semicolon >= 0) coding = coding[..semicolon];
            coding = coding.Trim(" \t");
            if (!coding.IsEmpty) return true;
            if (comma < 0) return false;
            list = list[..comma];
        }
    }

    /// <summary>
    /// Content-Length = 1*DIGIT, possibly repeated as a list or in several fields; identical repeats are
    /// accepted as one value (§6.3 item 5). Returns an error message or null.
    /// </summary>
    private static string? ParseContentLength(string value, ref long contentLength)
    {
        foreach (var range in value.AsSpan().Split(','))
        {
            var element = value.AsSpan(range).Trim(" \t");
            if (element.IsEmpty) return "invalid Content-Length: not a decimal number";
            long parsed = 0;
            foreach (char c in element)
            {
                if (c is < '0' or > '9') return "invalid Content-Length: not a decimal number";
                if (parsed > (long.MaxValue - 9) / 10) return "invalid Content-Length: value too large";
                parsed = parsed * 10 + (c - '0');
            }
            if (contentLength >= 0 && parsed != contentLength) return "invalid Content-Length: conflicting values";
            contentLength = parsed;
        }
        return null;
    }
}
