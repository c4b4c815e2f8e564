using Capture.Hpack;

namespace Capture.Recorder.Redaction;

/// <summary>
/// HTTP/2 for redaction (RFC 9113): frames are followed by their 9-octet headers; DATA and other payloads are
/// skipped unread. A header block (HEADERS or PUSH_PROMISE and its CONTINUATIONs) is held back until END_HEADERS,
/// then decoded with this direction's own HPACK state, and every literal value of a secret field (and of a field
/// whose name the capture could not learn) is rewritten in place, raw or Huffman-coded, at the same length.
/// Indexed fields need nothing: they point at table entries whose literal was already rewritten.
///
/// --allow/--deny: a request's header block names its method, :authority and :path (a server's PUSH_PROMISE names
/// those of the stream it promises, RFC 9113 §8.4; see <see cref="Http2RequestPolicy"/>); a stream the policy keeps out
/// is told to the connection, and both directions elide its DATA frames whole (header and payload), so the frames
/// around them stay intact. Its header blocks are kept: every later block is decoded against the HPACK state they
/// changed. The Analyzer leaves the stream out (the denied_streams table).
/// </summary>
internal sealed class Http2Scanner : DirectionScanner
{
    // RFC 9113 §4.1: Length (24) | Type (8) | Flags (8) | R (1) | Stream Identifier (31)
    private const int FrameHeaderLength = 9;
    private const byte TypeData = 0x0, TypeHeaders = 0x1, TypeSettings = 0x4, TypePushPromise = 0x5, TypeContinuation = 0x9;
    private const byte FlagEndHeaders = 0x4, FlagPadded = 0x8, FlagPriority = 0x20, FlagAck = 0x1;
    /// <summary>The largest dynamic table followed, whatever the peer allows (more only costs references Unknown).</summary>
    public const int MaxTableSize = 1 << 16;
    private const int MaxSettingsPayload = 1024;

    private enum State { Preface, FrameHeader, Payload, Lost }

    private readonly RedactionPolicy _policy;
    private readonly ConnectionContext _connection;
    private readonly int _direction;
    private readonly ValueRewriter _rewriter;
    private readonly List<HpackLiteralValue> _literals = [];
    /// <summary>A block's fields, for --allow/--deny only; reused from block to block.</summary>
    private readonly List<KeyValuePair<string, string>> _fields = [];
    private State _state;
    private long _prefaceRemaining;

    private readonly byte[] _header = new byte[FrameHeaderLength];
    private int _headerFill;
    private int _length;
    private byte _type, _flags;
    /// <summary>The stream whose request (or response) the block being read states: a HEADERS frame's own stream, a
    /// PUSH_PROMISE's promised stream (its Promised Stream ID, not the stream it is sent on).</summary>
    private uint _blockStreamId;
    private long _frameStart;
    private long _remaining;
    private bool _collect;
    private byte[] _payload = new byte[256];
    private int _payloadFill;
    private long _payloadStart;

    private byte[] _block = new byte[256];
    private int _blockLength;
    private readonly List<(int BlockOffset, long StreamPos, int Length)> _fragments = [];
    private bool _inBlock, _discarding;
    /// <summary>Unframed bytes after a hole are being stored as zeros (counted once per hole).</summary>
    private bool _zeroingLost;

    /// <param name="direction">The direction read (0 egress, 1 ingress): its SETTINGS bound the other's table.</param>
    public Http2Scanner(IHeldBytes held, RedactionPolicy policy, ConnectionContext connection, int direction, long prefaceRemaining, bool lost)
        : base(held)
    {
        _policy = policy;
        _connection = connection;
        _direction = direction;
        _rewriter = new ValueRewriter(policy);
        _prefaceRemaining = prefaceRemaining;
        _state = lost ? State.Lost : prefaceRemaining > 0 ? State.Preface : State.FrameHeader;
        Decoder = lost ? HpackDecoder.StartWithUnknownContext() : new HpackDecoder();
    }

    /// <summary>Decodes this direction's header blocks; the other direction's SETTINGS set its table size.</summary>
    public HpackDecoder Decoder { get; }

    public override long HoldFrom => _inBlock && _fragments.Count > 0 ? _fragments[0].StreamPos
        : _state == State.Payload && _collect && IsHeaderFrame && !_discarding ? _payloadStart
        // A frame header split across calls: held until its frame is known, in case it is a denied stream's DATA.
        : _state == State.FrameHeader && _headerFill > 0 && !_policy.Exchanges.IsEmpty ? _frameStart : NothingHeld;

    private bool IsHeaderFrame => _type is TypeHeaders or TypePushPromise or TypeContinuation;

