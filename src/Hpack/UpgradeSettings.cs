using System.Buffers.Binary;

namespace Capture.Hpack;

/// <summary>
/// The HTTP2-Settings field of an h2c upgrade request (RFC 7540 §3.2.1): the client's SETTINGS payload in
/// base64url, acknowledged by the 101 response, so it governs the server's first frames. Here because its one
/// setting that decoding depends on is HPACK's: SETTINGS_HEADER_TABLE_SIZE bounds the server's table.
/// </summary>
public static class UpgradeSettings
{
    public const ushort HeaderTableSize = 0x1;

    /// <summary>The (id, value) pairs of the field, in order; null when it is not base64url of whole settings.</summary>
    public static List<(ushort Id, uint Value)>? Decode(ReadOnlySpan<char> field)
    {
        field = field.Trim();
        if (field.IsEmpty) return null;
        var base64 = new string(field).Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        var payload = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, payload, out int length) || length % 6 != 0) return null;
        var settings = new List<(ushort Id, uint Value)>(length / 6);
        for (int at = 0; at < length; at += 6)
            settings.Add((BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(at)), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(at + 2))));
        return settings;
    }
}
