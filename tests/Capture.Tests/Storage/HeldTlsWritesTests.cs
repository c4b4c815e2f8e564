using Capture.Recorder.Interop;
using Capture.Recorder.Storage;

namespace Capture.Tests.Storage;

/// <summary>Writes of a memory-BIO TLS library wait, per thread, for the socket write that names their connection.</summary>
public class HeldTlsWritesTests
{
    [Fact]
    public void A_bind_places_its_threads_held_writes_on_its_connection_after_what_that_connection_had_sent()
    {
        var held = new HeldTlsWrites();
        held.Hold(Held(tid: 7, streamPos: 0, timestampNs: 100), "GET /a HTTP/1.1\r\n"u8);
        held.Hold(Held(tid: 8, streamPos: 0, timestampNs: 150), "other thread"u8);
        held.Hold(Held(tid: 7, streamPos: 17, timestampNs: 200), "\r\n"u8);

        var bound = held.Bind(Bind(tid: 7, connId: 42, streamPos: 1000));

        Assert.Equal([(42ul, 1000ul, 100ul), (42ul, 1017ul, 200ul)],
            bound.Select(c => (c.Event.Header.ConnId, c.Event.StreamPos, c.Event.Header.TimestampNs)));
        Assert.All(bound, c => Assert.Equal(EventKind.Data, c.Event.Header.Kind));
        Assert.All(bound, c => Assert.Equal(EventSource.TlsWrite, c.Event.Header.Source));
        Assert.Equal("GET /a HTTP/1.1\r\n", System.Text.Encoding.ASCII.GetString(bound[0].Bytes));
        Assert.Empty(held.Bind(Bind(tid: 7, connId: 42, streamPos: 1019))); // nothing left for thread 7
        Assert.Equal(0, held.Dropped);
    }

    [Fact]
    public void Writes_that_no_connection_claims_are_dropped_and_counted()
    {
        var held = new HeldTlsWrites();
        held.Hold(Held(tid: 7, streamPos: 0, timestampNs: 100), "late"u8);
        held.Hold(Held(tid: 8, streamPos: 0, timestampNs: 100), "never bound"u8);

        Assert.Empty(held.Bind(Bind(tid: 7, connId: 0, streamPos: 0)));
        held.DropAll();

        Assert.Equal(2, held.Dropped);
    }

    private static DataEvent Held(uint tid, ulong streamPos, ulong timestampNs) => new()
    {
        Header = new EventHeader { Tid = tid, TimestampNs = timestampNs, Kind = EventKind.Data, Source = EventSource.TlsWrite },
        StreamPos = streamPos,
        Direction = Direction.Egress,
        TlsLibrary = TlsLibrary.OpenSsl,
    };

    private static TlsBindEvent Bind(uint tid, ulong connId, ulong streamPos) => new()
    {
        Header = new EventHeader { Tid = tid, ConnId = connId, Kind = EventKind.TlsBind, Source = EventSource.TlsWrite, TimestampNs = 999 },
        StreamPos = streamPos,
    };
}