    public override int Feed(ReadOnlySpan<byte> data, long pos, bool callStart)
    {
        if (_state == State.Lost && callStart && LooksLikeFrameHeader(data)) (_state, _zeroingLost) = (State.FrameHeader, false);
        int i = 0;
        while (i < data.Length)
        {
            switch (_state)
            {
                case State.Lost:
                    // Unframed: a header block's rest (its frame header lost) cannot be told from a body's. Zeros
                    // until a call begins with a frame header.
                    if (!_zeroingLost)
                    {
                        _zeroingLost = true;
                        _policy.Overflows++;
                    }
                    Held.Zero(pos + i, data.Length - i);
                    return data.Length;
                case State.Preface:
                    int skip = (int)Math.Min(_prefaceRemaining, data.Length - i);
                    i += skip;
                    if ((_prefaceRemaining -= skip) == 0) _state = State.FrameHeader;
                    break;
                case State.FrameHeader:
                    if (_headerFill == 0) _frameStart = pos + i;
                    int take = Math.Min(FrameHeaderLength - _headerFill, data.Length - i);
                    data.Slice(i, take).CopyTo(_header.AsSpan(_headerFill));
                    _headerFill += take;
                    i += take;
                    if (_headerFill == FrameHeaderLength) StartFrame(pos + i);
                    break;
                case State.Payload:
                    int n = (int)Math.Min(_remaining, data.Length - i);
                    if (_collect) Collect(data.Slice(i, n), pos + i);
                    i += n;
                    if ((_remaining -= n) == 0) EndFrame();
                    break;
            }
        }
        return data.Length;
    }

    private void StartFrame(long payloadStart)
    {
        _headerFill = 0;
        _length = _header[0] << 16 | _header[1] << 8 | _header[2];
        _type = _header[3];
        _flags = _header[4];
        uint streamId = (uint)(_header[5] << 24 | _header[6] << 16 | _header[7] << 8 | _header[8]) & 0x7FFF_FFFF;
        if (_type == TypeData && _connection.IsDenied(streamId)) Held.Elide(_frameStart, payloadStart + _length);
        if (_type == TypeHeaders) _blockStreamId = streamId;
        _remaining = _length;
        _payloadStart = payloadStart;
        _payloadFill = 0;
        _collect = IsHeaderFrame || (_type == TypeSettings && (_flags & FlagAck) == 0 && _length <= MaxSettingsPayload);
        if (_type is TypeHeaders or TypePushPromise && _inBlock) AbandonBlock(); // a new block before END_HEADERS: broken
        if (_type == TypeContinuation && !_inBlock && !_discarding)
        {
            // Its block's start was not seen (lost, or before the capture joined): it cannot be decoded, and a secret
            // literal may stand in it as in any fragment. Zeros, as a block given up on.
            _discarding = true;
            _policy.Overflows++;
        }
        _state = State.Payload;
        if (_length == 0) EndFrame();
    }

    private void Collect(ReadOnlySpan<byte> bytes, long pos)
    {
        if (_discarding && IsHeaderFrame)
        {
            Held.Zero(pos, bytes.Length);
            return;
        }
        if (_payload.Length < _payloadFill + bytes.Length) Array.Resize(ref _payload, Math.Max(_payloadFill + bytes.Length, _payload.Length * 2));
        bytes.CopyTo(_payload.AsSpan(_payloadFill));
        _payloadFill += bytes.Length;
    }

    private void EndFrame()
    {
        _state = State.FrameHeader;
        if (!_collect) return;
        if (_type == TypeSettings)
        {
            _connection.AnnounceSettings(_direction, _payload.AsSpan(0, _payloadFill));
            return;
        }
        bool endHeaders = (_flags & FlagEndHeaders) != 0;
        if (_discarding)
        {
            if (endHeaders) _discarding = false;
            return;
        }
        if (!TryFragment(out int start, out int end))
        {
            AbandonBlock();
            return;
        }
        if (_blockLength + end - start > _block.Length) Array.Resize(ref _block, Math.Max(_blockLength + end - start, _block.Length * 2));
        _payload.AsSpan(start, end - start).CopyTo(_block.AsSpan(_blockLength));
        _fragments.Add((_blockLength, _payloadStart + start, end - start));
        _blockLength += end - start;
        _inBlock = true;
        if (endHeaders) FinishBlock();
    }

