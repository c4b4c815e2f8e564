using System.Net;
using System.Threading.Channels;
using Capture.Pcapng;
using Capture.Pcapng.Synthetic;
using Capture.Recorder.Capture;
using Capture.Recorder.Interop;

namespace Capture.Recorder.Pcapng;

/// <summary>`record --pcapng FILE`: the pcapng written while recording. The SQLite writer offers
/// each chunk it stores (<see cref="Offer"/>, which never waits: when this writer falls behind,
/// chunks are counted as skipped in the pcapng, the db keeps them); one thread of its own turns
/// them into synthetic packets. Real packets from <see cref="PacketCapture"/> go into the same
/// file. Both pass through <see cref="PacketDelayBuffer"/>, which writes them in time order and
/// keeps only the real packets of recorded connections.</summary>
internal sealed class LivePcapng : IDisposable
{
    private const int QueueCapacity = 4096;

    private readonly PcapngWriter _writer;
    private readonly PacketDelayBuffer _delay;
    private readonly PlaintextPacketWriter _plaintext;
    private readonly Channel<(DataEvent Event, byte[] Data)> _chunks =
        Channel.CreateBounded<(DataEvent, byte[])>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Dictionary<ulong, RecordedConnection> _connections = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, bool> _offeredConnections = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, bool> _joinedMidStream = new();
    private readonly Task _synthetic;
    private readonly long _monotonicToWallNs = MonotonicToWall.OffsetNs;
    private PacketCapture? _capture;

    public string Path { get; }
    public long SkippedChunks;
    public long Packets => _writer.PacketsWritten;
    /// <summary>Where packets go on their way to the file.</summary>
    public PacketDelayBuffer Output => _delay;

    /// <summary>Bytes kept of each real packet (tcpdump's default): whole packets, loopback's 64 KiB included.</summary>
    public const uint SnapLength = 262144;
    /// <summary>What every interface declares: libpcap refuses a file whose interfaces differ in snap length.</summary>
    public const uint InterfaceSnapLength = SnapLength + Sll2Header.Length;

    private LivePcapng(string path, PcapngWriter writer)
    {
        Path = path;
        _writer = writer;
        _delay = new PacketDelayBuffer(writer);
        _delay.StartReleasing(Libc.RealtimeNanoseconds);
        _plaintext = new PlaintextPacketWriter(_delay, InterfaceSnapLength);
        _synthetic = Task.Run(WriteSyntheticAsync);
    }

    /// <summary>Creates FILE (mode 0600: it holds other processes' traffic). Each block is written
    /// to the file as soon as it is built, so a killed recorder leaves a file readable to its last packet.</summary>
    public static LivePcapng Create(string path, bool overwrite)
    {
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = overwrite ? FileMode.Create : FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        return new LivePcapng(path, new PcapngWriter(stream, $"Capture record {typeof(LivePcapng).Assembly.GetName().Version}"));
    }

    /// <summary>Adds the real packets of recorded connections (the kernel's filter passes TCP, of
    /// <paramref name="port"/> if given) on every interface; their payloads only if
    /// <paramref name="keepPayload"/> (not while redacting).</summary>
    public void CaptureRealPackets(ushort? port, bool keepPayload = true) => _capture = PacketCapture.Start(this, port, SnapLength, keepPayload);

    /// <summary>Called by the SQLite writer for every chunk it stores; never waits. A connection's
    /// real packets are kept from its first chunk on, told here rather than after the queue so that
    /// a busy synthetic writer does not make the delay buffer judge them before it knows.</summary>
    public void Offer(DataEvent ev, byte[] data)
    {
        if (_offeredConnections.TryAdd(ev.Header.ConnId, true))
        {
            var c = ToRecorded(ev.Header);
            _delay.Recorded(TcpFlowKey.FromEndpoints(c.Local, c.LocalPort, c.Remote, c.RemotePort));
        }
        if (!_chunks.Writer.TryWrite((ev, data))) Interlocked.Increment(ref SkippedChunks);
    }

    /// <summary>Called by the SQLite writer before the connection's first chunk when the kernel first saw it open
    /// (connections.mid_stream): its synthetic flow starts with its first bytes, with no handshake nobody saw.</summary>
    public void JoinedMidStream(ulong connId) => _joinedMidStream.TryAdd(connId, true);

    private async Task WriteSyntheticAsync()
    {
        await foreach (var (ev, data) in _chunks.Reader.ReadAllAsync())
        {
            var h = ev.Header;
            if (!_connections.TryGetValue(h.ConnId, out var connection))
                _connections[h.ConnId] = connection = ToRecorded(h) with { JoinedMidStream = _joinedMidStream.TryRemove(h.ConnId, out _) };
            var chunk = new PlaintextChunk((long)h.ConnId, (long)h.TimestampNs + _monotonicToWallNs, h.Pid, h.Tid, h.Fd, EventDecoder.Comm(h),
                ev.Direction == Direction.Egress, (long)ev.StreamPos, data, ev.TlsLibrary != TlsLibrary.None);
            _plaintext.Write(connection, chunk);
        }
        _plaintext.Finish();
    }

    private static RecordedConnection ToRecorded(in EventHeader h)
    {
        var (local, remote, _) = EventDecoder.Addresses(h.Tuple);
        var side = h.Role switch { ConnRole.Client => ConnectionSide.Client, ConnRole.Server => ConnectionSide.Server, _ => ConnectionSide.Unknown };
        return new RecordedConnection((long)h.ConnId, IPAddress.Parse(local), h.Tuple.LocalPort, IPAddress.Parse(remote), h.Tuple.RemotePort, side);
    }

    /// <summary>Writes what is still queued and closes the file; returns a line for the summary.</summary>
    public string Finish()
    {
        _capture?.Dispose();
        _chunks.Writer.TryComplete();
        _synthetic.GetAwaiter().GetResult();
        _delay.ReleaseAll();
        _writer.Flush();
        return $"pcapng {Path}: {Packets:N0} packets" +
               (_capture is { } c ? $" ({_delay.RealWritten:N0} real, {c.KernelDrops:N0} dropped by the packet ring, " +
                                    $"{_delay.RealLeftOut:N0} of connections not recorded left out)" : "") +
               (_delay.WrittenEarly > 0 ? $", {_delay.WrittenEarly:N0} written before their {PacketDelayBuffer.Delay.TotalSeconds:0} s delay (buffer full)" : "") +
               (_delay.OutOfOrder > 0 ? $", {_delay.OutOfOrder:N0} out of time order (they lagged more than the delay)" : "") +
               (SkippedChunks > 0 ? $", {SkippedChunks:N0} chunks left out (the pcapng writer fell behind; the db has them)" : "");
    }

    public void Dispose()
    {
        _capture?.Dispose();
        _chunks.Writer.TryComplete();
        try { _synthetic.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _delay.ReleaseAll();
        _writer.Dispose();
    }
}
