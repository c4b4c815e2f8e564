namespace Capture.Recorder.Redaction;

/// <summary>chunks.flags bits set in user space, beside the kernel's (bpf/capture.h: 1 truncated, 2 unreadable, 8 shed).</summary>
internal static class ChunkFlags
{
    /// <summary>The chunk stands for call_bytes bytes of an exchange --allow/--deny kept out; data is empty.</summary>
    public const byte ElidedByPolicy = 4;
}
