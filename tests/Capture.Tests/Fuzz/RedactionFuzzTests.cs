using Capture.Recorder.Interop;
using Capture.Tests.Redaction;

namespace Capture.Tests.Fuzz;

/// <summary>
/// The recorder's redaction on mutated connections (HTTP/1 and HTTP/2 seeds, both directions), in random pieces
/// with lost bytes: it never throws or hangs, and what it stores is every byte it was given, at its position, in
/// stream order, or counted as elided by --deny — redaction changes bytes, never lengths.
/// </summary>
public sealed class RedactionFuzzTests
{
    public const int Inputs = 100_000;

    [Fact]
    public void Mutated_connections_are_stored_whole_at_their_positions_whatever_they_hold()
    {
        var requests = new Mutator([.. FuzzSeeds.Http1Requests, .. FuzzSeeds.Http2Client], [.. FuzzSeeds.Http1Tokens, .. FuzzSeeds.Http2Tokens]);
        var responses = new Mutator([.. FuzzSeeds.Http1Responses, .. FuzzSeeds.Http2Server], [.. FuzzSeeds.Http1Tokens, .. FuzzSeeds.Http2Tokens]);
        var report = FuzzLoop.Run("redaction", 91, Inputs, random => random.Next(2) == 0 ? requests.Next(random) : responses.Next(random),
            (input, random) =>
            {
                var harness = new RedactionHarness(headers: ["host"], deny: random.Next(2) == 0 ? ["*/*a*"] : null);
                var other = random.Next(2) == 0 ? requests.Next(random) : responses.Next(random);
                long sent = Feed(harness, Direction.Egress, input, random) + Feed(harness, Direction.Ingress, other, random);
                harness.Close();
                long elided = harness.Elided.Values.SelectMany(r => r).Sum(r => r.To - r.From);
                Assert.Equal(sent, harness.Stored(Direction.Egress).Length + harness.Stored(Direction.Ingress).Length + elided);
            });
        Assert.Equal(Inputs, report.Inputs);
    }

    /// <summary>Sends <paramref name="input"/> in random pieces, sometimes with bytes lost between them.</summary>
    private static long Feed(RedactionHarness harness, Direction direction, byte[] input, Random random)
    {
        for (int at = 0; at < input.Length;)
        {
            int piece = random.Next(1, Math.Min(input.Length - at, random.Next(4) == 0 ? input.Length : 24) + 1);
            harness.Send(direction, input[at..(at + piece)], lost: random.Next(16) == 0 ? random.Next(1, 64) : 0);
            at += piece;
        }
        return input.Length;
    }
}
