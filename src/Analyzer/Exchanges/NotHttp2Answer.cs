using System.Runtime.InteropServices;
using System.Text;
using Capture.Analyzer.Http1;
using Capture.Analyzer.Http2;

namespace Capture.Analyzer.Exchanges;

/// <summary>
/// What a server that does not speak HTTP/2 sent back to a client that began with the HTTP/2 connection preface.
/// RFC 9113 §3.4: a server's first frame is SETTINGS. An HTTP/1 server instead reads the preface's "PRI * HTTP/2.0" as a
/// request line and answers it: with a status line (400, 505), or, like Python's http.server, with a bare error page and
/// no status line at all, as HTTP/0.9 answered. Those bytes are no frames. They are read as one HTTP/1 response when they
/// begin "HTTP/", and kept as they are otherwise; either way they are the answer to the connection's first stream, and
/// every stream of the connection is malformed: the server broke the protocol the client spoke.
/// </summary>
internal sealed class NotHttp2Answer
{
    /// <summary>Octets of the answer quoted in the note: a status line, or enough of a bare body to recognise it.</summary>
    private const int QuotedBytes = 64;

    private readonly Http1StreamParser _http1;
    private readonly int _keepBytes;
    private readonly List<byte> _first = [];
    private long _length;

    public NotHttp2Answer(Http1Limits limits)
    {
        _http1 = new Http1StreamParser(Http1MessageKind.Response, limits);
        _keepBytes = Math.Max(limits.BodyPreviewBytes, QuotedBytes);
    }

    /// <summary>The server's next bytes, from the first of its direction on.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        // Only what was captured before the first hole is kept: a bare body is shown as far as it is known.
        if (_first.Count == _length) _first.AddRange(bytes[..Math.Min(bytes.Length, _keepBytes - _first.Count)]);
        _length += bytes.Length;
        _http1.Feed(bytes);
    }

    public void Gap(long lost)
    {
        _length += lost;
        _http1.Gap(lost);
    }

    public void Uncaptured(long bytes)
    {
        _length += bytes;
        _http1.Uncaptured(bytes);
    }

    public void End() => _http1.End();

    private bool BeginsWithStatusLine => CollectionsMarshal.AsSpan(_first).StartsWith("HTTP/"u8);

    /// <summary>The HTTP/1 response the bytes began with; null for a bare body.</summary>
    private Http1Message? Response => BeginsWithStatusLine && _http1.Messages.Count > 0 ? _http1.Messages[0] : null;

    /// <summary>For `show`: what the server answered, quoted (its status line, or the first octets of a bare body).</summary>
    public string Note
    {
        get
        {
            var quoted = _first.Take(QuotedBytes).ToArray();
            if (BeginsWithStatusLine)
            {
                int lineEnd = Array.FindIndex(quoted, b => b is (byte)'\r' or (byte)'\n');
                return $"the server answered in HTTP/1, not HTTP/2: {Quote(lineEnd < 0 ? quoted : quoted[..lineEnd], lineEnd < 0)}";
            }
            return $"the server's answer begins with neither the SETTINGS frame of HTTP/2 nor an HTTP/1 status line: {Quote(quoted, _length > quoted.Length)}";
        }
    }

    private static string Quote(byte[] bytes, bool more) => $"\"{Encoding.Latin1.GetString(bytes)}{(more ? "…" : "")}\"";

    /// <summary>
    /// <paramref name="stream"/> as the user should see it: malformed, and when it <paramref name="isAnswered"/> (the
    /// connection's first), with this answer as its response, at the server direction's offsets. An HTTP/1 response is
    /// whole as its framing says, and one delimited by the close only if the recording saw the connection close (as on
    /// HTTP/1); a bare body has no status, and is no response to an HTTP/2 request: the stream stays unanswered.
    /// </summary>
    public Http2Stream Apply(Http2Stream stream, bool isAnswered, bool connectionClosed)
    {
        stream = stream with { Flags = stream.Flags | Http2StreamFlags.Malformed };
        if (!isAnswered) return stream;
        if (Response is not { } response)
        {
            return stream with
            {
                ResponseStartOffset = 0, ResponseEndOffset = _length, ResponseBodyBytes = _length,
                ResponseBodyPreview = [.. _first], ResponseComplete = false,
            };
        }
        bool whole = !response.Flags.HasFlag(Http1MessageFlags.Incomplete) &&
                     (connectionClosed || !response.Flags.HasFlag(Http1MessageFlags.CloseDelimited));
        var flags = stream.Flags;
        // Answered whole, the stream was not cut by the client's GOAWAY after it (the only one: the server sent no frames).
        if (whole && stream.RequestComplete) flags &= ~(Http2StreamFlags.Incomplete | Http2StreamFlags.GoAway);
        return stream with
        {
            Flags = flags,
            Status = response.Status,
            ResponseHeaders = response.Headers,
            ResponseTrailers = response.Trailers,
            ResponseStartOffset = response.StartOffset,
            ResponseEndOffset = response.EndOffset,
            ResponseBodyBytes = response.BodyBytes,
            ResponseBodyPreview = response.BodyPreview,
            ResponseComplete = whole,
        };
    }

    /// <summary>The reason phrase of the HTTP/1 answer (HTTP/2 has none), when it is the stream's.</summary>
    public string? ReasonFor(bool isAnswered) => isAnswered ? Response?.Reason : null;

    /// <summary>How `show` reads the answered stream's status: none read, when the answer had no status line.</summary>
    public StartLine StatusLineFor(bool isAnswered) => isAnswered && Response is null ? StartLine.Absent : StartLine.Read;
}
