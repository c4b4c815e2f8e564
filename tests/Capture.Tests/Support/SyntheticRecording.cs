using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Support;

/// <summary>
/// A schema-v1 recording written directly (with the Recorder's own Schema.sql), for analyzer tests whose
/// input must be exact and repeatable: chosen bytes, chosen times, chosen processes. Times are given in ms
/// from the start of the run; the wall clock of ms 0 is 2026-01-02T03:04:05Z.
/// </summary>
internal sealed class SyntheticRecording
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private const long StartNs = 1_000_000_000;
    private readonly SqliteConnection _db;
    private long _nextConnection = 1;

    public string Path { get; }

    public SyntheticRecording(string path)
    {
        Path = path;
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        _db.Execute(File.ReadAllText(System.IO.Path.Combine(Repo.Root, "src/Recorder/Storage/Schema.sql")));
        long offset = Epoch.ToUnixTimeMilliseconds() * 1_000_000 - StartNs;
        foreach (var (key, value) in new[] { ("started_at", Epoch.ToString("O")), ("monotonic_to_wall_offset_ns", offset.ToString()), ("host", "test") })
            _db.Execute("INSERT INTO run_info(key, value) VALUES (@key, @value)", new { key, value });
    }

    /// <summary>A run_info entry, as the recorder writes its settings (redaction, redacted_headers…).</summary>
    public SyntheticRecording Info(string key, string value)
    {
        _db.Execute("INSERT OR REPLACE INTO run_info(key, value) VALUES (@key, @value)", new { key, value });
        return this;
    }

    /// <summary>A window in which the kernel's ring buffer dropped <paramref name="count"/> events.</summary>
    public SyntheticRecording Drops(double fromMs, double toMs, long count)
    {
        _db.Execute("INSERT INTO drops(window_start_ns, window_end_ns, kernel_drops) VALUES (@from, @to, @count)", new { from = Ns(fromMs), to = Ns(toMs), count });
        return this;
    }

    public static long Ns(double ms) => StartNs + (long)Math.Round(ms * 1_000_000);

    /// <summary>A connection of process <paramref name="comm"/>[<paramref name="pid"/>]. Its role says which end it
    /// is, unless the role is "unknown" (a connection older than the recording): then <paramref name="serving"/> does.</summary>
    public Conn Connection(string comm, int pid, string role, string local, string remote, double openedMs = 0,
        string? tlsLibrary = null, bool midStream = false, bool serving = false)
    {
        long id = _nextConnection++;
        var (localAddr, localPort) = Split(local);
        var (remoteAddr, remotePort) = Split(remote);
        _db.Execute("INSERT OR IGNORE INTO processes(pid, comm, first_seen_ns) VALUES (@pid, @comm, @ns)", new { pid, comm, ns = Ns(openedMs) });
        _db.Execute("""
            INSERT INTO connections(id, pid, tid, comm, fd, role, opened_by, family, local_addr, local_port, remote_addr, remote_port,
                                    mid_stream, opened_ns, tls_library, tls_attribution)
            VALUES (@id, @pid, @pid, @comm, 3, @role, @openedBy, @family, @localAddr, @localPort, @remoteAddr, @remotePort, @mid, @opened, @tlsLibrary, @attribution)
            """, new
        {
            id, pid, comm, role, openedBy = role == "client" ? "connect" : role == "server" ? "accept" : "first_seen",
            family = localAddr.Contains(':') ? 6 : 4, localAddr, localPort, remoteAddr, remotePort, mid = midStream ? 1 : 0,
            opened = Ns(openedMs), tlsLibrary, attribution = tlsLibrary is null ? null : "syscall",
        });
        return new Conn(this, id, pid, role == "server" || serving, tlsLibrary is not null);
    }

    private static (string Addr, int Port) Split(string endpoint)
    {
        int colon = endpoint.LastIndexOf(':');
        return (endpoint[..colon].Trim('[', ']'), int.Parse(endpoint[(colon + 1)..]));
    }

    /// <summary>One connection; "client sends" is egress on a client's connection and ingress on a server's.</summary>
    internal sealed class Conn(SyntheticRecording owner, long id, int pid, bool isServer, bool tls)
    {
        private readonly long[] _position = new long[2];
        private Conn? _socket;
        private int _mover = pid;
        public long Id => id;

        /// <summary>The calls from here on are made by another process: a forking server's child serving what its parent
        /// accepted, or a process the fd was passed to. With <paramref name="comm"/>, that process is filed under it, as
        /// the recorder files every pid it sees.</summary>
        public Conn MovedBy(int childPid, string? comm = null)
        {
            _mover = childPid;
            if (comm is not null)
                owner._db.Execute("INSERT OR IGNORE INTO processes(pid, comm, first_seen_ns) VALUES (@childPid, @comm, 0)", new { childPid, comm });
            return this;
        }

        /// <summary>A TLS connection's socket bytes (chunks with tls = 0), a stream of their own beside the plaintext: what
        /// it said before the handshake (a CONNECT to a proxy), then the TLS records.</summary>
        public Conn Socket => _socket ??= new Conn(owner, id, pid, isServer, tls: false);

        public Conn ClientSends(double atMs, string text) => ClientSends(atMs, Encoding.Latin1.GetBytes(text));
        public Conn ServerSends(double atMs, string text) => ServerSends(atMs, Encoding.Latin1.GetBytes(text));
        public Conn ClientSends(double atMs, byte[] bytes) => Chunk(isServer ? 1 : 0, atMs, bytes);
        public Conn ServerSends(double atMs, byte[] bytes) => Chunk(isServer ? 0 : 1, atMs, bytes);

        /// <summary>One call the per-call cap cut (chunks flag 1): it moved all of <paramref name="bytes"/>, only their first
        /// <paramref name="captured"/> were stored.</summary>
        public Conn ServerSendsCapped(double atMs, byte[] bytes, int captured) =>
            Insert(isServer ? 0 : 1, atMs, bytes[..captured], bytes.Length, flags: 1);
        public Conn ClientSendsCapped(double atMs, byte[] bytes, int captured) =>
            Insert(isServer ? 1 : 0, atMs, bytes[..captured], bytes.Length, flags: 1);

        /// <summary>Bytes the capture lost (a ring-buffer drop): the stream position moves on, nothing is stored.</summary>
        public Conn ClientLoses(int count) { _position[isServer ? 1 : 0] += count; return this; }
        public Conn ServerLoses(int count) { _position[isServer ? 0 : 1] += count; return this; }

        /// <summary>Bytes the recorder's --allow/--deny kept out: stored as a count (chunks flag 4), not as bytes.</summary>
        public Conn ClientElides(double atMs, int count) => Elided(isServer ? 1 : 0, atMs, count);
        public Conn ServerElides(double atMs, int count) => Elided(isServer ? 0 : 1, atMs, count);

        /// <summary>An HTTP/2 stream the recorder's --allow/--deny kept out (the denied_streams table).</summary>
        public Conn DenyStream(int streamId)
        {
            owner._db.Execute("INSERT INTO denied_streams(conn_id, tls, stream_id) VALUES (@id, @tls, @streamId)", new { id, tls = tls ? 1 : 0, streamId });
            return this;
        }

        public void Close(double atMs) => owner._db.Execute("UPDATE connections SET closed_ns = @ns WHERE id = @id", new { ns = Ns(atMs), id });

        /// <summary>Closed, with the kernel's byte counts at the close as the recorder stores them: every byte sent and
        /// received so far, those lost (ClientLoses/ServerLoses) included.</summary>
        public void CloseCounting(double atMs) => owner._db.Execute(
            "UPDATE connections SET closed_ns = @ns, bytes_sent = @sent, bytes_received = @received WHERE id = @id",
            new { ns = Ns(atMs), sent = _position[0], received = _position[1], id });

        private Conn Chunk(int direction, double atMs, byte[] bytes) => Insert(direction, atMs, bytes, bytes.Length, flags: 0);

        /// <summary>An elided chunk (flag 4): no data, call_bytes counting what was kept out.</summary>
        private Conn Elided(int direction, double atMs, int count) => Insert(direction, atMs, [], count, flags: 4);

        private Conn Insert(int direction, double atMs, byte[] bytes, int callBytes, int flags)
        {
            owner._db.Execute("""
                INSERT INTO chunks(conn_id, ts_ns, pid, tid, fd, direction, stream_pos, call_bytes, data_len, flags, source, tls, data)
                VALUES (@id, @ts, @pid, @pid, 3, @direction, @pos, @callBytes, @len, @flags, @source, @tls, @bytes)
                """, new
            {
                id, ts = Ns(atMs), pid = _mover, direction, pos = _position[direction], callBytes, len = bytes.Length, flags,
                source = tls ? (direction == 0 ? "tls_write" : "tls_read") : (direction == 0 ? "write" : "read"), tls = tls ? 1 : 0, bytes,
            });
            _position[direction] += callBytes;
            return this;
        }
    }

    /// <summary>Finishes the file so the Analyzer can open it read-only.</summary>
    public string Save()
    {
        _db.Execute("PRAGMA journal_mode = DELETE");
        _db.Dispose();
        return Path;
    }
}
