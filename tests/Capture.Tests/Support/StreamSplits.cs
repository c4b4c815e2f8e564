namespace Capture.Tests.Support;

/// <summary>The ways a capture can cut a byte stream into the pieces a parser is fed: whole, byte by
/// byte, and seeded random cuts. Every parser harness feeds its cases through these.</summary>
internal static class StreamSplits
{
    public static readonly int[] Seeds = [1, 7, 42, 1234, 99991];

    /// <summary>Cuts a feed of <paramref name="length"/> bytes into pieces; returns the piece lengths.</summary>
    public delegate IEnumerable<int> Splitter(int length);

    /// <summary>Takes one piece of a feed.</summary>
    public delegate void Feeder(ReadOnlySpan<byte> piece);

    public static IEnumerable<int> Whole(int length) { if (length > 0) yield return length; }

    public static IEnumerable<int> ByteByByte(int length) => Enumerable.Repeat(1, length);

    public static Splitter Random(int seed) => length => RandomPieces(length, new Random(seed));

    public static Splitter TwoPieces(int cut) => length => cut <= 0 || cut >= length ? Whole(length) : [cut, length - cut];

    /// <summary>Whole, byte by byte, and each seed: the ways every case is fed.</summary>
    public static IEnumerable<(string Name, Splitter Split)> AllSplitters()
    {
        yield return ("whole", Whole);
        yield return ("byte by byte", ByteByByte);
        foreach (int seed in Seeds) yield return ($"random seed {seed}", Random(seed));
    }

    /// <summary>Feeds <paramref name="data"/> in the pieces <paramref name="split"/> cuts, and checks they cover it exactly.</summary>
    public static void Feed(byte[] data, Splitter split, Feeder feed)
    {
        int at = 0;
        foreach (int piece in split(data.Length))
        {
            feed(data.AsSpan(at, piece));
            at += piece;
        }
        Assert.Equal(data.Length, at);
    }

    private static IEnumerable<int> RandomPieces(int length, Random random)
    {
        int left = length;
        while (left > 0)
        {
            // Mostly small pieces, sometimes large ones, so cuts land both inside and across lines and frame headers.
            int max = random.Next(4) == 0 ? left : Math.Min(left, 16);
            int piece = random.Next(1, max + 1);
            yield return piece;
            left -= piece;
        }
    }
}
