namespace Capture.Analyzer.Reassembly;

/// <summary>One captured call (or piece of a call over 16 KiB) of a direction's byte stream: a chunks row, or one of
/// the calls a row holds (chunks.calls). Pid is the process that made the call.</summary>
internal readonly record struct StreamChunk(long TimestampNs, long StreamPos, long CallBytes, long Flags, ReadOnlyMemory<byte> Data, long Pid)
{
    public const int FlagTruncated = 1;
    public const int FlagUnreadable = 2;
    /// <summary>Set by the recorder, not the kernel: call_bytes bytes of an exchange --allow/--deny kept out; no data.</summary>
    public const int FlagElided = 4;
    /// <summary>Always with <see cref="FlagTruncated"/>, and read as it is: the ring buffer was nearly full, so the kernel kept
    /// only the call's first KiB. Told apart only in the note the recording's totals give (ShedReport).</summary>
    public const int FlagShed = 8;
}
