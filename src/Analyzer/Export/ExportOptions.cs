using System.CommandLine;
using Capture.Analyzer.Query;
using Capture.Analyzer.Recording;

namespace Capture.Analyzer.Export;

/// <summary>The options of `analyze --export-pcapng` and what they do, kept apart from the rest of
/// the command line so that the command only adds them and makes one call.</summary>
internal sealed class ExportOptions
{
    private readonly Option<string?> _output = new("--export-pcapng") { Description = "Write the recording as a pcapng file for Wireshark: decrypted HTTPS and plaintext as TCP packets, each naming its process" };
    private readonly Option<long?> _pid = new("--pid") { Description = "With --export-pcapng: only bytes moved by this process" };
    private readonly Option<long?> _connection = new("--connection") { Description = "With --export-pcapng: only this connection (connection_id in --json), even one without HTTP exchanges" };

    public IEnumerable<Option> All => [_output, _pid, _connection];

    public bool Requested(ParseResult parsed) => parsed.GetValue(_output) is not null;

    /// <summary>The file --export-pcapng names, null when it is not asked for.</summary>
    public string? Output(ParseResult parsed) => parsed.GetValue(_output);

    /// <summary>--pid or --connection given without --export-pcapng: they would be ignored, and the answer look filtered.</summary>
    public string? Stray(ParseResult parsed) =>
        Requested(parsed) || (parsed.GetValue(_pid) is null && parsed.GetValue(_connection) is null) ? null
            : "--pid and --connection go with --export-pcapng; to narrow a question, use --where pid=N or --where connection=N";

    /// <summary>Exports and prints one line saying what was written; returns the exit code.
    /// <paramref name="where"/> is the `--where` every question takes (see <see cref="PcapngExport.Filter"/>).</summary>
    public int Run(ParseResult parsed, string databasePath, ExchangeFilter where, TextWriter stdout, TextWriter stderr)
    {
        var output = parsed.GetValue(_output)!;
        using var recording = RecordingFile.Open(databasePath);
        long packets;
        try
        {
            packets = PcapngExport.Write(recording, output, new PcapngExport.Filter(parsed.GetValue(_pid), parsed.GetValue(_connection), where));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"analyze: cannot write {output}: {e.Message}");
            return 1;
        }
        stdout.WriteLine($"wrote {output}: {packets:N0} packets");
        return 0;
    }
}
