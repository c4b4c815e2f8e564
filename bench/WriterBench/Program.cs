using System.Diagnostics;
using System.Runtime.InteropServices;
using Capture.Recorder.Capture;
using Capture.Recorder.Interop;
using Capture.Recorder.Redaction;
using Capture.Recorder.Storage;

// What the recorder's user space costs per exchange, with the kernel taken out: the events of HTTP/1.1 keep-alive
// exchanges as nginx sends and receives them under wrk (32 connections taking turns, each request read in one call and
// each response written in one), fed through the recorder's own path — the poll thread's copy into batches, the
// writer's decoding, redaction and SQLite, the log's checkpoint thread — into a db on the disk under test. Prints the
// process's CPU seconds per 1k exchanges, and how fast the writer drained them. --no-redact stores the chunks as
// record --no-redact does, without reading them: the difference is what redaction costs.
// Usage: writer-bench DIR [exchanges] [rounds] [--no-redact]

bool redact = !args.Contains("--no-redact");
args = args.Where(a => a != "--no-redact").ToArray();
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: writer-bench DIR [exchanges] [rounds] [--no-redact]");
    return 2;
}
string directory = args[0];
int exchanges = args.Length > 1 ? int.Parse(args[1]) : 500_000;
int rounds = args.Length > 2 ? int.Parse(args[2]) : 3;
var policy = new RedactionPolicy([], [], key: null);

var traffic = new NginxTraffic(connections: 32);
Console.WriteLine($"{"round",5} {"exchanges",10} {"CPU s",8} {"wall s",8} {"ms CPU/1k",10} {"exch/s",10} {"db MB",8} {"B alloc/exch",12} {"GCs",5}");
for (int round = 0; round <= rounds; round++)
{
    // Round 0 compiles the code and is not shown, as the recorder warms its writer before the probes attach.
    int count = round == 0 ? exchanges / 10 : exchanges;
    var path = Path.Combine(directory, $"writer-bench-{Environment.ProcessId}.db");
    RunDatabase.Delete(path);
    var process = Process.GetCurrentProcess();
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    int collectionsBefore = GC.CollectionCount(0);
    var clock = Stopwatch.StartNew();
    long dbBytes;
    using (var db = RunDatabase.Create(path))
    {
        var queue = new SampleQueue();
        var router = new EventRouter(queue);
        var writer = new EventWriter(db.Connection, redactor: redact ? new StreamRedactor(policy) : null);
        var writing = Task.Factory.StartNew(() => writer.Run(queue), TaskCreationOptions.LongRunning);
        traffic.Produce(count, router.OnSample, queue.Publish);
        queue.Publish();
        queue.Complete();
        writing.Wait();
        if (writer.Totals.Chunks == 0) throw new InvalidOperationException("the writer stored nothing");
    }
    clock.Stop();
    process.Refresh();
    double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
    double allocatedPerExchange = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)count;
    int collections = GC.CollectionCount(0) - collectionsBefore;
    dbBytes = new FileInfo(path).Length;
    RunDatabase.Delete(path);
    if (round == 0) continue;
    Console.WriteLine($"{round,5} {count,10} {cpu,8:F2} {clock.Elapsed.TotalSeconds,8:F2} {cpu / (count / 1000.0) * 1000,10:F3} {count / clock.Elapsed.TotalSeconds,10:F0} {dbBytes / 1e6,8:F1} {allocatedPerExchange,12:F0} {collections,5}");
}
return 0;

/// <summary>nginx's side of wrk's keep-alive connections: per exchange a request read and a response written, the
/// connections taking turns as an event loop serves them, with the bytes wrk and nginx 1.22 exchange.</summary>
internal sealed class NginxTraffic(int connections)
{
    private static readonly byte[] Request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:18490\r\n\r\n"u8.ToArray();
    private static readonly byte[] Response = ("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 07 Dec 2026 12:00:00 GMT\r\n" +
        "Content-Type: application/octet-stream\r\nContent-Length: 15\r\nConnection: keep-alive\r\n\r\nhello, capture\n").Select(c => (byte)c).ToArray();

    private readonly byte[] _sample = new byte[EventDecoder.DataHeaderSize + Math.Max(Request.Length, Response.Length)];
    private readonly ulong[] _received = new ulong[connections], _sent = new ulong[connections];
    private ulong _clockNs = 1_000_000_000;

    /// <summary>Sends <paramref name="exchanges"/> exchanges' events to <paramref name="onSample"/>, calling
    /// <paramref name="publish"/> every 2048 events as the poll thread hands over a batch.</summary>
    public void Produce(int exchanges, Action<ReadOnlySpan<byte>> onSample, Action publish)
    {
        Array.Clear(_received);
        Array.Clear(_sent);
        for (int i = 0; i < exchanges; i++)
        {
            int c = i % connections;
            onSample(Event(c, Direction.Ingress, ref _received[c], Request));
            onSample(Event(c, Direction.Egress, ref _sent[c], Response));
            if (i % 1024 == 1023) publish();
        }
    }

    private ReadOnlySpan<byte> Event(int connection, Direction direction, ref ulong position, byte[] data)
    {
        _clockNs += 5_000;
        var ev = new DataEvent
        {
            Header = new EventHeader
            {
                TimestampNs = _clockNs, ConnId = (ulong)connection + 1, Pid = 4242, Tid = 4242, Fd = connection + 10,
                Kind = EventKind.Data, Source = direction == Direction.Egress ? EventSource.Writev : EventSource.Recvfrom,
                Role = ConnRole.Server,
            },
            StreamPos = position, CallBytes = (ulong)data.Length, DataLen = (uint)data.Length, Direction = direction,
        };
        position += (ulong)data.Length;
        MemoryMarshal.Write(_sample, in ev);
        data.CopyTo(_sample, EventDecoder.DataHeaderSize);
        return _sample.AsSpan(0, EventDecoder.DataHeaderSize + data.Length);
    }
}
