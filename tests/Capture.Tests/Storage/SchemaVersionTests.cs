using Capture.Analyzer.Recording;
using Capture.Recorder.Storage;
using Capture.Tests.Analyzer;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Storage;

/// <summary>The schema version the recorder writes, and the versions the analyzer reads.</summary>
public class SchemaVersionTests
{
    [Fact]
    public void The_recorder_writes_the_version_its_schema_declares_and_the_analyzer_reads_it()
    {
        using var dir = new TempDir();
        using (var db = RunDatabase.Create(dir.File("run.db")))
            Assert.Equal((long)RunDatabase.SchemaVersion, db.Connection.ExecuteScalar<long>("PRAGMA user_version"));
        Assert.Equal(RunDatabase.SchemaVersion, RecordingFile.SupportedSchemaVersion);
    }

    [Fact]
    public void A_recording_of_schema_1_which_has_no_calls_column_analyzes_as_before()
    {
        using var dir = new TempDir();
        var current = ShopRecording.Write(dir.File("shop.db"));
        var old = dir.File("shop-v1.db");
        File.Copy(current, old);
        using (var db = new SqliteConnection($"Data Source={old};Pooling=false"))
        {
            db.Open();
            db.Execute("ALTER TABLE chunks DROP COLUMN calls; PRAGMA user_version = 1;");
        }
        var expected = Analyze.Output(current, "--list", "--json");
        Assert.NotEqual("", expected);
        Assert.Equal(expected, Analyze.Output(old, "--list", "--json"));
    }
}
