using Capture.Hpack;
using System.IO.Compression;
using System.Text;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// A small shop's traffic, written as a recording with exact bytes and times, that the analyzer questions
/// are asked of: an HTTP/1.1 keep-alive client (curl) and the same connection seen by the server (nginx),
/// a gzip body, a failing endpoint, a request that never got its answer, and an h2c gRPC client with a
/// reset stream.
/// </summary>
internal static class ShopRecording
{
    public static string Write(string path)
    {
        var rec = new SyntheticRecording(path);

        // The same keep-alive connection from both ends: the server's durations are shorter by the network's share.
        var client = rec.Connection("curl", 100, "client", "10.0.0.1:40000", "10.0.0.2:80", openedMs: 0);
        var server = rec.Connection("nginx", 200, "server", "10.0.0.2:80", "10.0.0.1:40000", openedMs: 0.1);
        void Exchange(double at, string request, double took, string response)
        {
            client.ClientSends(at, request);
            server.ClientSends(at + 0.1, request);
            server.ServerSends(at + took - 0.1, response);
            client.ServerSends(at + took, response);
        }
        Exchange(1, "GET /users/123 HTTP/1.1\r\nHost: shop.test\r\n\r\n", 12, Json200("{\"id\":123,\"name\":\"Ada\"}"));
        Exchange(20, "GET /users/456 HTTP/1.1\r\nHost: shop.test\r\n\r\n", 30, Json200("{\"id\":456,\"name\":\"Bob\"}"));
        Exchange(60, "POST /orders HTTP/1.1\r\nHost: shop.test\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"item\":\"42\"}", 45,
            "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        Exchange(120, "GET /users/789 HTTP/1.1\r\nHost: shop.test\r\n\r\n", 80,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\ndatabase down");
        client.Close(300);
        server.Close(300);

        var report = rec.Connection("curl", 101, "client", "10.0.0.1:40002", "10.0.0.2:80", openedMs: 400);
        var gzipped = Gzip("id,total\n1,10.00\n2,12.50\n");
        report.ClientSends(401, "GET /reports/2026-01?format=csv HTTP/1.1\r\nHost: shop.test\r\nAccept-Encoding: gzip\r\n\r\n");
        report.ServerSends(421, Encoding.Latin1.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Encoding: gzip\r\nContent-Length: {gzipped.Length}\r\n\r\n")
            .Concat(gzipped).ToArray());
        report.ClientSends(430, "GET /users/123/avatar HTTP/1.1\r\nHost: shop.test\r\n\r\n");
        report.Close(2000);

        var grpc = rec.Connection("python3", 300, "client", "10.0.0.1:40004", "10.0.0.3:50051", openedMs: 500);
        grpc.ClientSends(501, Frames.Concat(Frames.Preface, Frames.Settings()));
        grpc.ServerSends(502, Frames.Settings());
        grpc.ClientSends(503, Frames.Concat(Frames.SettingsAck(), Frames.Headers(1, GrpcRequest("/shop.Inventory/Reserve")), Frames.Data(1, Frames.Grpc("sku-1"), endStream: true)));
        grpc.ServerSends(504, Frames.SettingsAck());
        grpc.ServerSends(520, Frames.Concat(Frames.Headers(1, new HpackBlock().WithoutIndexing(":status", "200").WithoutIndexing("content-type", "application/grpc").ToArray()),
            Frames.Data(1, Frames.Grpc("reserved")),
            Frames.Headers(1, new HpackBlock().WithoutIndexing("grpc-status", "0").ToArray(), endStream: true)));
        grpc.ClientSends(530, Frames.Concat(Frames.Headers(3, GrpcRequest("/shop.Inventory/Reserve")), Frames.Data(3, Frames.Grpc("sku-2"), endStream: true)));
        grpc.ServerSends(575, Frames.Concat(Frames.Headers(3, new HpackBlock().WithoutIndexing(":status", "200").WithoutIndexing("content-type", "application/grpc")
            .WithoutIndexing("grpc-status", "5").WithoutIndexing("grpc-message", "sku-2%20not%20found").ToArray(), endStream: true)));
        grpc.ClientSends(580, Frames.Headers(5, GrpcRequest("/shop.Inventory/Watch")));
        grpc.ClientSends(640, Frames.RstStream(5, 8));
        grpc.Close(700);

        return rec.Save();
    }

    private static string Json200(string body) =>
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}";

    private static byte[] GrpcRequest(string path) => new HpackBlock()
        .WithoutIndexing(":method", "POST").WithoutIndexing(":scheme", "http").WithoutIndexing(":path", path)
        .WithoutIndexing(":authority", "inventory:50051").WithoutIndexing("content-type", "application/grpc").WithoutIndexing("te", "trailers")
        .ToArray();

    private static byte[] Gzip(string text)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(Encoding.UTF8.GetBytes(text));
        return output.ToArray();
    }
}
