namespace Capture.Tests.Support;

/// <summary>The C programs of fixtures/programs, each built into a test's folder with the machine's clang.</summary>
internal static class FixturePrograms
{
    /// <summary>Builds fixtures/programs/NAME.c into DIR/NAME and returns its path; fails the test if it does not build.</summary>
    public static string Build(TempDir dir, string name)
    {
        var program = dir.File(name);
        var build = ProcessRunner.Run("clang", ["-O1", "-o", program, Repo.Fixture($"programs/{name}.c")]);
        Assert.True(build.ExitCode == 0, $"{name}.c did not build: {build.Stderr}");
        return program;
    }
}
