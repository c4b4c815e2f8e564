using System.Collections.Concurrent;
using System.Diagnostics;

namespace Capture.Tests.Support;

/// <summary>A process started for a test (a server, the recorder) that is always stopped by its
/// pid when the test ends. Its output lines are kept so that a test can wait for one.</summary>
internal sealed class BackgroundProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly ConcurrentQueue<string> _all = new();

    public BackgroundProcess(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Take(e.Data);
        _process.ErrorDataReceived += (_, e) => Take(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;
    public string Output => string.Join('\n', _all);
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    private void Take(string? line)
    {
        if (line is null) return;
        _all.Enqueue(line);
        _lines.Add(line);
    }

    /// <summary>Waits for a line that starts with <paramref name="prefix"/>; fails the test on timeout.</summary>
    public string WaitForLine(string prefix, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.TryTake(out var line, TimeSpan.FromMilliseconds(100)))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
            }
            else if (_process.HasExited && _lines.Count == 0)
            {
                break;
            }
        }
        throw new Xunit.Sdk.XunitException($"no line starting with '{prefix}' within {limit}; output so far:\n{Output}");
    }

    /// <summary>Writes to the process's stdin (left open: some clients quit on its end).</summary>
    public void WriteInput(string text)
    {
        _process.StandardInput.Write(text);
        _process.StandardInput.Flush();
    }

    public void Signal(int signal) => kill(_process.Id, signal);

    public bool WaitForExit(TimeSpan limit)
    {
        if (!_process.WaitForExit(limit)) return false;
        _process.WaitForExit(); // drain the output readers
        return true;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                kill(_process.Id, 15);
                if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
