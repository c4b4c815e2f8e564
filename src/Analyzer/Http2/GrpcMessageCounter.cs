using System.Buffers.Binary;

namespace Capture.Analyzer.Http2;

/// <summary>
/// Counts gRPC messages in a stream's DATA octets (gRPC over HTTP/2, "Length-Prefixed-Message"): each message
/// is a 5-octet prefix and then Message-Length octets. Prefixes and messages may be split across DATA frames
/// anywhere; only the prefix is buffered.
/// <code>
/// Length-Prefixed-Message {
///   Compressed-Flag (8),
///   Message-Length (32),   big-endian
///   Message (..),
/// }
/// </code>
/// </summary>
internal sealed class GrpcMessageCounter
{
    public const int PrefixLength = 5;

    private readonly byte[] _prefix = new byte[PrefixLength];
    private int _prefixSeen;
    private long _remaining;

    /// <summary>True when the octets so far end inside a message (or its prefix).</summary>
    public bool InMessage => _prefixSeen > 0;

    /// <summary>Takes the next octets; returns how many messages ended in them.</summary>
    public int Feed(ReadOnlySpan<byte> data)
    {
        int completed = 0;
        while (!data.IsEmpty)
        {
            if (_prefixSeen < PrefixLength)
            {
                int take = Math.Min(PrefixLength - _prefixSeen, data.Length);
                data[..take].CopyTo(_prefix.AsSpan(_prefixSeen));
                _prefixSeen += take;
                data = data[take..];
                if (_prefixSeen < PrefixLength) break;
                _remaining = BinaryPrimitives.ReadUInt32BigEndian(_prefix.AsSpan(1));
            }
            else
            {
                int n = (int)Math.Min(_remaining, data.Length);
                _remaining -= n;
                data = data[n..];
            }
            if (_remaining == 0)
            {
                // A message ends once all its octets arrived (at once for an empty one).
                completed++;
                _prefixSeen = 0;
            }
        }
        return completed;
    }
}
