using System.Buffers.Binary;

namespace Capture.Hpack;

/// <summary>
/// A SETTINGS payload (RFC 9113 §6.5.1): 6-octet entries, a 16-bit identifier then a 32-bit value. The Recorder reads
/// it from SETTINGS frames; it and the Analyzer read it from the HTTP2-Settings field of an h2c upgrade request
/// (RFC 7540 §3.2.1: the client's SETTINGS payload in base64url, acknowledged by the 101 response, so it governs the
/// server's first frames). Here because the one setting that decoding depends on is HPACK's: HEADER_TABLE_SIZE.
/// </summary>
public static class SettingsPayload
{
    public const ushort HeaderTableSize = 0x1;

    /// <summary>The payload's whole entries, in order (a cut-off last entry is left out).</summary>
    public static List<(ushort Id, uint Value)> Entries(ReadOnlySpan<byte> payload)
    {
        var settings = new List<(ushort Id, uint Value)>(payload.Length / 6);
        for (int at = 0; at + 6 <= payload.Length; at += 6)
            settings.Add((BinaryPrimitives.ReadUInt16BigEndian(payload[at..]), BinaryPrimitives.ReadUInt32BigEndian(payload[(at + 2)..])));
        return settings;
    }

    /// <summary>The payload an HTTP2-Settings field carries; null when it is not base64url of whole entries.</summary>
    public static byte[]? FromUpgradeField(ReadOnlySpan<char> field)
    {
        field = field.Trim();
        if (field.IsEmpty) return null;
        var base64 = new string(field).Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        var payload = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, payload, out int length) || length % 6 != 0) return null;
        return payload[..length];
    }
}
