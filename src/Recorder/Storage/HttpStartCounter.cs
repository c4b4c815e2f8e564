namespace Capture.Recorder.Storage;

/// <summary>A cheap live estimate for the summary: how many HTTP/1.x messages begin at the
/// start of a written chunk. The Analyzer does the real parsing.</summary>
internal static class HttpStartCounter
{
    private static readonly byte[][] Starts =
        [.. new[] { "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "PATCH ", "OPTIONS ", "CONNECT ", "TRACE ", "HTTP/1." }
            .Select(s => System.Text.Encoding.ASCII.GetBytes(s))];

    public static int Count(ReadOnlySpan<byte> chunk)
    {
        // Every start above begins with one of these capitals; most chunks (bodies, frames) are turned away here.
        if (chunk.IsEmpty || chunk[0] is not ((byte)'G' or (byte)'P' or (byte)'H' or (byte)'D' or (byte)'O' or (byte)'C' or (byte)'T')) return 0;
        foreach (var start in Starts)
            if (chunk.StartsWith(start)) return 1;
        return 0;
    }
}
