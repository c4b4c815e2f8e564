namespace Capture.Analyzer.Exchanges;

/// <summary>RFC 9113 §7 error codes by name, as RST_STREAM and GOAWAY carry them.</summary>
internal static class Http2ErrorCodes
{
    private static readonly string[] Names =
    [
        "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED",
        "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
    ];

    public static string Name(uint code) => code < Names.Length ? Names[code] : $"0x{code:x}";
}
