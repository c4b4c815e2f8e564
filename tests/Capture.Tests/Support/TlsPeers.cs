namespace Capture.Tests.Support;

/// <summary>HTTPS peers: a self-signed certificate and nginx terminating TLS, optionally proxying
/// to a plaintext upstream.</summary>
internal static class TlsPeers
{
    public static (string Cert, string Key) SelfSignedCertificate(string directory)
    {
        var cert = Path.Combine(directory, "cert.pem");
        var key = Path.Combine(directory, "key.pem");
        var result = ProcessRunner.Run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost"]);
        Assert.True(result.ExitCode == 0, "openssl req failed: " + result.Stderr);
        return (cert, key);
    }

    /// <summary>nginx with TLS 1.2 and 1.3 on 127.0.0.1:<paramref name="port"/>: /hello (a file),
    /// /status/404, and /api/ proxied to http://127.0.0.1:<paramref name="upstreamPort"/> when given.</summary>
    public static BackgroundProcess Nginx(string directory, int port, int? upstreamPort = null)
    {
        var (cert, key) = SelfSignedCertificate(directory);
        var root = Directory.CreateDirectory(Path.Combine(directory, "www")).FullName;
        File.WriteAllText(Path.Combine(root, "hello"), "hello over tls\n");
        var proxy = upstreamPort is { } up ? $"location /api/ {{ proxy_pass http://127.0.0.1:{up}/; proxy_http_version 1.1; proxy_set_header Connection \"\"; }}" : "";
        var conf = Path.Combine(directory, "nginx-tls.conf");
        File.WriteAllText(conf, $$"""
            {{Peers.NginxPreamble(directory, "nginx-tls")}}
                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{cert}};
                    ssl_certificate_key {{key}};
                    ssl_protocols TLSv1.2 TLSv1.3;
                    root {{root}};
                    location /status/404 { return 404 "missing\n"; }
                    {{proxy}}
                }
            }
            """);
        var nginx = new BackgroundProcess("/usr/sbin/nginx", ["-c", conf, "-e", Path.Combine(directory, "error.log")]);
        Peers.WaitForPort(port);
        return nginx;
    }

    /// <summary>A copy of the machine's node (OpenSSL linked in statically) under a name of the
    /// test's own: no other process on the host runs this file, so what the recorder probes in it
    /// was found by the recording under test.</summary>
    public static string PrivateNode(string directory)
    {
        var copy = Path.Combine(directory, "node");
        File.Copy("/usr/bin/node", copy);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return copy;
    }

    /// <summary>A node https client (https.get, rejectUnauthorized false) that fetches each of
    /// <paramref name="urls"/> in turn, printing "STATUS BODY" per response, once
    /// <paramref name="gate"/> exists (so that it can be started before the recording), then exits.</summary>
    public static BackgroundProcess NodeClient(string node, string gate, params string[] urls) =>
        new(node, ["-e", NodeClientScript, gate, .. urls]);

    /// <summary>A node https server on 127.0.0.1:<paramref name="port"/> that answers every request with "node says PATH";
    /// prints "listening" once it accepts connections.</summary>
    public static BackgroundProcess NodeServer(string node, string directory, int port)
    {
        var (cert, key) = SelfSignedCertificate(directory);
        return new(node, ["-e", NodeServerScript, cert, key, port.ToString()]);
    }

    private const string NodeServerScript = """
        const https = require('https'), fs = require('fs');
        const [cert, key, port] = process.argv.slice(1);
        https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => res.end('node says ' + req.url + '\n'))
          .listen(Number(port), '127.0.0.1', () => console.log('listening'));
        setTimeout(() => process.exit(0), 60000);
        """;

    /// <summary>A node https client that, once <paramref name="gate"/> exists, starts all of <paramref name="urls"/>
    /// at once, each on a connection of its own, from its one thread; prints "STATUS PATH" per response, then exits.</summary>
    public static BackgroundProcess NodeParallelClient(string node, string gate, params string[] urls) =>
        new(node, ["-e", NodeParallelClientScript, gate, .. urls]);

    private const string NodeParallelClientScript = """
        const https = require('https'), fs = require('fs');
        const [gate, ...urls] = process.argv.slice(1);
        const deadline = Date.now() + 30000;
        let left = urls.length;
        const fetchAll = () => urls.forEach(url => {
          https.get(url, { rejectUnauthorized: false, agent: false }, res => {
            res.resume();
            res.on('end', () => { console.log(res.statusCode + ' ' + new URL(url).pathname); if (--left === 0) process.exit(0); });
          }).on('error', e => { console.log('error ' + e.message); process.exit(1); });
        });
        const wait = () => fs.existsSync(gate) ? fetchAll() : Date.now() < deadline ? setTimeout(wait, 20) : process.exit(2);
        console.log('ready');
        wait();
        """;

    private const string NodeClientScript = """
        const https = require('https'), fs = require('fs');
        const [gate, ...urls] = process.argv.slice(1);
        const deadline = Date.now() + 30000;
        const fetch = (i) => {
          if (i >= urls.length) return;
          https.get(urls[i], { rejectUnauthorized: false }, res => {
            let body = '';
            res.on('data', d => body += d);
            res.on('end', () => { console.log(res.statusCode + ' ' + body.trim()); fetch(i + 1); });
          }).on('error', e => { console.log('error ' + e.message); process.exit(1); });
        };
        const wait = () => fs.existsSync(gate) ? fetch(0) : Date.now() < deadline ? setTimeout(wait, 20) : process.exit(2);
        console.log('ready');
        wait();
        """;
}
