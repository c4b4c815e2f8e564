using System.Text;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.Frames;
using static Capture.Tests.Http2.Http2Harness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http2;

/// <summary>
/// The frame layer alone (RFC 9113 §4, §6): each frame type's fields as parsed, DATA octets delivered without
/// padding, offsets of each frame's first octet, and the same callbacks however the bytes are split.
/// </summary>
public sealed class FrameReaderTests
{
    /// <summary>Writes every callback as a line; DATA octets of one frame are joined.</summary>
    private sealed class Recorder : IHttp2FrameSink
    {
        private readonly StringBuilder _data = new();
        public List<string> Lines { get; } = [];

        public void OnFrameStart(in Http2FrameHeader header, long offset) =>
            Lines.Add($"start @{offset} {header.TypeName} length={header.Length} flags=0x{header.Flags:x2} stream={header.StreamId}");

        public void OnDataBytes(in Http2FrameHeader header, ReadOnlySpan<byte> data) => _data.Append(Encoding.Latin1.GetString(data));

        public void OnFrame(Http2Frame frame)
        {
            string line = frame switch
            {
                Http2DataFrame d => $"DATA data={d.DataLength} pad={d.PadLength} end_stream={d.EndStream} octets=\"{_data}\"",
                Http2HeadersFrame h => $"HEADERS fragment={Convert.ToHexString(h.Fragment)} end_stream={h.EndStream} end_headers={h.EndHeaders} priority={h.Priority} pad={h.PadLength}",
                Http2PriorityFrame p => $"PRIORITY {p.Priority}",
                Http2RstStreamFrame r => $"RST_STREAM error={r.ErrorCode}",
                Http2SettingsFrame s => $"SETTINGS ack={s.Ack}" + string.Concat(s.Settings.Select(x => $" {x.Id}={x.Value}")),
                Http2PushPromiseFrame p => $"PUSH_PROMISE promised={p.PromisedStreamId} fragment={Convert.ToHexString(p.Fragment)} end_headers={p.EndHeaders} pad={p.PadLength}",
                Http2PingFrame p => $"PING ack={p.Ack} data={p.OpaqueData:x16}",
                Http2GoAwayFrame g => $"GOAWAY last={g.LastStreamId} error={g.ErrorCode} debug={Encoding.Latin1.GetString(g.DebugData)}",
                Http2WindowUpdateFrame w => $"WINDOW_UPDATE increment={w.Increment}",
                Http2ContinuationFrame c => $"CONTINUATION fragment={Convert.ToHexString(c.Fragment)} end_headers={c.EndHeaders}",
                Http2UnknownFrame u => $"UNKNOWN type=0x{u.Type:x2} flags=0x{u.Flags:x2}",
                _ => frame.ToString(),
            };
            _data.Clear();
            Lines.Add($"{line} end={frame.EndOffset}");
        }

        public void OnFrameDropped(in Http2FrameHeader header, long offset) => Lines.Add($"dropped @{offset}");
        public void OnFrameCut(in Http2FrameHeader header, long offset, ReadOnlySpan<byte> captured, bool restMoved) =>
            Lines.Add($"cut @{offset} captured={Convert.ToHexString(captured)} rest_moved={restMoved}");
        public void OnError(Http2ParseError error) => Lines.Add($"error {Describe(error)}");
        public void OnGap(long offset, long length, bool framingLost) => Lines.Add($"gap @{offset} length={length} framing_lost={framingLost}");
        public void OnSyncLost(long offset, bool midConnection) => Lines.Add($"sync lost @{offset} mid_connection={midConnection}");
        public void OnSynchronised(long offset) => Lines.Add($"synchronised @{offset}");
    }

    private static List<string> Read(byte[] stream, Splitter split, bool clientToServer = false)
    {
        var recorder = new Recorder();
        var reader = new Http2FrameReader(recorder, clientToServer);
        int at = 0;
        foreach (int piece in split(stream.Length))
        {
            reader.Feed(stream.AsSpan(at, piece));
            at += piece;
        }
        reader.End();
        Assert.Equal(stream.Length, reader.Position);
        return recorder.Lines;
    }

