using Capture.Recorder.Interop;

namespace Capture.Recorder.Redaction;

/// <summary>Where redaction hands each chunk once nothing in it can change any more. The bytes are lent for the call only.</summary>
internal delegate void ChunkStore(in DataEvent ev, ReadOnlySpan<byte> bytes);

/// <summary>Where a scanner rewrites bytes: the chunks of its direction not yet stored, by stream position.</summary>
internal interface IHeldBytes
{
    void Overwrite(long streamPos, ReadOnlySpan<byte> bytes);

    /// <summary>Stores <paramref name="length"/> bytes from <paramref name="streamPos"/> as zeros: what could not be read
    /// and so must not be stored as it came.</summary>
    void Zero(long streamPos, long length);

    /// <summary>Bytes [from, to) belong to an exchange --allow/--deny keeps out: they are stored as a count, not as bytes.</summary>
    void Elide(long from, long to);
}

/// <summary>
/// Follows one direction of one connection through its protocol, finds the secret values in it and rewrites them
/// (same length) through <see cref="IHeldBytes"/>. It says from which stream position on bytes must still be held
/// back: a value it has not seen the end of cannot be hashed yet.
/// </summary>
internal abstract class DirectionScanner(IHeldBytes held)
{
    protected IHeldBytes Held { get; } = held;

    /// <summary>Nothing needs holding.</summary>
    public const long NothingHeld = long.MaxValue;

    /// <summary>Scans <paramref name="data"/>, which starts at stream position <paramref name="pos"/> (at the start of a
    /// syscall's bytes when <paramref name="callStart"/>). Returns the bytes consumed; fewer than all means that the
    /// protocol changed (an HTTP/2 upgrade) and <see cref="Successor"/> scans the rest.</summary>
    public abstract int Feed(ReadOnlySpan<byte> data, long pos, bool callStart);

    public DirectionScanner? Successor { get; protected set; }

    /// <summary>The first stream position that must not be stored yet, or <see cref="NothingHeld"/>.</summary>
    public abstract long HoldFrom { get; }

    /// <summary><paramref name="bytes"/> of the stream were not captured (a drop, a truncated call, sendfile).</summary>
    public abstract void Lost(long bytes);

    /// <summary>Too much is held, or the connection ended: overwrite the unfinished secret with filler and hold nothing more.</summary>
    public abstract void GiveUpHolding();
}
