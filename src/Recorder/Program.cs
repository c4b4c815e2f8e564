using System.CommandLine;
using System.Runtime.InteropServices;
using Capture.Recorder;
using Capture.Recorder.Cli;
using Capture.Recorder.Redaction;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

return RecordCommand.Run(args);

namespace Capture.Recorder.Cli
{
    /// <summary>`record`: the command line, turned into <see cref="RecordSettings"/> and handed to <see cref="Recording"/>.</summary>
    internal static class RecordCommand
    {
        public static int Run(string[] args)
        {
            var output = new Option<string>("--output", "-o") { Description = "SQLite file to write (created mode 0600)", DefaultValueFactory = _ => "capture.db" };
            var duration = new Option<string?>("--duration", "-d") { Description = "Stop after this long: 500ms, 30s, 2m, 1h (default: until Ctrl-C or SIGTERM)" };
            var pid = new Option<uint?>("--pid") { Description = "Only this process (thread group id)" };
            var comm = new Option<string?>("--comm") { Description = "Only processes with this command name (as in /proc/PID/comm, at most 15 characters)" };
            var port = new Option<ushort?>("--port") { Description = "Only connections with this local or remote port" };
            var allTcp = new Option<bool>("--all-tcp") { Description = "Record every TCP connection, not only those that look like HTTP" };
            var maxCapture = new Option<uint>("--max-capture-bytes") { Description = $"Bytes captured per syscall; the rest is counted and flagged truncated (default {CaptureDefaults.MaxCaptureBytes})", DefaultValueFactory = _ => CaptureDefaults.MaxCaptureBytes };
            var ring = new Option<uint>("--ring-buffer-mb") { Description = "Kernel ring buffer size in MiB, a power of two (default 16)", DefaultValueFactory = _ => 16 };
            var overwrite = new Option<bool>("--overwrite") { Description = "Replace the output file if it exists" };
            var noTls = new Option<bool>("--no-tls") { Description = "Do not probe TLS libraries (plaintext sockets only)" };
            var pcapng = new Option<string?>("--pcapng") { Description = "Also write a pcapng file for Wireshark: recorded bytes as synthetic packets naming their process, and the real TCP packets" };
            var noRedact = new Option<bool>("--no-redact") { Description = "Store credentials as they were sent (only for traffic that is yours: the recorder sees every process)" };
            var redactHeader = new Option<string[]>("--redact-header") { Description = "Also replace this header field's values by a keyed hash; repeatable", AllowMultipleArgumentsPerToken = false };
            var redactQuery = new Option<string[]>("--redact-query") { Description = "Also replace this query parameter's values by a keyed hash; repeatable", AllowMultipleArgumentsPerToken = false };
            var redactKey = new Option<string?>("--redact-key") { Description = "Key the hash with this file's bytes (at least 16) so that recordings made with it can be joined; default: a random key, never stored" };
            var allow = new Option<string[]>("--allow") { Description = "Keep only exchanges matching this pattern ([METHOD ]host/path glob); repeatable", AllowMultipleArgumentsPerToken = false };
            var deny = new Option<string[]>("--deny") { Description = "Keep out exchanges matching this pattern ([METHOD ]host/path glob): no bytes of HTTP/1 ones, no body of HTTP/2 ones; repeatable", AllowMultipleArgumentsPerToken = false };
            var tlsBinary = new Option<string[]>("--tls-binary") { Description = "Also probe this executable's own TLS library (OpenSSL/BoringSSL linked in); repeatable", AllowMultipleArgumentsPerToken = false };

            var root = new RootCommand("Record every HTTP exchange made or served on this host, HTTPS in plaintext included, into a SQLite file, with eBPF (needs root).")
            {
                output, duration, pid, comm, port, allTcp, maxCapture, ring, overwrite, noTls, pcapng, tlsBinary,
                noRedact, redactHeader, redactQuery, redactKey, allow, deny,
            };
            root.SetAction(parsed =>
            {
                TimeSpan? limit = null;
                if (parsed.GetValue(duration) is { } text)
                {
                    if (!DurationParser.TryParse(text, out var d, out var error)) return Fail(error!);
                    limit = d;
                }
                var outputPath = parsed.GetValue(output)!;
                if (NotAFileName("-o", outputPath, "run.db") is { } badOutput) return Fail(badOutput);
                var pcapngPath = parsed.GetValue(pcapng);
                if (pcapngPath is not null)
                {
                    if (NotAFileName("--pcapng", pcapngPath, "run.pcapng") is { } badPcapng) return Fail(badPcapng);
                    if (Path.GetFullPath(pcapngPath) == Path.GetFullPath(outputPath)) return Fail($"-o and --pcapng are the same file ({outputPath}): give each its own");
                }
                // 0 is no process and no port: taken as "no filter" it would record the whole host while seeming to filter.
                if (parsed.GetValue(pid) == 0) return Fail("--pid 0 names no process: give a process id (see pgrep), or leave --pid out to record every process");
                if (parsed.GetValue(port) == 0) return Fail("--port 0 names no port: give a port from 1 to 65535, or leave --port out to record every port");
                var commValue = parsed.GetValue(comm);
                if (commValue is { Length: 0 or > 15 }) return Fail($"--comm '{commValue}' must be 1 to 15 characters (the kernel keeps at most 15)");
                var capture = parsed.GetValue(maxCapture);
                if (capture < 1 || capture > CaptureDefaults.MaxCaptureBytesLimit)
                    return Fail($"--max-capture-bytes must be between 1 and {CaptureDefaults.MaxCaptureBytesLimit}");
                var ringMb = parsed.GetValue(ring);
                if (ringMb == 0 || (ringMb & (ringMb - 1)) != 0 || ringMb > 1024) return Fail("--ring-buffer-mb must be a power of two between 1 and 1024");

                var binaries = parsed.GetValue(tlsBinary) ?? [];
                if (binaries.FirstOrDefault(b => !File.Exists(b)) is { } absent) return Fail($"--tls-binary {absent}: no such file");

                RedactionPolicy? redaction = null;
                if (!parsed.GetValue(noRedact))
                {
                    byte[]? key = null;
                    if (parsed.GetValue(redactKey) is { } keyFile)
                    {
                        if (!File.Exists(keyFile)) return Fail($"--redact-key {keyFile}: no such file");
                        try { key = File.ReadAllBytes(keyFile); }
                        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Fail($"--redact-key {keyFile}: {e.Message}"); }
                        if (key.Length < 16) return Fail($"--redact-key {keyFile}: the key must be at least 16 bytes (e.g. head -c 32 /dev/urandom > {keyFile})");
                    }
                    redaction = new RedactionPolicy(parsed.GetValue(redactHeader) ?? [], parsed.GetValue(redactQuery) ?? [], key);
                }
                else if (parsed.GetValue(redactHeader) is { Length: > 0 } || parsed.GetValue(redactQuery) is { Length: > 0 } || parsed.GetValue(redactKey) is not null)
                    return Fail("--no-redact cannot be combined with --redact-header, --redact-query or --redact-key");
                var exchanges = new ExchangePolicy(parsed.GetValue(allow) ?? [], parsed.GetValue(deny) ?? []);
                if ((parsed.GetValue(allow) ?? []).Concat(parsed.GetValue(deny) ?? []).FirstOrDefault(p => !p.Contains('/')) is { } bad)
                    return Fail($"pattern '{bad}' has no '/': write host/path, e.g. '*/health' or 'GET api.example.com/v1/*'");
                if (!exchanges.IsEmpty)
                {
                    redaction ??= new RedactionPolicy([], [], null, redact: false);
                    redaction.Exchanges = exchanges;
                }
                var settings = new RecordSettings(outputPath, limit, parsed.GetValue(pid), commValue, parsed.GetValue(port),
                    parsed.GetValue(allTcp), capture, ringMb, parsed.GetValue(overwrite), parsed.GetValue(noTls), args)
                    { PcapngPath = pcapngPath, TlsBinaries = binaries.Select(Path.GetFullPath).ToList(), Redaction = redaction };
                using var stop = new CancellationTokenSource();
                using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
                using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
                return new Recording(settings, Console.Error).Run(stop.Token);
            });

