namespace Capture.Tests.Support;

/// <summary>A folder for one test's files, removed afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("capture-test-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        // For a post-mortem of a failing test: CAPTURE_KEEP_TEST_DIRS=1 keeps the recordings.
        if (Environment.GetEnvironmentVariable("CAPTURE_KEEP_TEST_DIRS") == "1") return;
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
