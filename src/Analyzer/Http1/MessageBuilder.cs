using System.Text;

namespace Capture.Analyzer.Http1;

/// <summary>
/// The message being parsed: its start line, fields, body counters and body preview. One builder is reused
/// for every message of a stream; <see cref="Build"/> hands the collected lists and preview to the record
/// and starts afresh, so nothing a finished message holds is ever written again.
/// </summary>
internal sealed class MessageBuilder
{
    private static readonly KeyValuePair<string, string>[] NoFields = [];

    private readonly int _previewLimit;
    private readonly List<long> _headerOffsets = [];
    private List<KeyValuePair<string, string>> _headers = [];
    private List<KeyValuePair<string, string>>? _trailers;
    private List<string>? _faults;
    private byte[] _preview = [];
    private int _previewLength;
    private bool _previewStopped;

    public MessageBuilder(Http1MessageKind kind, int previewLimit)
    {
        Kind = kind;
        _previewLimit = previewLimit;
    }

    public Http1MessageKind Kind { get; }
    public bool Active { get; private set; }
    public string? Method { get; private set; }
    public string? Target { get; private set; }
    public int? Status { get; private set; }
    public string? Reason { get; private set; }
    public string Version { get; private set; } = "";
    public long StartOffset { get; private set; }
    /// <summary>Offset past the blank line ending the head, or -1 while the head is still being read.</summary>
    public long HeadEndOffset { get; set; } = -1;
    public long BodyBytes { get; private set; }
    public Http1MessageFlags Flags { get; set; }
    public List<KeyValuePair<string, string>> Headers => _headers;
    public int TrailerCount => _trailers?.Count ?? 0;

    /// <summary>Stream offset of the field line that produced header <paramref name="index"/>.</summary>
    public long HeaderOffset(int index) => _headerOffsets[index];

    public void BeginRequest(ReadOnlySpan<byte> line, in RequestLine parts, long startOffset)
    {
        Begin(startOffset, parts.Minor);
        Method = Http1Syntax.Methods.Get(line[..parts.MethodLength]);
        Target = Encoding.Latin1.GetString(line.Slice(parts.TargetStart, parts.TargetLength));
    }

    public void BeginResponse(ReadOnlySpan<byte> line, in StatusLine parts, long startOffset)
    {
        Begin(startOffset, parts.Minor);
        Status = parts.Status;
        Reason = Http1Syntax.Reasons.Get(line[parts.ReasonStart..]);
    }

    /// <summary>A request whose request line the per-call cap cut: its method and its target as far as captured, no version.</summary>
    public void BeginCutRequest(ReadOnlySpan<byte> line, in RequestLine parts, long startOffset)
    {
        BeginRequest(line, parts, startOffset);
        Version = "";
    }

    /// <summary>A message whose start line did not parse, or was not captured: no method, target, status or version.</summary>
    public void BeginUnparsed(long startOffset)
    {
        Begin(startOffset, 0);
        Version = "";
    }

    public void AddHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, long lineOffset)
    {
        _headers.Add(new(Http1Syntax.FieldNames.Get(name), Http1Syntax.FieldValues.Get(value)));
        _headerOffsets.Add(lineOffset);
    }

    public void AddTrailer(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
        (_trailers ??= []).Add(new(Http1Syntax.FieldNames.Get(name), Http1Syntax.FieldValues.Get(value)));

    /// <summary>An error the parser reported while this message was in progress.</summary>
    public void AddFault(string error) => (_faults ??= []).Add(error);

    /// <summary>Appends an obs-fold continuation to the last field, joined by one SP (RFC 9112 §5.2).</summary>
    public void FoldIntoLast(bool trailer, ReadOnlySpan<byte> continuation)
    {
        var fields = trailer ? _trailers! : _headers;
        var last = fields[^1];
        var more = Encoding.Latin1.GetString(Http1Syntax.TrimOws(continuation));
        fields[^1] = new(last.Key, last.Value.Length == 0 ? more : more.Length == 0 ? last.Value : last.Value + " " + more);
    }

    /// <summary>Sizes the preview for a body of known length, so a Content-Length body is copied once.</summary>
    public void ReservePreview(long bodyLength)
    {
        int size = (int)Math.Min(_previewLimit, bodyLength);
        if (_preview.Length < size) _preview = new byte[size];
    }

    public void AppendBody(ReadOnlySpan<byte> data)
    {
        BodyBytes += data.Length;
        if (_previewStopped) return;
        int take = Math.Min(_previewLimit - _previewLength, data.Length);
        if (take <= 0) return;
        int needed = _previewLength + take;
        if (needed > _preview.Length)
            Array.Resize(ref _preview, Math.Max(needed, Math.Min(_previewLimit, Math.Max(256, _preview.Length * 2))));
        data[..take].CopyTo(_preview.AsSpan(_previewLength));
        _previewLength = needed;
    }

    /// <summary>Counts body bytes that were not captured. The preview stays a true prefix: it stops growing here.</summary>
    public void SkipBody(long count)
    {
        CountUnreadBody(count);
        Flags |= Http1MessageFlags.Gap;
    }

    /// <summary>Counts body bytes that were not read as a body (their framing was unknown); the preview stops growing here.</summary>
    public void CountUnreadBody(long count)
    {
        BodyBytes += count;
        _previewStopped = true;
    }

    public Http1Message Build(long endOffset, Http1MessageFlags extraFlags)
    {
        byte[] preview = _previewLength == 0 ? []
            : _previewLength == _preview.Length ? _preview
            : _preview.AsSpan(0, _previewLength).ToArray();
        var message = new Http1Message(
            Kind, Method, Target, Status, Reason, Version,
            _headers, (IReadOnlyList<KeyValuePair<string, string>>?)_trailers ?? NoFields,
            StartOffset, HeadEndOffset >= 0 ? HeadEndOffset : endOffset, endOffset, BodyBytes,
            Flags | extraFlags, preview) { Faults = (IReadOnlyList<string>?)_faults ?? [] };

        if (_previewLength > 0 && preview == _preview) _preview = [];
        _headers = new(_headers.Count);   // the next message on a connection usually has as many fields
        _trailers = null;
        _faults = null;
        Active = false;
        return message;
    }

    /// <summary>Forgets the message in progress without reporting it.</summary>
    public void Discard()
    {
        _headers.Clear();
        _trailers = null;
        _faults = null;
        Active = false;
    }

    private void Begin(long startOffset, int minor)
    {
        Active = true;
        Method = Target = Reason = null;
        Status = null;
        Version = Http1Syntax.Version(minor);
        StartOffset = startOffset;
        HeadEndOffset = -1;
        BodyBytes = 0;
        Flags = Http1MessageFlags.None;
        _headerOffsets.Clear();
        _previewLength = 0;
        _previewStopped = false;
    }
}
