namespace Capture.Analyzer.Http2;

/// <summary>
/// The limits the other side's SETTINGS set on this direction (HPACK table size, frame size), followed from this
/// direction's acknowledgement of each, and the SETTINGS this direction sent, for the other direction to follow.
/// </summary>
internal sealed partial class Http2DirectionParser
{
    private int? _peerHeaderTableSize;
    /// <summary>The other side's SETTINGS not yet acknowledged by this direction (see <see cref="FollowPeerSettings"/>);
    /// null when not followed, or no longer: after a hole that may have held an acknowledgement or a SETTINGS.</summary>
    private Queue<Http2SettingsEvent>? _peerSettingsAwaitingAck;
    private readonly List<Http2SettingsEvent> _settingsSent = [];

    /// <summary>
    /// SETTINGS_HEADER_TABLE_SIZE sent by the other side (whose decoder reads this direction's blocks): bounds the
    /// dynamic table size updates this direction may send. Out-of-range values are ignored.
    /// </summary>
    public void SetPeerHeaderTableSize(int size)
    {
        if (size < 0) return;
        _peerHeaderTableSize = size;
        _decoder.MaxTableSize = size;
    }

    /// <summary>
    /// SETTINGS_MAX_FRAME_SIZE sent by the other side: the largest frame this direction may carry. Values are
    /// clamped to 16384..16777215.
    /// </summary>
    public void SetPeerMaxFrameSize(int size) =>
        _reader.MaxFrameSize = Math.Clamp(size, Http2FrameHeader.DefaultMaxFrameSize, Http2FrameHeader.MaxAllowedFrameSize);

    /// <summary>The limits one SETTINGS frame of the other side sets on this direction: HPACK table size, frame size.</summary>
    public void ApplyPeerSettings(Http2SettingsEvent settings)
    {
        if (settings.Lost)
        {
            StopFollowingPeerSettings();
            _reader.FrameSizeMayBeRaised = true;
            return;
        }
        if (settings.Cut)
        {
            // What it set is unknown: no size update is refused, and plausible frames up to the largest size are accepted.
            ForgetPeerHeaderTableSize();
            _reader.FrameSizeMayBeRaised = true;
            return;
        }
        if (settings.HeaderTableSize is { } size) SetPeerHeaderTableSize((int)Math.Min(size, int.MaxValue));
        if (settings.MaxFrameSize is { } frame)
        {
            SetPeerMaxFrameSize((int)Math.Min(frame, int.MaxValue));
            _reader.FrameSizeMayBeRaised = false; // known again, after a SETTINGS cut
        }
    }

    /// <summary>
    /// Every SETTINGS frame the other side sent, in its order (acknowledgements among them are skipped). Each
    /// governs this direction from this direction's next SETTINGS ACK on: the receiver applies them, then
    /// acknowledges (RFC 9113 §6.5.3), so a peer that raises its table or frame size mid-connection is followed.
    /// The first also governs from the start: a side may send before it has read the other's first SETTINGS, and
    /// a limit only bounds what is accepted, so starting with the larger of the two misreads nothing.
    /// </summary>
    public void FollowPeerSettings(IEnumerable<Http2SettingsEvent> peerSettings)
    {
        _peerSettingsAwaitingAck = new Queue<Http2SettingsEvent>(peerSettings.Where(s => !s.Ack));
        if (_peerSettingsAwaitingAck.TryPeek(out var first)) ApplyPeerSettings(first);
    }

    /// <summary>
    /// The SETTINGS frames this direction sent (not its acknowledgements), in order. Where frames of this direction
    /// were lost after its first, one marked <see cref="Http2SettingsEvent.Lost"/> stands for any they held.
    /// </summary>
    public IEnumerable<Http2SettingsEvent> SettingsSent => _settingsSent;

    /// <summary>Whether this direction changed a limit of the other after its first SETTINGS: only then does the
    /// other direction need <see cref="FollowPeerSettings"/> beyond its first.</summary>
    public bool ChangedPeerLimitsLater => SettingsSent.Skip(1).Any(s => s.SetsDecodingLimits);

    /// <summary>This direction acknowledged the other side's next SETTINGS: its limits govern from here on.</summary>
    private void OnSettingsAck()
    {
        if (_peerSettingsAwaitingAck is { } awaiting && awaiting.TryDequeue(out var acknowledged)) ApplyPeerSettings(acknowledged);
    }

    /// <summary>
    /// Frames of this direction after its first were not captured. They may have held a SETTINGS frame, which the
    /// other direction follows from its acknowledgement on; and acknowledgements of the other side's SETTINGS, which
    /// would have put one in force here unseen, and after which no acknowledgement can be paired with its SETTINGS.
    /// Called before the HPACK context is lost, so that the lost table is not bounded by a size no longer known.
    /// </summary>
    private void FramesLost(long offset)
    {
        _settingsSent.Add(new Http2SettingsEvent(offset, Ack: false, [], Lost: true));
        if (_peerSettingsAwaitingAck is not { } awaiting || !awaiting.Any(s => s.SetsDecodingLimits)) return;
        // An acknowledgement among the lost frames may have put a larger frame size in force.
        if (awaiting.Any(s => s.Lost || s.Cut || s.MaxFrameSize > (uint)_reader.MaxFrameSize)) _reader.FrameSizeMayBeRaised = true;
        StopFollowingPeerSettings();
    }

    /// <summary>
    /// Which of the other side's SETTINGS is in force can no longer be told: the HPACK table size it set stays unknown
    /// for the rest of the connection, so no size update is refused. The frame size known is kept for scanning after a
    /// hole (see <see cref="Http2FrameReader.FrameSizeMayBeRaised"/>).
    /// </summary>
    private void StopFollowingPeerSettings()
    {
        _peerSettingsAwaitingAck = null;
        ForgetPeerHeaderTableSize();
    }

    private void ForgetPeerHeaderTableSize()
    {
        _peerHeaderTableSize = null;
        _decoder.ForgetMaxTableSize();
    }
}
