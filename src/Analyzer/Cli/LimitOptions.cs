using System.CommandLine;
using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Http1;
using Capture.Analyzer.Http2;

namespace Capture.Analyzer.Cli;

/// <summary>The parsers' bounds as `analyze` options. The defaults keep any input safe; a person who needs a
/// whole large body in `show` or `--export-har`, or a stricter bound on a hostile recording, sets them.</summary>
internal sealed class LimitOptions
{
    // Sizes are given in KiB; this keeps every byte count well inside an int.
    private const int MaxKib = 1 << 20;

    private readonly Option<int?> _headKib = new("--max-head-kb") { Description = $"HTTP/1 message head (start line and fields), in KiB (default {Http1Limits.Default.MaxHeadBytes / 1024}); longer heads are flagged malformed" };
    private readonly Option<int?> _headers = new("--max-headers") { Description = $"HTTP/1 field lines per head (default {Http1Limits.Default.MaxHeaderCount}); more are flagged malformed" };
    private readonly Option<int?> _bodyKib = new("--body-kb") { Description = $"Body bytes kept per message or HTTP/2 stream for show, --json and HAR, in KiB (default {Http1Limits.Default.BodyPreviewBytes / 1024}); the rest is counted" };
    private readonly Option<int?> _blockKib = new("--max-header-block-kb") { Description = $"HTTP/2 field block, in KiB (default {Http2Limits.Default.MaxHeaderBlockBytes / 1024}); a larger block is not decoded (show says so)" };
    private readonly Option<int?> _streams = new("--max-streams") { Description = $"HTTP/2 streams with state at once per direction (default {Http2Limits.Default.MaxTrackedStreams})" };
    private readonly Option<int?> _hpackKib = new("--max-hpack-table-kb") { Description = $"HPACK dynamic table kept per direction, in KiB (default {Http2Limits.Default.MaxHpackTableBytes / 1024}), whatever the peer advertises" };

    public IEnumerable<Option> All => [_headKib, _headers, _bodyKib, _blockKib, _streams, _hpackKib];

    /// <summary>What one of these options takes ("a count from 1 to 1048576"); null for any other option.</summary>
    public string? Takes(Option option) => All.Contains(option) ? $"a count from 1 to {Most(option)}" : null;

    private int Most(Option option) => option == _headers || option == _streams ? 1 << 20 : MaxKib;

    /// <summary>The limits asked for, or the one-line reason they are refused.</summary>
    public (ParserLimits? Limits, string? Error) Read(ParseResult parsed)
    {
        var http1 = Http1Limits.Default;
        var http2 = Http2Limits.Default;
        foreach (var option in All)
        {
            if (parsed.GetValue((Option<int?>)option) is not { } value) continue;
            if (value < 1 || value > Most(option)) return (null, $"{option.Name} takes {Takes(option)}, not {value}");
        }
        if (parsed.GetValue(_headKib) is { } head) http1 = http1 with { MaxHeadBytes = head * 1024 };
        if (parsed.GetValue(_headers) is { } headers) http1 = http1 with { MaxHeaderCount = headers };
        if (parsed.GetValue(_bodyKib) is { } body)
        {
            http1 = http1 with { BodyPreviewBytes = body * 1024 };
            http2 = http2 with { PreviewBytesPerStream = body * 1024 };
        }
        if (parsed.GetValue(_blockKib) is { } block) http2 = http2 with { MaxHeaderBlockBytes = block * 1024 };
        if (parsed.GetValue(_streams) is { } streams) http2 = http2 with { MaxTrackedStreams = streams };
        if (parsed.GetValue(_hpackKib) is { } hpack) http2 = http2 with { MaxHpackTableBytes = hpack * 1024 };
        return (new ParserLimits(http1, http2), null);
    }
}