    /// <summary>RFC 9113 §6.2, §6.6: the field block fragment without padding, priority and promised stream id.</summary>
    private bool TryFragment(out int start, out int end)
    {
        start = 0;
        end = _payloadFill;
        if (_type == TypeContinuation) return true;
        int padding = 0;
        if ((_flags & FlagPadded) != 0)
        {
            if (_payloadFill < 1) return false;
            padding = _payload[0];
            start = 1;
        }
        if (_type == TypeHeaders && (_flags & FlagPriority) != 0) start += 5;
        if (_type == TypePushPromise)
        {
            // RFC 9113 §6.6: Reserved (1) | Promised Stream ID (31), before the fragment.
            if (_payloadFill < start + 4) return false;
            _blockStreamId = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(_payload.AsSpan(start)) & 0x7FFF_FFFF;
            start += 4;
        }
        end = _payloadFill - padding;
        return end >= start;
    }

    private void FinishBlock()
    {
        var block = _block.AsSpan(0, _blockLength);
        _literals.Clear();
        // Fields are collected only for --allow/--deny; redaction needs the literals' places alone.
        bool collectFields = !_policy.Exchanges.IsEmpty;
        var error = Decoder.Decode(block, _literals, collectFields ? _fields : null, out _);
        foreach (var literal in _literals)
        {
            if (!_policy.Redacts) break;
            if (literal.Name is not null && !SecretRanges.MayHoldSecret(_policy, literal.Name)) continue;
            var value = block.Slice(literal.Offset, literal.Length);
            if (literal.Huffman) _rewriter.Huffman(literal.Name, value);
            else _rewriter.Raw(literal.Name, value);
        }
        if (collectFields && error is null && Http2RequestPolicy.IsDenied(_policy.Exchanges, _fields))
            _connection.DenyStream(_blockStreamId);
        if (error is not null)
        {
            // Past the error nothing can be told apart: blank the rest so no secret passes, and start HPACK afresh.
            block[error.Offset..].Clear();
            Decoder.LoseContext();
        }
        WriteBack();
        _inBlock = false;
        _blockLength = 0;
        _fragments.Clear();
    }

    private void WriteBack()
    {
        foreach (var (offset, streamPos, length) in _fragments) Held.Overwrite(streamPos, _block.AsSpan(offset, length));
    }

    /// <summary>A block that cannot be decoded: blank what is held of it, and forget the HPACK state it would have changed.</summary>
    private void AbandonBlock()
    {
        _block.AsSpan(0, _blockLength).Clear();
        WriteBack();
        _inBlock = false;
        _blockLength = 0;
        _fragments.Clear();
        Decoder.LoseContext();
    }


    /// <summary>Whether a syscall's bytes begin with a plausible frame header (RFC 9113 §4.1, §6): a known type, the
    /// reserved bit clear, connection-level types on stream 0 and stream-level types elsewhere.</summary>
    public static bool LooksLikeFrameHeader(ReadOnlySpan<byte> data)
    {
        if (data.Length < FrameHeaderLength) return false;
        int length = data[0] << 16 | data[1] << 8 | data[2];
        byte type = data[3];
        uint stream = (uint)(data[5] << 24 | data[6] << 16 | data[7] << 8 | data[8]);
        if (type > 9 || length > 1 << 20 || (stream & 0x8000_0000) != 0) return false;
        bool connectionLevel = type is 4 or 6 or 7;
        return connectionLevel ? stream == 0 : stream != 0 || type == 8;
    }

    public override void Lost(long bytes)
    {
        if (_state == State.Payload && !_collect && _remaining >= bytes)
        {
            if ((_remaining -= bytes) == 0) _state = State.FrameHeader;
            return;
        }
        bool inHeaderFrame = _state == State.Payload && _collect && IsHeaderFrame && !_discarding;
        if (_inBlock || inHeaderFrame) AbandonBlock();
        if (inHeaderFrame)
        {
            // What is held of the frame the hole cut is no fragment yet: zeros too, never stored in clear.
            Held.Zero(_payloadStart, _payloadFill);
            _policy.Overflows++;
        }
        if (_state == State.Payload && _collect && IsHeaderFrame && _remaining >= bytes)
        {
            // The hole ends inside the header frame it cut: framing holds, and the rest of its block is zeros.
            Decoder.LoseContext();
            _discarding = true;
            if ((_remaining -= bytes) == 0) EndFrame();
            return;
        }
        _state = State.Lost;
        _headerFill = 0;
        _discarding = false;
        Decoder.LoseContext();
    }

    public override void GiveUpHolding()
    {
        if (HoldFrom == NothingHeld) return;
        AbandonBlock();
        if (_state == State.Payload && IsHeaderFrame)
        {
            Held.Zero(_payloadStart, _payloadFill);
            _collect = true;
            _discarding = (_flags & FlagEndHeaders) == 0 || _remaining > 0;
        }
        else _discarding = true;
        _policy.Overflows++;
    }
}
