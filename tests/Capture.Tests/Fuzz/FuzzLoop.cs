using System.Diagnostics;

namespace Capture.Tests.Fuzz;

/// <summary>
/// Runs a parser over many generated inputs on a watched thread. Each input must finish within a time budget
/// (a hang fails the test and names the input), must not throw, and must not allocate more than a bound that
/// grows with its length (a length field must never size an allocation). Prints inputs per second.
/// </summary>
internal static class FuzzLoop
{
    /// <summary>Generous: a loaded 2-core CI machine may pause a thread; a real hang never ends.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(10);

    /// <summary>Memory one input may cost: a fixed allowance plus a multiple of its size.</summary>
    public const long FixedAllocationBytes = 4 << 20, AllocationBytesPerInputByte = 256;

    public sealed record Report(string Target, int Inputs, TimeSpan Elapsed, long MostAllocated)
    {
        public double PerSecond => Inputs / Math.Max(Elapsed.TotalSeconds, 1e-9);
        public override string ToString() =>
            $"fuzz {Target}: {Inputs} inputs in {Elapsed.TotalSeconds:F1} s, {PerSecond:F0} inputs/s, at most {MostAllocated / 1024} KiB allocated by one input";
    }

    /// <param name="generate">Makes input number i from the loop's seeded random source.</param>
    /// <param name="check">Runs the parser on one input and asserts what every result must satisfy.</param>
    public static Report Run(string target, int seed, int count, Func<Random, byte[]> generate, Action<byte[], Random> check, TimeSpan? budget = null)
    {
        var limit = budget ?? DefaultBudget;
        var random = new Random(seed);
        int index = -1;
        byte[] current = [];
        long startedTicks = 0, mostAllocated = 0;
        Exception? failure = null;
        var clock = Stopwatch.StartNew();

        var worker = new Thread(() =>
        {
            try
            {
                for (int i = 0; i < count; i++)
                {
                    var input = generate(random);
                    Volatile.Write(ref current, input);
                    Volatile.Write(ref startedTicks, clock.ElapsedTicks);
                    Volatile.Write(ref index, i);
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    check(input, random);
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    if (allocated > mostAllocated) mostAllocated = allocated;
                    if (allocated > FixedAllocationBytes + AllocationBytesPerInputByte * input.Length)
                        throw new InvalidOperationException($"one input of {input.Length} bytes allocated {allocated} bytes");
                }
            }
            catch (Exception e) { failure = e; }
        }) { IsBackground = true, Name = $"fuzz {target}" };
        worker.Start();

        while (!worker.Join(100))
        {
            long runningTicks = clock.ElapsedTicks - Volatile.Read(ref startedTicks);
            if (Volatile.Read(ref index) >= 0 && runningTicks > limit.TotalSeconds * Stopwatch.Frequency)
                Assert.Fail($"fuzz {target} seed {seed}: input #{index} still running after {limit.TotalSeconds} s (a hang):\n{Show(Volatile.Read(ref current))}");
        }
        clock.Stop();
        if (failure is not null)
            Assert.Fail($"fuzz {target} seed {seed}: input #{index} failed: {failure}\ninput:\n{Show(current)}");

        var report = new Report(target, count, clock.Elapsed, mostAllocated);
        Console.WriteLine(report);
        TestContext.Current.SendDiagnosticMessage(report.ToString());
        return report;
    }

    /// <summary>The input as C# byte-array hex, ready to paste into a regression test.</summary>
    public static string Show(byte[] input) =>
        input.Length <= 4096 ? Convert.ToHexString(input) : Convert.ToHexString(input.AsSpan(0, 4096)) + $"... ({input.Length} bytes)";
}
