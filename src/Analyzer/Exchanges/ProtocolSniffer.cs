using Capture.Analyzer.Http2;
using Capture.Analyzer.Recording;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Exchanges;

internal enum WireProtocol { Http1, Http2 }

/// <summary>Which protocol a connection speaks and which end is the client, decided from the first
/// captured bytes of each direction — never from ports, so h2 on any port and HTTP/1 on 443's plaintext
/// are both found. An h2c upgrade starts as HTTP/1 and is handed over by the HTTP/1 analyzer.</summary>
internal static class ProtocolSniffer
{
    public const int Egress = 0, Ingress = 1;

    /// <summary>RFC 9113 §3.4: the client connection preface.</summary>
    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public sealed record Verdict(WireProtocol Protocol, string Side, bool MidConnection);

    public static Verdict Sniff(SqliteConnection db, ConnectionRow conn)
    {
        var egress = FirstBytes(db, conn, Egress);
        var ingress = FirstBytes(db, conn, Ingress);
        string? role = conn.Role is "client" or "server" ? conn.Role : null;

        // The preface begins the client's stream, so it also says which end this process is.
        if (StartsWithPreface(egress)) return new(WireProtocol.Http2, role ?? "client", false);
        if (StartsWithPreface(ingress)) return new(WireProtocol.Http2, role ?? "server", false);

        bool egressHttp1 = LooksLikeHttp1(egress), ingressHttp1 = LooksLikeHttp1(ingress);
        if (egressHttp1 || ingressHttp1 || (egress.Length == 0 && ingress.Length == 0))
            return new(WireProtocol.Http1, role ?? Http1Side(egress, ingress), false);

        // Joined mid-connection (or the start was lost): frames without a preface.
        if (StartsWithFrame(egress) || StartsWithFrame(ingress)) return new(WireProtocol.Http2, role ?? "unknown", true);
        return new(WireProtocol.Http1, role ?? "client", false);
    }

    /// <summary>Whether either direction begins with a CONNECT request: a tunnel asked of a proxy (RFC 9110 §9.3.6).</summary>
    public static bool AsksForTunnel(SqliteConnection db, ConnectionRow conn) =>
        FirstBytes(db, conn, Egress).AsSpan().StartsWith("CONNECT "u8) || FirstBytes(db, conn, Ingress).AsSpan().StartsWith("CONNECT "u8);

    /// <summary>A process that writes a response, or reads a request, is serving.</summary>
    private static string Http1Side(byte[] egress, byte[] ingress)
    {
        if (egress.Length > 0) return egress.AsSpan().StartsWith("HTTP/"u8) ? "server" : "client";
        return ingress.AsSpan().StartsWith("HTTP/"u8) ? "client" : "server";
    }

    private static bool StartsWithPreface(byte[] data) =>
        data.Length > 0 && (data.AsSpan().StartsWith(Preface) || Preface.StartsWith(data));

    /// <summary>A request line's method token and a space, or a status line's "HTTP/1.".</summary>
    private static bool LooksLikeHttp1(byte[] data)
    {
        var span = data.AsSpan();
        if (span.StartsWith("HTTP/1."u8)) return true;
        int i = 0;
        while (i < span.Length && i < 16 && span[i] is >= (byte)'A' and <= (byte)'Z') i++;
        return i >= 3 && i < span.Length && span[i] == (byte)' ' && !span.StartsWith("PRI "u8);
    }

    private static bool StartsWithFrame(byte[] data) =>
        data.Length >= Http2FrameHeader.Size &&
        (Http2FrameRules.IsPlausible(Http2FrameHeader.Read(data), Http2FrameHeader.MaxAllowedFrameSize, clientToServer: true) ||
         Http2FrameRules.IsPlausible(Http2FrameHeader.Read(data), Http2FrameHeader.MaxAllowedFrameSize, clientToServer: false));

    /// <summary>Octets every check here is decided by: the preface's length, more than a method token and its space.</summary>
    private const int SniffBytes = 24;

    /// <summary>The direction's first <see cref="SniffBytes"/> captured octets, joined across calls while each call
    /// follows the last with nothing missing between them: a client may send its first line a byte per call, and a
    /// lone "P" begins the HTTP/2 preface as well as a POST.</summary>
    private static byte[] FirstBytes(SqliteConnection db, ConnectionRow conn, int direction)
    {
        var joined = new List<byte>(SniffBytes);
        long? next = null;
        foreach (var chunk in db.Query<FirstChunk>(
            "SELECT stream_pos AS Position, data AS Data FROM chunks WHERE conn_id = @id AND tls = @tls AND direction = @direction " +
            "AND length(data) > 0 ORDER BY stream_pos, id LIMIT @most",
            new { id = conn.Id, tls = conn.Tls ? 1 : 0, direction, most = SniffBytes }))
        {
            if (next is { } expected && chunk.Position != expected) break;
            joined.AddRange(chunk.Data.AsSpan(0, Math.Min(chunk.Data.Length, SniffBytes - joined.Count)));
            if (joined.Count == SniffBytes) break;
            next = chunk.Position + chunk.Data.Length;
        }
        return [.. joined];
    }

    private sealed class FirstChunk
    {
        public long Position { get; init; }
        public byte[] Data { get; init; } = [];
    }
}
