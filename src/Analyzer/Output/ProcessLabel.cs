using System.Globalization;

namespace Capture.Analyzer.Output;

/// <summary>
/// How output a person reads names a process. A connection known only by its TCP_CLOSE names no process when nothing
/// else in the recording named its pid (the kernel fires TCP_CLOSE with no process at hand), and no pid either when the
/// kernel never saw the connection made (connections.comm empty, pid 0): "?" says the recording does not know, where a
/// blank or pid 0 would look like a fault. `--json`, CSV and HAR keep the empty comm and pid 0.
/// </summary>
internal static class ProcessLabel
{
    private const string Unknown = "?";

    /// <summary>comm[pid], as the tables show it.</summary>
    public static string Of(string comm, long pid) => $"{Name(comm)}[{(pid == 0 ? Unknown : pid.ToString(CultureInfo.InvariantCulture))}]";

    public static string Name(string comm) => comm.Length > 0 ? comm : Unknown;

    /// <summary>"comm pid N", as `show` writes it.</summary>
    public static string Described(string comm, long pid) => (comm.Length, pid) switch
    {
        (0, 0) => "not recorded",
        (0, _) => string.Create(CultureInfo.InvariantCulture, $"pid {pid} (its name not recorded)"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{comm} pid {pid}"),
    };
}
