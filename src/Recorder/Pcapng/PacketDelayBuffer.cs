using Capture.Pcapng;

namespace Capture.Recorder.Pcapng;

/// <summary>Holds every packet of the live pcapng for a short while before it reaches the file, for
/// two reasons. A connection becomes known to user space only when its first recorded event
/// arrives, after its handshake has crossed the wire: held back, a real packet can still be
/// judged by its connection, and only those of recorded connections are written (their SYNs
/// included). And real packets (from the packet ring) and synthetic ones (from the db writer)
/// arrive by different paths with different lags: held back, they are written in time order, except
/// that each synthetic TCP stream keeps its sequence order (<see cref="StreamOrder{T}"/>).
/// The hold is <see cref="Delay"/> or <see cref="MaxBytes"/>, whichever comes first; packets the
/// byte bound forces out early are counted (a real one among them whose connection was not yet
/// known is left out).</summary>
internal sealed class PacketDelayBuffer : IPacketSink
{
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);
    public const long MaxBytes = 64L << 20;
    /// <summary>What a held packet costs beyond its bytes (its entry, array header, queue slot), counted
    /// against <see cref="MaxBytes"/> so that the bound is on memory, not only on packet bytes.</summary>
    private const int OverheadPerPacket = 128;
    private static readonly TimeSpan ReleaseEvery = TimeSpan.FromMilliseconds(100);

    private readonly PcapngWriter _file;
    private readonly object _queueLock = new(), _fileLock = new();
    private readonly PriorityQueue<Pending, (long TimestampNs, long Arrival)> _queue = new();
    private readonly HashSet<TcpFlowKey> _recorded = [];
    private readonly StreamOrder<Pending> _streams = new();
    private readonly AutoResetEvent _overBound = new(false);
    private long _arrivals, _bytes, _releasedUpToNs = long.MinValue;
    private Thread? _releaser;
    private volatile bool _stop;

    /// <summary>Real packets written: of recorded connections.</summary>
    public long RealWritten { get; private set; }
    /// <summary>Real packets left out: no recorded connection had their endpoints when they were due.</summary>
    public long RealLeftOut { get; private set; }
    /// <summary>Packets written before their delay was over because the buffer held <see cref="MaxBytes"/>.</summary>
    public long WrittenEarly { get; private set; }
    /// <summary>Packets that arrived after later ones had been written (they lagged more than the delay).</summary>
    public long OutOfOrder { get; private set; }

    public PacketDelayBuffer(PcapngWriter file) => _file = file;

    /// <summary>Releases due packets every <see cref="ReleaseEvery"/> on a thread of its own, by <paramref name="nowNs"/>'s clock.</summary>
    public void StartReleasing(Func<long> nowNs)
    {
        _releaser = new Thread(() =>
        {
            while (!_stop)
            {
                _overBound.WaitOne(ReleaseEvery);
                ReleaseUntil(nowNs() - (long)Delay.TotalNanoseconds);
            }
        }) { IsBackground = true, Name = "pcapng delay" };
        _releaser.Start();
    }

    /// <summary>From now on, real packets between these endpoints are written, those already held included.</summary>
    public void Recorded(TcpFlowKey connection)
    {
        lock (_queueLock) _recorded.Add(connection);
    }

    public int AddInterface(ushort linkType, uint snapLength, string name, string description)
    {
        lock (_fileLock) return _file.AddInterface(linkType, snapLength, name, description);
    }

    public int AddProcess(uint pid, string name)
    {
        lock (_fileLock) return _file.AddProcess(pid, name);
    }

    /// <summary>A synthetic packet: always written, in its place in time, or right after the packets ahead of it in its
    /// TCP stream. (Real packets need no such care: the wire put them in order, and stamped them so.)</summary>
    public void WritePacket(int interfaceId, long timestampNs, ReadOnlySpan<byte> packet, int originalLength,
        PacketDirection direction, string? comment = null, int? processIndex = null) =>
        Add(new Pending(interfaceId, timestampNs, packet.ToArray(), originalLength, direction, comment, processIndex, null, Real: false));

    /// <summary>A real packet: written if a recorded connection has <paramref name="connection"/> when it is due.</summary>
    public void AddReal(int interfaceId, long timestampNs, byte[] packet, int originalLength, PacketDirection direction, TcpFlowKey? connection) =>
        Add(new Pending(interfaceId, timestampNs, packet, originalLength, direction, null, null, connection, Real: true));

    private void Add(Pending packet)
    {
        bool over;
        lock (_queueLock)
        {
            if (packet.TimestampNs < _releasedUpToNs) OutOfOrder++;
            if (!packet.Real) packet.Stream = _streams.Hold(packet.Interface, packet.Bytes, _arrivals, packet);
            _queue.Enqueue(packet, (packet.TimestampNs, _arrivals++));
            _bytes += packet.Bytes.Length + OverheadPerPacket;
            over = _bytes > MaxBytes;
        }
        if (over) _overBound.Set();
    }

    /// <summary>Writes, in time order, every packet stamped at or before <paramref name="cutoffNs"/>, and
    /// older ones beyond that while the buffer holds more than three quarters of <see cref="MaxBytes"/>.
    /// A due synthetic packet that has packets ahead of it in its TCP stream still held waits for them.</summary>
    public void ReleaseUntil(long cutoffNs)
    {
        lock (_fileLock)
        {
            var released = new List<Pending>();
            var write = new List<Pending>();
            lock (_queueLock)
            {
                while (_queue.TryPeek(out var next, out _))
                {
                    bool early = next.TimestampNs > cutoffNs;
                    if (early && _bytes <= MaxBytes * 3 / 4) break;
                    _queue.Dequeue();
                    _releasedUpToNs = Math.Max(_releasedUpToNs, next.TimestampNs);
                    if (early) WrittenEarly++;
                    released.Clear();
                    if (next.Stream is { } stream) _streams.Release(stream, next, released);
                    else released.Add(next);
                    foreach (var p in released)
                    {
                        _bytes -= p.Bytes.Length + OverheadPerPacket;
                        if (p.Real && !(p.Connection is { } c && _recorded.Contains(c)))
                        {
                            RealLeftOut++;
                            continue;
                        }
                        if (p.Real) RealWritten++;
                        write.Add(p);
                    }
                }
            }
            foreach (var p in write) _file.WritePacket(p.Interface, p.TimestampNs, p.Bytes, p.OriginalLength, p.Direction, p.Comment, p.Process);
        }
    }

    /// <summary>Stops the release thread and writes everything still held; call when no packet can come any more.</summary>
    public void ReleaseAll()
    {
        _stop = true;
        _overBound.Set();
        _releaser?.Join();
        ReleaseUntil(long.MaxValue);
    }

    private sealed record Pending(int Interface, long TimestampNs, byte[] Bytes, int OriginalLength, PacketDirection Direction,
        string? Comment, int? Process, TcpFlowKey? Connection, bool Real)
    {
        /// <summary>The TCP stream of a synthetic packet, whose order it keeps.</summary>
        public StreamOrder<Pending>.Stream? Stream { get; set; }
    }
}
