using Capture.Hpack;
using Capture.Analyzer.Http2;

namespace Capture.Tests.Fuzz;

/// <summary>
/// The HPACK decoder on mutated header blocks (real ones from the recorded session and RFC 7541's examples),
/// several blocks in a row on one decoder so that the dynamic table carries state between them: every block
/// ends in fields or an <see cref="HpackError"/>, and the table never exceeds its size limit.
/// </summary>
public sealed class HpackFuzzTests
{
    public const int Inputs = 300_000;

    [Fact]
    public void Mutated_header_blocks_decode_to_fields_or_a_typed_error_and_keep_the_table_within_its_limit()
    {
        var mutator = new Mutator(FuzzSeeds.HpackBlocks, FuzzSeeds.HpackTokens);
        var report = FuzzLoop.Run("hpack", 81, Inputs, mutator.Next, (input, random) =>
        {
            var decoder = random.Next(6) switch
            {
                0 => HpackDecoder.StartWithUnknownContext(),
                1 => new HpackDecoder(0),
                2 => new HpackDecoder(64),
                _ => new HpackDecoder(),
            };
            // The input as up to three consecutive blocks on one connection.
            int first = random.Next(input.Length + 1), second = random.Next(first, input.Length + 1);
            foreach (var (from, to) in new[] { (0, first), (first, second), (second, input.Length) })
            {
                if (random.Next(10) == 0) decoder.LoseContext();
                var block = decoder.Decode(input.AsSpan(from, to - from));
                if (block.Error is { } error)
                {
                    Assert.InRange(error.Offset, 0, to - from);
                    Assert.False(string.IsNullOrEmpty(error.Message));
                }
                Assert.All(block.Headers, f => Assert.NotNull(f.Key));
                var table = decoder.Table;
                Assert.True(!table.CapacityKnown || table.Size <= table.Capacity, $"table size {table.Size} over its capacity {table.Capacity}");
            }
        });
        Assert.Equal(Inputs, report.Inputs);
    }
}
