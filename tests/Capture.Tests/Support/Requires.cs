using System.Runtime.InteropServices;

namespace Capture.Tests.Support;

/// <summary>Tests that load BPF need root. On a developer's laptop they skip; in CI (CI set)
/// or as root they must run, so a missing privilege fails the test instead.</summary>
internal static partial class Requires
{
    public static void RootAndBpf()
    {
        if (geteuid() == 0) return;
        var why = "needs root to load BPF programs (run ./test with sudo)";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) Assert.Fail("CI must run every test: " + why);
        Assert.Skip(why);
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
