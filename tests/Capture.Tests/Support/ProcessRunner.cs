using System.Diagnostics;

namespace Capture.Tests.Support;

/// <summary>Runs a command to completion with a time limit and returns what it printed.</summary>
internal static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string file, IEnumerable<string> args, TimeSpan? limit = null, string? stdin = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit ?? TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
