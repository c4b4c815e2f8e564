using System.Buffers.Binary;
using Capture.Pcapng;
using Capture.Recorder.Redaction;

namespace Capture.Recorder.Pcapng;

/// <summary>
/// Keeps the packets of each TCP stream (one direction of one flow on one interface) in sequence-number order while
/// <see cref="PacketDelayBuffer"/> writes the file in time order. A synthetic stream's times and its bytes disagree
/// when two threads write one socket: each call is stamped when it began, and the kernel orders their bytes when the
/// calls end, so the call that began first may hold the later bytes. Wireshark reads a TCP stream in file order and
/// would see those bytes out of order, and not dissect the message they belong to. So a packet that is due waits for
/// every packet held ahead of it in its stream and is written right after the last of them, with its own time, as
/// `analyze --export-pcapng` orders a stream. A SYN begins a new stream: a later connection on the same ports (a
/// reused client port) has sequence numbers of its own, not comparable with the old one's.
/// </summary>
/// <typeparam name="T">The buffer's held packet (compared by reference).</typeparam>
internal sealed class StreamOrder<T> where T : class
{
    /// <summary>The packets of one stream that are held: by sequence number, then by arrival (a handshake's ACK and
    /// the first bytes share one), and which of them are due.</summary>
    public sealed class Stream
    {
        internal readonly PriorityQueue<T, (uint Seq, long Arrival)> Held = new(BySequence);
        internal readonly HashSet<T> Due = new(ReferenceEqualityComparer.Instance);
        internal readonly Key Of;

        internal Stream(Key of) => Of = of;
    }

    internal readonly record struct Key(int Interface, TcpFlowKey Flow, bool FromLowEnd);

    /// <summary>RFC 9293 §3.4's comparison modulo 2^32: a stream's held bytes span far less than 2 GiB (the buffer
    /// holds at most <see cref="PacketDelayBuffer.MaxBytes"/>).</summary>
    private static readonly IComparer<(uint Seq, long Arrival)> BySequence = Comparer<(uint Seq, long Arrival)>.Create((a, b) =>
        a.Seq != b.Seq ? unchecked((int)(a.Seq - b.Seq)) < 0 ? -1 : 1 : a.Arrival.CompareTo(b.Arrival));

    /// <summary>The stream new packets of a key join; a SYN replaces it.</summary>
    private readonly Dictionary<Key, Stream> _current = [];

    /// <summary>Holds a packet (<paramref name="frame"/>: Linux cooked v2, as every synthetic packet is) in its stream;
    /// returns the stream, or null for a packet that carries no TCP header (it keeps only its place in time).</summary>
    public Stream? Hold(int interfaceId, ReadOnlySpan<byte> frame, long arrival, T packet)
    {
        if (frame.Length < Sll2Header.Length) return null;
        var ip = frame[Sll2Header.Length..];
        PacketHeaders.Length(ip, out int tcp);
        if (tcp < 0 || TcpFlowKey.FromPacket(ip, out bool fromLowEnd) is not { } flow) return null;
        var key = new Key(interfaceId, flow, fromLowEnd);
        bool syn = (ip[tcp + 13] & TcpSegment.Syn) != 0;
        if (syn || !_current.TryGetValue(key, out var stream)) _current[key] = stream = new Stream(key);
        stream.Held.Enqueue(packet, (BinaryPrimitives.ReadUInt32BigEndian(ip[(tcp + 4)..]), arrival));
        return stream;
    }

    /// <summary>A held packet is due: adds to <paramref name="written"/>, in stream order, the packets of its stream
    /// that may be written now (none while one ahead of it is not due yet; then it, and the due ones behind it).</summary>
    public void Release(Stream stream, T packet, List<T> written)
    {
        stream.Due.Add(packet);
        while (stream.Held.TryPeek(out var first, out _) && stream.Due.Remove(first))
            written.Add(stream.Held.Dequeue());
        if (stream.Held.Count == 0 && _current.TryGetValue(stream.Of, out var current) && current == stream) _current.Remove(stream.Of);
    }
}
