namespace Capture.Tests.Support;

/// <summary>Where the built programs and fixtures are, found from the test binary's location.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Configuration => AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";

    public static string RecordBinary => Path.Combine(Root, "src/Recorder/bin", Configuration, "net10.0/record");
    public static string AnalyzeBinary => Path.Combine(Root, "src/Analyzer/bin", Configuration, "net10.0/analyze");
    public static string BpfObject => Path.Combine(Root, "src/Recorder/bin", Configuration, "net10.0/capture.bpf.o");

    public static string Fixture(string relative) => Path.Combine(Root, "fixtures", relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Capture.sln"))) return dir.FullName;
        throw new InvalidOperationException("Capture.sln not found above " + AppContext.BaseDirectory);
    }
}