            var result = root.Parse(args);
            if (result.Errors.Count > 0) return Fail(global::Capture.Common.ParseErrorText.Describe(result.Errors[0]) + " (see --help)");
            try
            {
                return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"record: unexpected failure: {e.GetType().Name}: {e.Message} (set CAPTURE_DEBUG=1 for details)");
                if (Environment.GetEnvironmentVariable("CAPTURE_DEBUG") == "1") Console.Error.WriteLine(e);
                return Recording.ExitFailed;
            }
        }

        /// <summary>Why <paramref name="path"/>, given to <paramref name="option"/>, names no file to write; null when it does.</summary>
        private static string? NotAFileName(string option, string path, string example) =>
            string.IsNullOrWhiteSpace(path) ? $"{option} needs a file name"
            : Directory.Exists(path) ? $"{option} {path} is a directory: give a file name in it, e.g. {Path.Combine(path, example)}"
            : null;

        private static int Fail(string message)
        {
            Console.Error.WriteLine($"record: {message}");
            return Recording.ExitUsage;
        }
    }

    internal static class CaptureDefaults
    {
        public const uint MaxCaptureBytes = Interop.CaptureAbi.DefaultCaptureBytes;
        // The kernel's copy loop runs at most MaxLoopSteps steps of up to one chunk each.
        public const uint MaxCaptureBytesLimit = (Interop.CaptureAbi.MaxLoopSteps / 2) * Interop.CaptureAbi.ChunkBytes;
    }
}
