using System.Text;

namespace Capture.Analyzer.Http2;

/// <summary>Reading gRPC's use of HTTP/2 fields (gRPC over HTTP/2: Requests, Responses).</summary>
internal static class GrpcFields
{
    public static bool IsGrpcContentType(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>Splits a :path of the form /{service}/{method}; false for anything else.</summary>
    public static bool TrySplitPath(string? path, out string service, out string method)
    {
        service = method = "";
        if (path is null || path.Length < 4 || path[0] != '/') return false;
        int slash = path.IndexOf('/', 1);
        if (slash <= 1 || slash == path.Length - 1 || path.IndexOf('/', slash + 1) >= 0) return false;
        service = path[1..slash];
        method = path[(slash + 1)..];
        return true;
    }

    /// <summary>
    /// grpc-message is UTF-8, percent-encoded (%XX) outside printable ASCII. Invalid escapes are kept as they are.
    /// Field values are Latin-1 strings, one char per octet.
    /// </summary>
    public static string PercentDecode(string value)
    {
        if (!value.Contains('%')) return value;
        var bytes = new List<byte>(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)value[i]);
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
