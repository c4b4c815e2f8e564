namespace Capture.Analyzer.Reassembly;

/// <summary>One captured piece of a direction's byte stream, as stored in the chunks table.</summary>
internal readonly record struct StreamChunk(long TimestampNs, long StreamPos, long CallBytes, long Flags, string Source, byte[] Data)
{
    public const int FlagTruncated = 1;
    public const int FlagUnreadable = 2;
    /// <summary>Set by the recorder, not the kernel: call_bytes bytes of an exchange --allow/--deny kept out; no data.</summary>
    public const int FlagElided = 4;
}
