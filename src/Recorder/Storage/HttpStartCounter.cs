using System.Buffers;

namespace Capture.Recorder.Storage;

/// <summary>A cheap live estimate for the summary: how many HTTP/1.x messages begin at the
/// start of a written chunk. The Analyzer does the real parsing.</summary>
internal static class HttpStartCounter
{
    private static readonly byte[][] Starts =
        [.. new[] { "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "PATCH ", "OPTIONS ", "CONNECT ", "TRACE ", "HTTP/1." }
            .Select(s => System.Text.Encoding.ASCII.GetBytes(s))];

    /// <summary>The first octets of <see cref="Starts"/>: most chunks (bodies, frames) are turned away on their first.</summary>
    private static readonly SearchValues<byte> FirstOctets = SearchValues.Create([.. Starts.Select(s => s[0]).Distinct()]);

    public static int Count(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty || !FirstOctets.Contains(chunk[0])) return 0;
        foreach (var start in Starts)
            if (chunk.StartsWith(start)) return 1;
        return 0;
    }
}
