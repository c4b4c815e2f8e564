using Capture.Recorder.Storage;

namespace Capture.Recorder.Cli;

/// <summary>The one-line status shown while recording on a terminal; nothing when stderr is redirected.</summary>
internal sealed class LiveStatus(TextWriter stderr, bool enabled)
{
    private int _lastLength;

    public void Show(TimeSpan elapsed, RecordingTotals totals, ulong drops)
    {
        if (!enabled) return;
        var line = $"  {elapsed:hh\\:mm\\:ss}  events {totals.Events:N0}  connections {totals.Connections:N0}  " +
                   $"bytes {Format.Bytes(totals.CapturedBytes)}  drops {drops:N0}";
        stderr.Write("\r" + line.PadRight(_lastLength));
        _lastLength = line.Length;
    }

    public void Clear()
    {
        if (!enabled || _lastLength == 0) return;
        stderr.Write("\r" + new string(' ', _lastLength) + "\r");
        _lastLength = 0;
    }
}

internal static class Format
{
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:F1} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):F1} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):F2} GiB",
    };
}
