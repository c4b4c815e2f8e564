using System.Runtime.InteropServices;
using System.Text;
using Capture.Recorder.Capture;
using Capture.Recorder.Interop;
using Capture.Recorder.Redaction;

namespace Capture.Recorder.Storage;

/// <summary>
/// Runs the writer's code once, on synthetic HTTP/1.1 and HTTP/2 exchanges stored into a throwaway db, before the probes
/// attach. The first events of a recording otherwise meet a writer whose every method is compiled at its first call:
/// under HTTP/2 load that stalled it long enough for the 16 MiB ring to fill, and the kernel dropped 2k-9k events in a
/// recording's first second (bench: h2load -c32 -m10, both ends), each costing its connection its HPACK state.
/// </summary>
internal static class WriterWarmUp
{
    /// <summary>Exchanges of each protocol: enough for every path to be taken many times, a few ms of work once compiled.</summary>
    private const int Exchanges = 200;

    /// <summary>Stores the synthetic traffic through a writer like the recording's (same redaction policy) in a db under
    /// <paramref name="directory"/>, deletes it, and returns what the writer counted.</summary>
    public static RecordingTotals Run(RedactionPolicy? policy, string directory)
    {
        var path = Path.Combine(directory, $".capture-warm-up-{Environment.ProcessId}.db");
        try
        {
            using var db = RunDatabase.Create(path);
            var queue = new SampleQueue();
            var router = new EventRouter(queue);
            var writer = new EventWriter(db.Connection, redactor: policy is null ? null : new StreamRedactor(policy));
            foreach (var sample in Traffic()) router.OnSample(sample);
            queue.Publish();
            queue.Complete();
            writer.Run(queue);
            return writer.Totals;
        }
        finally
        {
            RunDatabase.Delete(path);
        }
    }

    private static IEnumerable<byte[]> Traffic()
    {
        var request = "GET /warm-up?page=1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer warm-up\r\nAccept: */*\r\n\r\n"u8.ToArray();
        var response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nSet-Cookie: id=1\r\n\r\nok"u8.ToArray();
        ulong http1 = 1, http2 = 2;
        for (int i = 0; i < Exchanges; i++)
        {
            yield return Data(http1, Direction.Egress, (ulong)(i * request.Length), request);
            yield return Data(http1, Direction.Ingress, (ulong)(i * response.Length), response);
        }
        yield return Close(http1);

        // HTTP/2 (h2c, prior knowledge): the preface and an empty SETTINGS each way, then one stream per exchange whose
        // HEADERS name the method, scheme and path from the static table and the authority as a literal the
        // dynamic table keeps, and whose answer is :status 200 with a DATA frame.
        var clientStart = Concat(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Frame(type: 4, flags: 0, stream: 0, []));
        yield return Data(http2, Direction.Egress, 0, clientStart);
        var serverStart = Frame(type: 4, flags: 0, stream: 0, []);
        yield return Data(http2, Direction.Ingress, 0, serverStart);
        ulong sent = (ulong)clientStart.Length, received = (ulong)serverStart.Length;
        for (int i = 0; i < Exchanges; i++)
        {
            uint stream = (uint)(2 * i + 1);
            byte[] block = i == 0 ? [0x82, 0x86, 0x84, 0x41, 0x01, (byte)'a'] : [0x82, 0x86, 0x84, 0xbe];
            var headers = Frame(type: 1, flags: 0x5, stream, block); // END_STREAM | END_HEADERS
            yield return Data(http2, Direction.Egress, sent, headers);
            sent += (ulong)headers.Length;
            var answer = Concat(Frame(type: 1, flags: 0x4, stream, [0x88]), Frame(type: 0, flags: 0x1, stream, "ok"u8.ToArray()));
            yield return Data(http2, Direction.Ingress, received, answer);
            received += (ulong)answer.Length;
        }
        yield return Close(http2);
    }

    private static byte[] Frame(byte type, byte flags, uint stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];

    private static EventHeader Header(ulong connId, EventKind kind, EventSource source) => new()
    {
        TimestampNs = (ulong)Environment.TickCount64 * 1_000_000,
        ConnId = connId,
        Pid = (uint)Environment.ProcessId,
        Tid = (uint)Environment.ProcessId,
        Fd = 3,
        Kind = kind,
        Source = source,
        Role = ConnRole.Client,
    };

    private static byte[] Data(ulong connId, Direction direction, ulong streamPos, byte[] data)
    {
        var ev = new DataEvent
        {
            Header = Header(connId, EventKind.Data, direction == Direction.Egress ? EventSource.Write : EventSource.Read),
            StreamPos = streamPos,
            CallBytes = (ulong)data.Length,
            DataLen = (uint)data.Length,
            Direction = direction,
        };
        var sample = new byte[EventDecoder.DataHeaderSize + data.Length];
        MemoryMarshal.Write(sample, in ev);
        data.CopyTo(sample, EventDecoder.DataHeaderSize);
        return sample;
    }

    private static byte[] Close(ulong connId)
    {
        var ev = new ConnEvent { Header = Header(connId, EventKind.ConnClose, EventSource.Close) };
        var sample = new byte[EventDecoder.ConnEventSize];
        MemoryMarshal.Write(sample, in ev);
        return sample;
    }
}
