using System.Buffers;

namespace Capture.Recorder.Storage;

/// <summary>A cheap live estimate for the summary: how many HTTP/1.x messages, or HTTP/2 HEADERS frames, begin at
/// the start of a written chunk (a client writes each request's HEADERS first, a server each response's). The
/// Analyzer does the real parsing.</summary>
internal static class HttpStartCounter
{
    private static readonly byte[][] Starts =
        [.. new[] { "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "PATCH ", "OPTIONS ", "CONNECT ", "TRACE ", "HTTP/1." }
            .Select(s => System.Text.Encoding.ASCII.GetBytes(s))];

    /// <summary>The first octets of <see cref="Starts"/>: most chunks (bodies, frames) are turned away on their first.</summary>
    private static readonly SearchValues<byte> FirstOctets = SearchValues.Create([.. Starts.Select(s => s[0]).Distinct()]);

    public static int Count(ReadOnlySpan<byte> chunk)
    {
        if (StartsHttp2Headers(chunk)) return 1;
        if (chunk.IsEmpty || !FirstOctets.Contains(chunk[0])) return 0;
        foreach (var start in Starts)
            if (chunk.StartsWith(start)) return 1;
        return 0;
    }

    /// <summary>An HTTP/2 frame header (RFC 9113 §4.1) of type HEADERS on a stream: length within the default
    /// maximum frame size, stream id not 0.</summary>
    private static bool StartsHttp2Headers(ReadOnlySpan<byte> chunk) =>
        chunk.Length >= 9 && chunk[0] == 0 && chunk[1] <= 0x40 && chunk[3] == 0x1 && (chunk[5] & 0x7F | chunk[6] | chunk[7] | chunk[8]) != 0;
}
