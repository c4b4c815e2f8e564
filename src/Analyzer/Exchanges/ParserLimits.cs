using Capture.Analyzer.Http1;
using Capture.Analyzer.Http2;

namespace Capture.Analyzer.Exchanges;

/// <summary>The bounds every parser of an analysis keeps to, whatever the recorded peers sent: the
/// defaults are safe for any input, and `analyze` options raise or lower them (README, Limits).</summary>
internal sealed record ParserLimits(Http1Limits Http1, Http2Limits Http2)
{
    public static ParserLimits Default { get; } = new(Http1Limits.Default, Http2Limits.Default);
}
