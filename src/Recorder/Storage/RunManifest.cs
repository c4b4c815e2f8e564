using Capture.Recorder.Cli;
using Capture.Recorder.Interop;

namespace Capture.Recorder.Storage;

/// <summary>The run_info rows: what was recorded, where, how, and how it ended.</summary>
internal sealed class RunManifest(RunDatabase db, RecordSettings settings)
{
    public void WriteStart()
    {
        db.SetInfo(new Dictionary<string, object?>
        {
            ["schema_version"] = RunDatabase.SchemaVersion,
            ["capture_version"] = typeof(RunManifest).Assembly.GetName().Version?.ToString(3),
            ["started_at"] = DateTimeOffset.UtcNow.ToString("O"),
            ["host"] = Environment.MachineName,
            ["kernel"] = ReadTrimmed("/proc/sys/kernel/osrelease"),
            ["arguments"] = string.Join(' ', settings.Arguments),
            ["max_capture_bytes"] = settings.MaxCaptureBytes,
            ["ring_buffer_bytes"] = (long)settings.RingBufferMegabytes * 1024 * 1024,
            ["filter_pid"] = settings.Pid,
            ["filter_comm"] = settings.Comm,
            ["filter_port"] = settings.Port,
            ["all_tcp"] = settings.AllTcp ? 1 : 0,
            // wall-clock ns = CLOCK_MONOTONIC ns + this offset (timestamps in the db are monotonic).
            ["monotonic_to_wall_offset_ns"] = Capture.MonotonicToWall.OffsetNs,
            ["recorder_pid"] = Environment.ProcessId,
            // Which names were redacted and how the key came about; never the key.
            ["redaction"] = settings.Redaction is { Redacts: true } ? "on" : "off",
            ["redacted_headers"] = settings.Redaction is { Redacts: true } r ? string.Join(',', r.Headers) : null,
            ["redacted_query_parameters"] = settings.Redaction is { Redacts: true } q ? string.Join(',', q.QueryParameters) : null,
            ["redaction_key"] = settings.Redaction is not { Redacts: true } ? null : settings.Redaction.KeyFromFile ? "from --redact-key" : "random, not stored",
            // One pattern a line, as given.
            ["allow"] = settings.Redaction?.Exchanges.Allow is { Count: > 0 } a ? string.Join('\n', a) : null,
            ["deny"] = settings.Redaction?.Exchanges.Deny is { Count: > 0 } d ? string.Join('\n', d) : null,
        });
    }

    public void WriteEnd(string endReason, RecordingTotals totals, ulong kernelDrops) =>
        db.SetInfo(new Dictionary<string, object?>
        {
            ["ended_at"] = DateTimeOffset.UtcNow.ToString("O"),
            ["end_reason"] = endReason,
            ["events"] = totals.Events,
            ["connections"] = totals.Connections,
            ["chunks"] = totals.Chunks,
            ["captured_bytes"] = totals.CapturedBytes,
            ["http_messages_seen"] = totals.MessageStarts,
            ["kernel_drops"] = kernelDrops,
            ["tls_writes_unbound"] = totals.HeldTlsWritesDropped,
            // Calls the kernel cut to their first KiB while the ring buffer was nearly full (chunks.flags 8), and when.
            ["shed_calls"] = totals.Shed.Calls,
            ["shed_uncaptured_bytes"] = totals.Shed.UncapturedBytes,
            ["shed_first_ns"] = totals.Shed.Calls > 0 ? totals.Shed.FirstNs : null,
            ["shed_last_ns"] = totals.Shed.Calls > 0 ? totals.Shed.LastNs : null,
            ["redaction_fillers"] = settings.Redaction?.Overflows,
        });

    /// <summary>How long binaries started during the recording ran unprobed: exec → uprobes attached.</summary>
    public void WriteExecAttachLatencies(IReadOnlyList<double> latenciesMs)
    {
        var sorted = latenciesMs.Order().ToList();
        db.SetInfo(new Dictionary<string, object?>
        {
            ["tls_exec_attaches"] = sorted.Count,
            ["tls_exec_attach_ms_median"] = sorted.Count == 0 ? null : Math.Round(sorted[sorted.Count / 2], 2),
            ["tls_exec_attach_ms_max"] = sorted.Count == 0 ? null : Math.Round(sorted[^1], 2),
        });
    }

    private static string? ReadTrimmed(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return null; }
    }
}
