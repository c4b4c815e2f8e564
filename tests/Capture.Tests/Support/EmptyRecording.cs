using Capture.Recorder.Storage;

namespace Capture.Tests.Support;

/// <summary>A recording with the recorder's schema and no traffic, for command-line tests of what is written from it.</summary>
internal static class EmptyRecording
{
    /// <summary>Creates DIR/empty.db and returns its path.</summary>
    public static string In(TempDir dir)
    {
        var path = dir.File("empty.db");
        RunDatabase.Create(path).Dispose();
        return path;
    }
}
