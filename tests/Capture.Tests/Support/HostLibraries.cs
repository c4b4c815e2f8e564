using System.Text.RegularExpressions;

namespace Capture.Tests.Support;

/// <summary>This machine's shared libraries, as `ldconfig -p` lists them: a witness independent of the
/// recorder's own loader-cache reader.</summary>
internal static class HostLibraries
{
    /// <summary>Where the loader cache puts a 64-bit library, e.g. "libssl.so.3".</summary>
    public static string Path(string name)
    {
        var cache = ProcessRunner.Run("/sbin/ldconfig", ["-p"]).Stdout;
        var match = Regex.Match(cache, $@"^\s*{Regex.Escape(name)} \(libc6,x86-64\) => (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{name} is not installed");
        return match.Groups[1].Value;
    }
}
