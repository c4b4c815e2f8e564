using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Capture.Recorder.Capture;
using Capture.Recorder.Interop;
using Capture.Recorder.Redaction;
using Capture.Recorder.Storage;
using Capture.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Storage;

/// <summary>
/// Samples through an <see cref="EventWriter"/> as the ring buffer hands them over, into a real db, without BPF; and the
/// samples themselves, built as the kernel builds them: by default of connection 7, made by process 10 (thread 11, fd
/// 5), client of 127.0.0.1:50000 → 127.0.0.1:8080.
/// </summary>
internal sealed class WriterRun : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string DbPath => _dir.File("run.db");

    /// <summary>Writes the samples, in order, as one recording; its totals.</summary>
    public RecordingTotals Write(params byte[][] samples) => Write(null, samples);

    /// <summary>Writes the samples as a recorder redacting with <paramref name="redactor"/> would (null: --no-redact).</summary>
    public RecordingTotals Write(StreamRedactor? redactor, params byte[][] samples)
    {
        using var run = RunDatabase.Create(DbPath);
        var queue = new SampleQueue();
        var writer = new EventWriter(run.Connection, redactor: redactor);
        foreach (var sample in samples) queue.OnSample(sample);
        queue.Publish();
        queue.Complete();
        writer.Run(queue);
        return writer.Totals;
    }

    public SqliteConnection Open()
    {
        var db = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        db.Open();
        return db;
    }

    public static EventHeader Header(EventKind kind, EventSource source, ulong atNs) => new()
    {
        TimestampNs = atNs, ConnId = 7, Pid = 10, Tid = 11, Fd = 5, Kind = kind, Source = source, Role = ConnRole.Client,
        Tuple = new ConnTuple { LocalPort = 50000, RemotePort = 8080, Family = 2 },
    };

    /// <summary>A conn_event whose header's process is named <paramref name="comm"/> (empty, as TCP_CLOSE's is).</summary>
    public static byte[] Conn(in ConnEvent ev, string comm)
    {
        var sample = new byte[EventDecoder.ConnEventSize];
        MemoryMarshal.Write(sample, in ev);
        return Named(sample, comm);
    }

    /// <summary>A data event of <paramref name="bytes"/> at <paramref name="streamPos"/>: the whole call, captured.</summary>
    public static byte[] Data(in EventHeader header, Direction direction, ulong streamPos, string bytes, string comm = "curl")
    {
        var payload = Encoding.ASCII.GetBytes(bytes);
        var ev = new DataEvent
        {
            Header = header, StreamPos = streamPos, CallBytes = (ulong)payload.Length, DataLen = (uint)payload.Length, Direction = direction,
        };
        var sample = new byte[EventDecoder.DataHeaderSize + payload.Length];
        MemoryMarshal.Write(sample, in ev);
        payload.CopyTo(sample, EventDecoder.DataHeaderSize);
        return Named(sample, comm);
    }

    /// <summary>The header's fixed-size fields (comm, addresses) set in the sample's bytes: the struct's need unsafe code.</summary>
    private static byte[] Named(byte[] sample, string comm)
    {
        int comm0 = (int)Marshal.OffsetOf<EventHeader>(nameof(EventHeader.Comm));
        Encoding.ASCII.GetBytes(comm).CopyTo(sample, comm0);
        int tuple = (int)Marshal.OffsetOf<EventHeader>(nameof(EventHeader.Tuple));
        IPAddress.Loopback.GetAddressBytes().CopyTo(sample, tuple + (int)Marshal.OffsetOf<ConnTuple>(nameof(ConnTuple.LocalAddr)));
        IPAddress.Loopback.GetAddressBytes().CopyTo(sample, tuple + (int)Marshal.OffsetOf<ConnTuple>(nameof(ConnTuple.RemoteAddr)));
        return sample;
    }
}
