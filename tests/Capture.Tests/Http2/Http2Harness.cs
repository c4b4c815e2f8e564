using Capture.Hpack;
using System.Text;
using Capture.Analyzer.Http2;
using Capture.Tests.Support;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http2;

/// <summary>One step of a captured direction: bytes, lost bytes, or the end.</summary>
internal abstract record Step
{
    public sealed record Bytes(byte[] Data) : Step;
    public sealed record Lost(long Count) : Step;
    public sealed record Close : Step;
}

/// <summary>Everything a direction parser reported, as text, so that results compare with readable diffs.</summary>
internal sealed record Http2Result(string[] Events, string[] Errors, long Position, bool StartedMidConnection, bool ContextLost)
{
    public override string ToString() =>
        string.Join("\n", Events) + "\n-- errors --\n" + string.Join("\n", Errors) +
        $"\n-- position {Position}, mid-connection={StartedMidConnection}, context lost={ContextLost}";
}

/// <summary>Feeds a direction to <see cref="Http2DirectionParser"/> in the ways a capture can split it.</summary>
internal static class Http2Harness
{
    public static Step[] Script(params object[] steps) => steps.Select<object, Step>(s => s switch
    {
        byte[] data => new Step.Bytes(data),
        HpackBlock block => new Step.Bytes(block.ToArray()),
        int lost => new Step.Lost(lost),
        Step step => step,
        _ => throw new ArgumentException($"unknown step {s}"),
    }).ToArray();

    public static Http2DirectionParser Parse(bool clientToServer, Step[] script, Splitter split,
        Action<Http2DirectionParser>? setup = null, Http2Limits? limits = null)
    {
        var parser = new Http2DirectionParser(clientToServer, limits);
        setup?.Invoke(parser);
        foreach (var step in script)
        {
            switch (step)
            {
                case Step.Bytes(var data):
                    StreamSplits.Feed(data, split, parser.Feed);
                    break;
                case Step.Lost(var count):
                    parser.Gap(count);
                    break;
                case Step.Close:
                    parser.End();
                    break;
            }
        }
        return parser;
    }

    public static Http2Result Run(bool clientToServer, Step[] script, Splitter split,
        Action<Http2DirectionParser>? setup = null, Http2Limits? limits = null) =>
        Result(Parse(clientToServer, script, split, setup, limits));

    public static Http2Result Result(Http2DirectionParser parser) => new(
        parser.Events.Select(Describe).ToArray(),
        parser.Errors.Select(Describe).ToArray(),
        parser.Position, parser.StartedMidConnection, parser.ContextLost);

    /// <summary>Every field of an event on one line.</summary>
    public static string Describe(Http2Event e) => e switch
    {
        Http2HeadersEvent h =>
            $"{(h.IsPushPromise ? $"PUSH_PROMISE promised={h.PromisedStreamId}" : "HEADERS")} @{h.Offset}-{h.EndOffset} stream={h.StreamId}" +
            (h.EndStream ? " end_stream" : "") + (h.ContextLost ? " context_lost" : "") + (h.Malformed ? " malformed" : "") +
            (h.Cut ? " cut" : "") + (h.OverLimit is { } over ? $" over_limit={over.Bytes}/{over.LimitBytes}" : "") +
            (h.InterruptedBy is { } by ? $" interrupted_by=\"{by}\"" : "") + " " + Fields(h.Headers),
        Http2DataEvent d =>
            $"DATA @{d.Offset}-{d.EndOffset} stream={d.StreamId} length={d.Length}" + (d.EndStream ? " end_stream" : "") +
            (d.LostBytes > 0 ? $" lost={d.LostBytes}" : "") + (d.GrpcMessages > 0 ? $" grpc_messages={d.GrpcMessages}" : "") +
            $" preview=\"{Escape(d.Preview.Span)}\"",
        Http2ResetEvent r => $"RST_STREAM @{r.Offset} stream={r.StreamId} error={r.ErrorCode}",
        Http2WindowUpdateEvent w => $"WINDOW_UPDATE @{w.Offset} stream={w.StreamId} increment={w.Increment}",
        Http2GoAwayEvent g => $"GOAWAY @{g.Offset} last_stream={g.LastStreamId} error={g.ErrorCode} debug=\"{g.Debug}\"",
        Http2SettingsEvent s => $"SETTINGS @{s.Offset}" + (s.Ack ? " ack" : "") + (s.Cut ? " cut" : "") + string.Concat(s.Settings.Select(p => $" {p.Id}={p.Value}")),
        Http2GapEvent g => $"GAP @{g.Offset} length={g.Length}" + (g.FramingLost ? " framing_lost" : $" stream={g.StreamId}"),
        Http2ResyncEvent r => $"RESYNC @{r.Offset} skipped={r.SkippedBytes}",
        _ => e.ToString(),
    };

    public static string Describe(Http2ParseError e) =>
        $"{e.Offset} {e.Code}: {e.Message}" + (e.StreamId != 0 ? $" (stream {e.StreamId})" : "");

    public static string Fields(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Concat(fields.Select(f => $"[{f.Key}: {f.Value}]"));

    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var s = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
            s.Append(b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
        return s.ToString();
    }
}