    private static readonly byte[] EveryType = Concat(
        Settings((1, 8192), (4, 1 << 20), (0x8a8a, 7)),                                  // 0-27, a GREASE id is kept
        Headers(1, [0x82, 0x84], endHeaders: false, pad: 2, priority: (true, 0, 42)),    // 27-46
        Continuation(1, [0x86]),                                                         // 46-56
        Data(1, "body", endStream: true, pad: 3),                                        // 56-73
        Priority(3, 1, 256, exclusive: false),                                           // 73-87
        RstStream(3, 5),                                                                 // 87-100
        PushPromise(1, 2, [0x82], pad: 1),                                               // 100-116
        Ping(0x0102030405060708, ack: true),                                             // 116-133
        WindowUpdate(0, 65535),                                                          // 133-146
        Frame(0x42, 0x81, 7, [9, 9]),                                                    // 146-157
        GoAway(3, 0, "bye"));                                                            // 157-177

    [Fact]
    public void EveryFrameTypeIsParsedWithItsFields()
    {
        Assert.Equal(
        [
            "start @0 SETTINGS length=18 flags=0x00 stream=0",
            "SETTINGS ack=False 1=8192 4=1048576 35466=7 end=27",
            "start @27 HEADERS length=10 flags=0x28 stream=1",
            "HEADERS fragment=8284 end_stream=False end_headers=False priority=Http2Priority { Exclusive = True, StreamDependency = 0, Weight = 42 } pad=2 end=46",
            "start @46 CONTINUATION length=1 flags=0x04 stream=1",
            "CONTINUATION fragment=86 end_headers=True end=56",
            "start @56 DATA length=8 flags=0x09 stream=1",
            "DATA data=4 pad=3 end_stream=True octets=\"body\" end=73",
            "start @73 PRIORITY length=5 flags=0x00 stream=3",
            "PRIORITY Http2Priority { Exclusive = False, StreamDependency = 1, Weight = 256 } end=87",
            "start @87 RST_STREAM length=4 flags=0x00 stream=3",
            "RST_STREAM error=5 end=100",
            "start @100 PUSH_PROMISE length=7 flags=0x0c stream=1",
            "PUSH_PROMISE promised=2 fragment=82 end_headers=True pad=1 end=116",
            "start @116 PING length=8 flags=0x01 stream=0",
            "PING ack=True data=0102030405060708 end=133",
            "start @133 WINDOW_UPDATE length=4 flags=0x00 stream=0",
            "WINDOW_UPDATE increment=65535 end=146",
            "start @146 frame type 0x42 length=2 flags=0x81 stream=7",
            "UNKNOWN type=0x42 flags=0x81 end=157",
            "start @157 GOAWAY length=11 flags=0x00 stream=0",
            "GOAWAY last=3 error=0 debug=bye end=177",
        ], Read(EveryType, Whole));
    }

    [Fact]
    public void FramesAreTheSameHoweverTheBytesAreSplit()
    {
        var whole = Read(EveryType, Whole);
        foreach (var (how, split) in AllSplitters()) Assert.True(whole.SequenceEqual(Read(EveryType, split)), how);
        for (int cut = 1; cut < EveryType.Length; cut++) Assert.Equal(whole, Read(EveryType, TwoPieces(cut)));
    }

    [Fact]
    public void ReservedBitOfTheStreamIdentifierIsIgnored()
    {
        var lines = Read(Concat(Settings(), Frame(0x0, EndStream, 1, [(byte)'x'], reserved: true)), Whole);

        Assert.Equal("start @9 DATA length=1 flags=0x01 stream=1", lines[2]);
    }

    [Fact]
    public void ClientStreamMustBeginWithThePreface()
    {
        Assert.Equal(["start @24 SETTINGS length=0 flags=0x00 stream=0", "SETTINGS ack=False end=33"],
            Read(Concat(Preface, Settings()), Whole, clientToServer: true));
        Assert.Equal("sync lost @0 mid_connection=True", Read(Concat(Preface[..5], "X"u8.ToArray(), Settings()), Whole, clientToServer: true)[0]);
    }

    [Fact]
    public void DataCutOffByTheEndOfTheStreamIsReportedTruncated()
    {
        var recorder = new Recorder();
        var reader = new Http2FrameReader(recorder, clientToServer: false);
        reader.Feed(Concat(Settings(), Data(1, "0123456789", pad: 4))[..(9 + 9 + 1 + 6)]);
        reader.End();

        Assert.Equal("DATA data=6 pad=4 end_stream=False octets=\"012345\" end=33", recorder.Lines[^1]);
    }

    [Theory]
    [InlineData(16383)]
    [InlineData(16777216)]
    public void MaxFrameSizeOutsideTheRangeOfSettingsIsRejected(int size)
    {
        var reader = new Http2FrameReader(new Recorder(), clientToServer: false);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.MaxFrameSize = size);
    }
}
