using System.Globalization;
using System.Text.Json;

namespace Capture.Analyzer.Output;

/// <summary>
/// HAR's request and response cookies, read from the header fields as recorded (values already redacted
/// when the recorder redacted). Request cookies are the name=value pairs of every Cookie field (HTTP/2 may
/// split one into several, RFC 9113 §8.2.3); response cookies are one per Set-Cookie field, with the
/// attributes HAR has: path, domain, expires, httpOnly, secure.
/// </summary>
internal static class HarCookies
{
    /// <param name="comment">Written on each cookie: the recorder replaced the values of this field by keyed hashes
    /// (<see cref="HarWriter.RedactedComment"/>), which a cookie list would otherwise show as the values sent.</param>
    public static void WriteRequest(Utf8JsonWriter json, IReadOnlyList<KeyValuePair<string, string>> headers, string? comment)
    {
        json.WriteStartArray("cookies");
        foreach (var (field, value) in headers)
        {
            if (!field.Equals("cookie", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var pair in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var (name, cookieValue) = NameValue(pair);
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("value", cookieValue);
                if (comment is not null) json.WriteString("comment", comment);
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
    }

    /// <param name="received">When the response arrived: Max-Age counts from then.</param>
    /// <param name="comment">As for <see cref="WriteRequest"/>.</param>
    public static void WriteResponse(Utf8JsonWriter json, IReadOnlyList<KeyValuePair<string, string>> headers, DateTimeOffset received, string? comment)
    {
        json.WriteStartArray("cookies");
        foreach (var (field, value) in headers)
        {
            if (!field.Equals("set-cookie", StringComparison.OrdinalIgnoreCase)) continue;
            // One cookie per field: a comma cannot separate cookies, since Expires holds one ("Wed, 21 Oct …").
            var parts = value.Split(';', StringSplitOptions.TrimEntries);
            var (name, cookieValue) = NameValue(parts[0]);
            string? path = null, domain = null;
            DateTimeOffset? expires = null, maxAgeExpires = null;
            bool httpOnly = false, secure = false;
            foreach (var attribute in parts.Skip(1))
            {
                var (key, attributeValue) = NameValue(attribute);
                if (key.Length == 0) (key, attributeValue) = (attributeValue, ""); // a flag such as "HttpOnly"
                switch (key.ToLowerInvariant())
                {
                    case "path": path = attributeValue; break;
                    case "domain": domain = attributeValue; break;
                    case "expires": expires = CookieDate(attributeValue) ?? expires; break;
                    case "max-age": maxAgeExpires = MaxAge(attributeValue, received) ?? maxAgeExpires; break;
                    case "httponly": httpOnly = true; break;
                    case "secure": secure = true; break;
                }
            }

            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("value", cookieValue);
            if (path is not null) json.WriteString("path", path);
            if (domain is not null) json.WriteString("domain", domain);
            // RFC 6265 §5.3 step 3: Max-Age wins over Expires.
            if ((maxAgeExpires ?? expires) is { } until) json.WriteString("expires", HarWriter.Iso8601(until));
            json.WriteBoolean("httpOnly", httpOnly);
            json.WriteBoolean("secure", secure);
            if (comment is not null) json.WriteString("comment", comment);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>RFC 6265bis §5.6: the text before the first '=' is the name; with no '=' the name is empty and all of it is the value.</summary>
    private static (string Name, string Value) NameValue(string pair)
    {
        int eq = pair.IndexOf('=');
        return eq < 0 ? ("", pair.Trim()) : (pair[..eq].Trim(), pair[(eq + 1)..].Trim());
    }

    /// <summary>Servers send RFC 1123 dates ("Wed, 21 Oct 2015 07:28:00 GMT") and the older Netscape form with
    /// dashes ("Wed, 21-Oct-2015 07:28:00 GMT"); null for anything else (HAR's expires is optional).</summary>
    private static DateTimeOffset? CookieDate(string text) =>
        DateTimeOffset.TryParse(text.Replace('-', ' '), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date) ? date : null;

    /// <summary>RFC 6265 §5.2.2: delta-seconds from now; zero or less means already expired, written as the Unix epoch. A
    /// value that does not begin with a digit or "-" is ignored, as browsers ignore it ("+60" leaves Expires in force).</summary>
    private static DateTimeOffset? MaxAge(string text, DateTimeOffset received)
    {
        if (text.StartsWith('+') || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds)) return null;
        if (seconds <= 0) return DateTimeOffset.UnixEpoch;
        return seconds < (DateTimeOffset.MaxValue - received).TotalSeconds ? received.AddSeconds(seconds) : DateTimeOffset.MaxValue;
    }
}
