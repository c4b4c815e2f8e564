namespace Capture.Tests.Support;

/// <summary>
/// Compares what a person reads with a reviewed copy in fixtures/golden. With CAPTURE_UPDATE_GOLDEN=1 the copy
/// is (re)written instead, to be reviewed in the diff; a missing copy fails the test, so CI never writes one.
/// </summary>
internal static class Golden
{
    public static void Matches(string name, string actual)
    {
        var path = Repo.Fixture(Path.Combine("golden", name + ".out.txt"));
        if (Environment.GetEnvironmentVariable("CAPTURE_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"{path} is missing: run the test with CAPTURE_UPDATE_GOLDEN=1, review and commit it");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
