using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Recording;

/// <summary>
/// The recorder builds chunks_by_stream only when the recording ends (maintaining it on every insert doubled its
/// cost per chunk), so a recording whose recorder was killed has none. Every connection's stream is read by that
/// index; without it each read scans the whole chunks table. So the first analysis of such a file builds the
/// indexes of schema v1 (the CREATE INDEX lines of the contract, Schema.sql) in it. A file that cannot be written
/// (read-only, or still being recorded) is analyzed without them: the same answers, only slower.
/// </summary>
internal static class StreamIndexes
{
    private static readonly string[] Statements = ReadIndexStatements();

    public static void EnsureBuilt(string path, SqliteConnection readOnly)
    {
        var present = readOnly.Query<string>("SELECT name FROM sqlite_master WHERE type = 'index'").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = Statements.Where(s => !present.Contains(IndexName(s))).ToList();
        if (missing.Count == 0) return;
        try
        {
            using var writable = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWrite,
                Pooling = false,
                DefaultTimeout = 1, // a recorder still writing holds the lock: do not wait for it
            }.ToString());
            writable.Open();
            foreach (var statement in missing) writable.Execute(statement.Replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", StringComparison.Ordinal));
        }
        catch (SqliteException) { }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static string IndexName(string statement) => statement.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];

    private static string[] ReadIndexStatements()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Schema.sql")
            ?? throw new InvalidOperationException("Schema.sql is not embedded in the Analyzer");
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n').Where(l => l.StartsWith("CREATE INDEX ", StringComparison.Ordinal))];
    }
}
