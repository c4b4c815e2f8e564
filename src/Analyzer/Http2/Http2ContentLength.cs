using System.Globalization;

namespace Capture.Analyzer.Http2;

/// <summary>
/// RFC 9113 §8.1.1: a message whose content-length differs from the sum of its DATA frames' payloads is malformed, and
/// its receiver treats it as a stream error. A status that says success then misleads: the peer did not accept it.
/// </summary>
internal static class Http2ContentLength
{
    /// <summary>
    /// How the DATA octets contradict the declared content-length, in words, or null when they do not: more arrived than it
    /// declares, or the message ended (<paramref name="ended"/>) with fewer. A message without one, or with one that is no
    /// plain decimal, is not judged.
    /// </summary>
    public static string? Violation(IReadOnlyList<KeyValuePair<string, string>>? fields, long bodyBytes, bool ended) =>
        Declared(fields) is not { } declared ? null
        : bodyBytes > declared ? $"{bodyBytes} octets of DATA, more than its content-length of {declared} (RFC 9113 §8.1.1)"
        : ended && bodyBytes < declared ? $"ended after {bodyBytes} octets of DATA, fewer than its content-length of {declared} (RFC 9113 §8.1.1)"
        : null;

    private static long? Declared(IReadOnlyList<KeyValuePair<string, string>>? fields)
    {
        if (fields is null) return null;
        long? declared = null;
        foreach (var (name, value) in fields)
        {
            if (name != "content-length") continue;
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long length)) return null;
            // Repeated fields that disagree declare nothing one can hold the body to.
            if (declared is not null && declared != length) return null;
            declared = length;
        }
        return declared;
    }
}
