using System.IO.Compression;
using System.Text;
using Capture.Analyzer.Cli;
using Capture.Tests.Support;

namespace Capture.Tests.Fuzz;

/// <summary>
/// Every question of `analyze` over mutated traffic in a sound recording: HTTP/1 and HTTP/2 connections whose bytes were
/// mutated, split into calls at random, some lost in holes, and compressed bodies cut and damaged. The parsers alone are
/// fuzzed elsewhere; here what `show`, HAR, `--stats` and `--by host` make of their results must also end in an answer
/// (exit 0, nothing on stderr but HAR's count), never an exception.
/// </summary>
public sealed class TrafficQuestionsFuzzTests
{
    private const int Recordings = 120;

    private static readonly byte[][] CompressedResponses = [.. new[] { "gzip", "deflate", "br" }.Select(CompressedResponse)];

    [Fact]
    public void Every_question_answers_mutated_traffic_without_an_exception()
    {
        using var dir = new TempDir();
        var requests = new Mutator(FuzzSeeds.Http1Requests, FuzzSeeds.Http1Tokens);
        var responses = new Mutator([.. FuzzSeeds.Http1Responses, .. CompressedResponses], FuzzSeeds.Http1Tokens);
        var client = new Mutator(FuzzSeeds.Http2Client, FuzzSeeds.Http2Tokens);
        var server = new Mutator(FuzzSeeds.Http2Server, FuzzSeeds.Http2Tokens);
        var random = new Random(66);
        for (int i = 0; i < Recordings; i++)
        {
            var rec = new SyntheticRecording(dir.File($"traffic{i}.db"));
            for (int c = 0; c < 4; c++)
            {
                var conn = rec.Connection("fuzz", 100 + c, random.Next(2) == 0 ? "client" : "server", $"127.0.0.1:{40000 + c}", "127.0.0.1:8080",
                    tlsLibrary: random.Next(2) == 0 ? "libssl.so.3" : null, midStream: random.Next(4) == 0);
                bool http2 = c >= 2;
                Interleave(conn, random, http2 ? client.Next(random) : requests.Next(random), http2 ? server.Next(random) : responses.Next(random));
            }
            string db = rec.Save();
            string question = "";
            try
            {
                foreach (var args in Questions(db, dir.File($"traffic{i}.har")))
                {
                    question = string.Join(' ', args);
                    var stdout = new StringWriter();
                    var stderr = new StringWriter();
                    int exit = AnalyzeCommand.Run(args, stdout, stderr);
                    // HAR export says on stderr how many exchanges it wrote and left out; the rest say nothing there.
                    bool quiet = args[1] == "--export-har" ? stderr.ToString().StartsWith("wrote ") : stderr.ToString().Length == 0;
                    Assert.True(exit == AnalyzeCommand.ExitOk && quiet, $"recording {i}, {question}: exit {exit}: {stderr}");
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"recording {i} (seed 66), {question}: {e}");
            }
        }
    }

    /// <summary>The questions that read every exchange whole: the list, each exchange's `show`, HAR, and the groupings.</summary>
    private static IEnumerable<string[]> Questions(string db, string har)
    {
        yield return [db, "--list", "--json"];
        yield return [db, "--stats"];
        yield return [db, "--by", "host"];
        yield return [db, "--errors", "--csv"];
        yield return [db, "--export-har", har];
        var list = new StringWriter();
        AnalyzeCommand.Run([db, "--list", "--json"], list, new StringWriter());
        foreach (var line in list.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(12))
            yield return [db, "show", System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("id").ToString()];
    }

    /// <summary>The two directions in calls of random sizes, in random order, with a hole now and then.</summary>
    private static void Interleave(SyntheticRecording.Conn conn, Random random, byte[] fromClient, byte[] fromServer)
    {
        int c = 0, s = 0;
        double at = 1;
        while (c < fromClient.Length || s < fromServer.Length)
        {
            bool client = s >= fromServer.Length || (c < fromClient.Length && random.Next(2) == 0);
            byte[] bytes = client ? fromClient : fromServer;
            int from = client ? c : s;
            int length = Math.Min(bytes.Length - from, random.Next(1, 400));
            if (random.Next(25) == 0)
            {
                if (client) conn.ClientLoses(length); else conn.ServerLoses(length);
            }
            else if (client) conn.ClientSends(at, bytes[from..(from + length)]);
            else conn.ServerSends(at, bytes[from..(from + length)]);
            if (client) c += length; else s += length;
            at += random.NextDouble();
        }
        if (random.Next(3) > 0) conn.Close(at + 1);
    }

    private static byte[] CompressedResponse(string coding)
    {
        var output = new MemoryStream();
        using (Stream s = coding switch
               {
                   "gzip" => new GZipStream(output, CompressionLevel.Fastest, true),
                   "deflate" => new ZLibStream(output, CompressionLevel.Fastest, true),
                   _ => new BrotliStream(output, CompressionLevel.Fastest, true),
               })
            s.Write(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i => $"row {i}\n"))));
        byte[] body = output.ToArray();
        return [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {body.Length}\r\n\r\n"), .. body];
    }
}
