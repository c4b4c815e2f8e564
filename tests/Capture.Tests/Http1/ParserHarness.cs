using System.Text;
using Capture.Analyzer.Http1;
using Capture.Tests.Support;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http1;

/// <summary>One step of a captured stream: bytes, lost bytes, bytes moved but not captured, or the end.</summary>
internal abstract record StreamOp
{
    public sealed record Bytes(byte[] Data) : StreamOp;
    public sealed record Lost(long Count) : StreamOp;
    public sealed record Uncaptured(long Count) : StreamOp;
    public sealed record Close : StreamOp;
    public sealed record Stop(long Offset) : StreamOp;
}

/// <summary>Everything a parser reported, rendered as text so that results compare field by field with readable diffs.</summary>
internal sealed record ParseResult(string[] Messages, string[] Errors, bool Upgraded, long UpgradeOffset, long Position)
{
    public override string ToString() =>
        string.Join("\n", Messages) + "\n-- errors --\n" + string.Join("\n", Errors) +
        $"\n-- upgraded={Upgraded} at {UpgradeOffset}, position {Position}";
}

/// <summary>Feeds streams to a parser in the ways a capture can split them.</summary>
internal static class ParserHarness
{
    public static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    public static StreamOp[] Script(params object[] steps) => steps.Select<object, StreamOp>(s => s switch
    {
        string text => new StreamOp.Bytes(Bytes(text)),
        byte[] data => new StreamOp.Bytes(data),
        int lost => new StreamOp.Lost(lost),
        StreamOp op => op,
        _ => throw new ArgumentException($"unknown step {s}"),
    }).ToArray();

    public static ParseResult Run(Http1MessageKind kind, StreamOp[] script, Splitter split,
        IEnumerable<string?>? requestMethods = null, Http1Limits? limits = null)
    {
        var parser = new Http1StreamParser(kind, limits);
        if (requestMethods is not null)
        {
            var queue = new Queue<string?>(requestMethods);
            parser.RequestMethodForNextResponse = () => queue.Count > 0 ? queue.Dequeue() : null;
        }
        foreach (var op in script)
        {
            switch (op)
            {
                case StreamOp.Bytes(var data):
                    StreamSplits.Feed(data, split, parser.Feed);
                    break;
                case StreamOp.Lost(var count):
                    parser.Gap(count);
                    break;
                case StreamOp.Uncaptured(var count):
                    parser.Uncaptured(count);
                    break;
                case StreamOp.Close:
                    parser.End();
                    break;
                case StreamOp.Stop(var offset):
                    parser.StopAt(offset);
                    break;
            }
        }
        return Result(parser);
    }

    public static ParseResult Result(Http1StreamParser parser) => new(
        parser.Messages.Select(Describe).ToArray(),
        parser.Errors.Select(Describe).ToArray(),
        parser.Upgraded, parser.UpgradeOffset, parser.Position);

    /// <summary>Every field of a message on one line.</summary>
    public static string Describe(Http1Message m)
    {
        var s = new StringBuilder();
        // A message with no start line: it did not parse (Malformed), or it began in uncaptured bytes.
        string unread = m.Flags.HasFlag(Http1MessageFlags.Malformed) ? "not parsed" : "not captured";
        s.Append(m.Kind == Http1MessageKind.Request
            ? m.Method is null ? $"(request line {unread})" : $"{m.Method} {m.Target} {m.Version}"
            : m.Status is null ? $"(status line {unread})" : $"{m.Version} {m.Status} \"{m.Reason}\"");
        if (m.Kind == Http1MessageKind.Request ? m.Status is not null || m.Reason is not null : m.Method is not null || m.Target is not null)
            s.Append(" MIXED-FIELDS");
        s.Append($" start={m.StartOffset} head={m.HeadEndOffset} end={m.EndOffset} body={m.BodyBytes} flags={m.Flags}");
        s.Append(" headers=").Append(Fields(m.Headers));
        if (m.Trailers.Count > 0) s.Append(" trailers=").Append(Fields(m.Trailers));
        if (m.BodyPreview.Length > 0) s.Append(" preview=\"").Append(Escape(m.BodyPreview)).Append('"');
        return s.ToString();
    }

    public static string Describe(Http1ParseError e) => $"{e.Offset} {e.Code}: {e.Message}";

    private static string Fields(IReadOnlyList<KeyValuePair<string, string>> fields) =>
        string.Concat(fields.Select(f => $"[{f.Key}: {f.Value}]"));

    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var s = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            s.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => $"\\x{b:x2}",
            });
        }
        return s.ToString();
    }
}
