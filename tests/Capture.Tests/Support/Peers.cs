namespace Capture.Tests.Support;

/// <summary>Real peers from Debian's packages, started on loopback and stopped by pid.</summary>
internal static class Peers
{
    public static BackgroundProcess PythonServer(string host, int port)
    {
        var server = new BackgroundProcess("python3", [Repo.Fixture("servers/http_test_server.py"), host, port.ToString()]);
        server.WaitForLine("ready", TimeSpan.FromSeconds(20));
        return server;
    }

    /// <summary>nginx on 127.0.0.1 and [::1], serving /hello (a static file), /status/404, /status/503.</summary>
    public static BackgroundProcess Nginx(string directory, int port)
    {
        var root = Directory.CreateDirectory(Path.Combine(directory, "www")).FullName;
        File.WriteAllText(Path.Combine(root, "hello"), "hello from nginx\n");
        var conf = Path.Combine(directory, "nginx.conf");
        File.WriteAllText(conf, $$"""
            {{NginxPreamble(directory, "nginx")}}
                server {
                    listen 127.0.0.1:{{port}};
                    listen [::1]:{{port}};
                    root {{root}};
                    location /status/404 { return 404 "missing\n"; }
                    location /status/503 { return 503 "unavailable\n"; }
                }
            }
            """);
        var nginx = new BackgroundProcess("/usr/sbin/nginx", ["-c", conf, "-e", Path.Combine(directory, "error.log")]);
        WaitForPort(port);
        return nginx;
    }

    /// <summary>A file of <paramref name="bytes"/> zero bytes that <see cref="Nginx"/> serves at /<paramref name="name"/>
    /// (sparse: a 100 MB body costs the test no disk).</summary>
    public static void NginxFile(string directory, string name, long bytes)
    {
        using var file = File.Create(Path.Combine(directory, "www", name));
        file.SetLength(bytes);
    }

    /// <summary>The start of an nginx.conf that runs in the foreground with every file in
    /// <paramref name="directory"/>; the caller adds its server blocks and the closing brace.</summary>
    public static string NginxPreamble(string directory, string name) => $$"""
        daemon off;
        master_process off;
        worker_processes 1;
        pid {{directory}}/{{name}}.pid;
        error_log {{directory}}/error.log;
        events { worker_connections 128; }
        http {
            access_log off;
            sendfile off;
            client_body_temp_path {{directory}}/body;
            proxy_temp_path {{directory}}/proxy;
            fastcgi_temp_path {{directory}}/fastcgi;
            uwsgi_temp_path {{directory}}/uwsgi;
            scgi_temp_path {{directory}}/scgi;
        """;

    public static void WaitForPort(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                client.Connect(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"nothing listens on port {port}");
    }

    /// <summary>curl with the given arguments; fails the test if curl fails.</summary>
    public static string Curl(params string[] args)
    {
        var result = ProcessRunner.Run("curl", ["-sS", "--max-time", "20", .. args]);
        Assert.True(result.ExitCode == 0, $"curl {string.Join(' ', args)} failed: {result.Stderr}");
        return result.Stdout;
    }
}
