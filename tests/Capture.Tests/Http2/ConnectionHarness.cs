using Capture.Tests.Support;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>Both directions of a connection parsed and assembled into streams, as the analyzer will do it.</summary>
internal static class ConnectionHarness
{
    /// <summary>Client preface and SETTINGS: requests start at offset 33.</summary>
    public static readonly byte[] ClientStart = Concat(Preface, Settings());
    /// <summary>Server SETTINGS and ACK: responses start at offset 18.</summary>
    public static readonly byte[] ServerStart = Concat(Settings(), SettingsAck());

    /// <summary>GET https://example.com{path}, every field without indexing.</summary>
    public static HpackBlock Get(string path = "/") => new HpackBlock().Indexed(2).Indexed(7).WithoutIndexing(4, path).WithoutIndexing(1, "example.com");

    /// <summary>A response's :status, without indexing.</summary>
    public static HpackBlock Status(int status) => new HpackBlock().WithoutIndexing(8, status.ToString());

    public static List<Http2Stream> Assemble(object[] client, object[] server)
    {
        var clientParser = Http2Harness.Parse(true, Http2Harness.Script([.. client, new Step.Close()]), StreamSplits.Whole);
        var serverParser = Http2Harness.Parse(false, Http2Harness.Script([.. server, new Step.Close()]), StreamSplits.Whole);
        var streams = Http2ExchangeAssembler.Assemble(clientParser, serverParser);

        // However the bytes were split, the streams are the same.
        foreach (var (how, split) in StreamSplits.AllSplitters())
        {
            var c = Http2Harness.Parse(true, Http2Harness.Script([.. client, new Step.Close()]), split);
            var s = Http2Harness.Parse(false, Http2Harness.Script([.. server, new Step.Close()]), split);
            Assert.True(Describe(streams) == Describe(Http2ExchangeAssembler.Assemble(c, s)), $"fed {how}");
        }
        return streams;
    }

    public static Http2Stream Single(object[] client, object[] server) => Assert.Single(Assemble(client, server));

    public static string Describe(IEnumerable<Http2Stream> streams) => string.Join("\n", streams.Select(s =>
        $"{s.StreamId} {s.Method} {s.Scheme}://{s.Authority}{s.Path} {s.Status} req={s.RequestStartOffset}-{s.RequestEndOffset}/{s.RequestBodyBytes} " +
        $"resp={s.ResponseStartOffset}-{s.ResponseEndOffset}/{s.ResponseBodyBytes} flags={s.Flags} grpc={s.IsGrpc}:{s.GrpcService}/{s.GrpcMethod}" +
        $":{s.GrpcStatus}:{s.GrpcMessage}:{s.RequestMessages}:{s.ResponseMessages} " +
        Http2Harness.Fields(s.RequestHeaders) + Http2Harness.Fields(s.RequestTrailers) +
        Http2Harness.Fields(s.ResponseHeaders) + Http2Harness.Fields(s.ResponseTrailers) +
        $" {Http2Harness.Escape(s.RequestBodyPreview)}|{Http2Harness.Escape(s.ResponseBodyPreview)}"));

    public static string Fields(IReadOnlyList<KeyValuePair<string, string>> fields) => Http2Harness.Fields(fields);
}
