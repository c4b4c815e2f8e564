using System.Text;
using Capture.Recorder.Capture;
using Capture.Recorder.Interop;
using Microsoft.Data.Sqlite;

namespace Capture.Recorder.Storage;

/// <summary>Writes one processes row per pid the first time it shows up, with its command line
/// and executable read from /proc while the process still exists.</summary>
internal sealed class ProcessCatalog(SqliteConnection db)
{
    /// <summary>The comm each pid was filed under.</summary>
    private readonly Dictionary<uint, string> _comms = [];
    private uint _last;
    private SqliteCommand? _insert;

    public void UseTransaction(SqliteTransaction tx)
    {
        if (_insert is null)
        {
            _insert = db.CreateCommand();
            _insert.Transaction = tx;
            _insert.CommandText = "INSERT OR IGNORE INTO processes(pid, comm, cmdline, exe, first_seen_ns) VALUES ($pid, $comm, $cmdline, $exe, $ts)";
            foreach (var p in new[] { "$pid", "$comm", "$cmdline", "$exe", "$ts" }) _insert.Parameters.Add(new SqliteParameter { ParameterName = p });
            _insert.Prepare();
        }
        _insert.Transaction = tx;
    }

    /// <summary>Told of each pid filed, with its comm.</summary>
    public Action<uint, string>? Filed { get; set; }

    /// <summary>The comm of a pid filed earlier in the recording; null for one not seen.</summary>
    public string? CommOf(uint pid) => _comms.GetValueOrDefault(pid);

    /// <summary>Called for every event: decodes the comm only for a pid not seen before.</summary>
    public void Observe(in EventHeader header, long timestampNs)
    {
        uint pid = header.Pid;
        if (pid == _last || pid == 0 || _insert is null) return;
        _last = pid; // most events come from the process of the one before: no set lookup for them
        if (_comms.ContainsKey(pid)) return;
        string comm = EventDecoder.Comm(header);
        _comms[pid] = comm;
        _insert.Parameters[0].Value = pid;
        _insert.Parameters[1].Value = comm;
        _insert.Parameters[2].Value = (object?)CommandLine(pid) ?? DBNull.Value;
        _insert.Parameters[3].Value = (object?)Executable(pid) ?? DBNull.Value;
        _insert.Parameters[4].Value = timestampNs;
        _insert.ExecuteNonQuery();
        Filed?.Invoke(pid, comm);
    }

    private static string? CommandLine(uint pid)
    {
        try
        {
            var raw = File.ReadAllBytes($"/proc/{pid}/cmdline");
            return raw.Length == 0 ? null : Encoding.UTF8.GetString(raw).TrimEnd('\0').Replace('\0', ' ');
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string? Executable(uint pid)
    {
        try { return new FileInfo($"/proc/{pid}/exe").LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
