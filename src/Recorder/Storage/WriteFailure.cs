using Microsoft.Data.Sqlite;

namespace Capture.Recorder.Storage;

/// <summary>
/// Turns a failure to write the recording into one line a user can act on. A full disk is the common case
/// (SQLite's SQLITE_FULL, or ENOSPC from the file system): the recording stops, and everything committed
/// before stays a valid db, because SQLite rolls back the transaction that did not fit.
/// </summary>
internal static class WriteFailure
{
    private const int SqliteFull = 13, SqliteIoErr = 10, SqliteReadOnly = 8, SqliteCantOpen = 14;
    private const int Enospc = 28;

    /// <summary>The line to print, or null when <paramref name="e"/> is not a storage failure.</summary>
    public static string? Describe(Exception e, string path) => e switch
    {
        SqliteException { SqliteErrorCode: SqliteFull } =>
            $"the disk holding {path} is full: recording stopped, and what was committed before is kept (free some space, or record to another disk with -o)",
        IOException io when (io.HResult & 0xFFFF) == Enospc =>
            $"the disk holding {path} is full: recording stopped, and what was committed before is kept (free some space, or record to another disk with -o)",
        SqliteException { SqliteErrorCode: SqliteIoErr or SqliteReadOnly or SqliteCantOpen } sqlite =>
            $"writing {path} failed ({sqlite.Message.ReplaceLineEndings(" ")}): recording stopped, and what was committed before is kept",
        IOException io => $"writing {path} failed ({io.Message}): recording stopped, and what was committed before is kept",
        _ => null,
    };
}
