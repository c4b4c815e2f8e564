using Capture.Analyzer.Http2;
using Capture.Hpack;

namespace Capture.Analyzer.Exchanges;

/// <summary>The HTTP/2 side of an h2c upgrade (RFC 7540 §3.2, kept by RFC 9113 as a known practice): the
/// bytes of one direction from <see cref="Origin"/> on go to an HTTP/2 parser, those before it do not.</summary>
internal sealed class Http2Handoff(bool clientToServer, Http2Limits limits)
{
    private long _position;

    public Http2DirectionParser Parser { get; } = new(clientToServer, limits);
    /// <summary>Stream offset where HTTP/2 begins; -1 while undecided.</summary>
    public long Origin { get; private set; } = -1;

    public void StartAt(long offset) => Origin = offset;

    /// <summary>Decided while <paramref name="lastFed"/> was the latest span fed: its bytes from
    /// <paramref name="offset"/> on are the first HTTP/2 bytes.</summary>
    public void StartAt(long offset, ReadOnlySpan<byte> lastFed)
    {
        Origin = offset;
        long spanStart = _position - lastFed.Length;
        if (offset < _position) Parser.Feed(lastFed[(int)Math.Max(0, offset - spanStart)..]);
    }

    /// <summary>Takes the next bytes of the direction, whose first byte is at stream offset <see cref="_position"/>.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        long start = _position;
        _position += bytes.Length;
        if (Origin < 0 || _position <= Origin) return;
        Parser.Feed(bytes[(int)Math.Max(0, Origin - start)..]);
    }

    public void Gap(long lost)
    {
        long start = _position;
        _position += lost;
        if (Origin < 0 || _position <= Origin) return;
        Parser.Gap(_position - Math.Max(start, Origin));
    }

    /// <summary>The HTTP2-Settings field of an h2c upgrade request as the client's first SETTINGS, which the 101
    /// response acknowledges (see <see cref="SettingsPayload"/>); null when absent or undecodable.</summary>
    public static Http2SettingsEvent? UpgradeSettings(string? field) =>
        field is not null && SettingsPayload.FromUpgradeField(field) is { } payload
            ? new Http2SettingsEvent(0, Ack: false, SettingsPayload.Entries(payload)) : null;

    public static bool IsH2cUpgrade(string? upgradeHeader) =>
        upgradeHeader is not null && upgradeHeader.Split(',').Any(p => p.Trim().Equals("h2c", StringComparison.OrdinalIgnoreCase));
}
