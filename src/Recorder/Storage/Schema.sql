-- Capture recording, schema version 2 (PRAGMA user_version = 2; version 1 had no chunks.calls).
-- The contract between the Recorder (writes) and the Analyzer (reads); documented in docs/schema.md.
PRAGMA user_version = 2;

-- The run manifest: one row per key (start/end time, host, kernel, arguments, cap, clock offset, totals).
CREATE TABLE run_info (
    key   TEXT PRIMARY KEY,
    value TEXT
);

-- Every probe the Recorder tried, and what came of it.
CREATE TABLE probes (
    name    TEXT PRIMARY KEY,  -- BPF program name, e.g. on_sys_exit
    kind    TEXT NOT NULL,     -- tp_btf | tracepoint | uprobe | uretprobe
    target  TEXT NOT NULL,     -- e.g. sys_exit, sock/inet_sock_set_state, libssl path:SSL_read
    status  TEXT NOT NULL,     -- attached | missing | failed
    detail  TEXT
);

CREATE TABLE processes (
    pid           INTEGER PRIMARY KEY,
    comm          TEXT NOT NULL,        -- empty only on a row a TCP_CLOSE made (no process at hand) whose pid no event named
    cmdline       TEXT,   -- NUL-separated argv joined by spaces; NULL when the process was gone
    exe           TEXT,
    first_seen_ns INTEGER NOT NULL
);

CREATE TABLE connections (
    id            INTEGER PRIMARY KEY,  -- the kernel's conn_id, unique within the run
    pid           INTEGER NOT NULL,     -- process that opened it (or first moved bytes on it)
    tid           INTEGER NOT NULL,
    comm          TEXT NOT NULL,        -- empty only on a row a TCP_CLOSE made (no process at hand) whose pid no event named
    fd            INTEGER NOT NULL,
    role          TEXT NOT NULL,        -- client | server | unknown
    opened_by     TEXT NOT NULL,        -- connect | accept | handshake | first_seen | close (known only by its close: open and bytes dropped)
    family        INTEGER NOT NULL,     -- 4 or 6
    local_addr    TEXT NOT NULL,
    local_port    INTEGER NOT NULL,
    remote_addr   TEXT NOT NULL,
    remote_port   INTEGER NOT NULL,
    mid_stream    INTEGER NOT NULL,     -- 1: bytes flowed before recording saw it (first_seen: known from its close)
    opened_ns     INTEGER NOT NULL,     -- CLOCK_MONOTONIC (opened_by close: its first close's, = closed_ns)
    closed_ns     INTEGER,
    bytes_sent    INTEGER,              -- totals known at close
    bytes_received INTEGER,
    tls_library   TEXT,                 -- openssl | gnutls | nss when the kernel saw a TLS library move its plaintext, else NULL
    tls_attribution TEXT                -- syscall | set_fd | cache | next_write | thread: how TLS calls were tied to this socket (first_seen, close: as its close said)
);

-- Payload as the process moved it: one row per call (a syscall larger than 16 KiB spans several rows), or one row for a
-- run of whole calls that followed each other on one stream, made by one thread and fd, listed in calls.
CREATE TABLE chunks (
    id          INTEGER PRIMARY KEY,
    conn_id     INTEGER NOT NULL,
    ts_ns       INTEGER NOT NULL,   -- CLOCK_MONOTONIC: ingress when the call returned, egress when it began (a run: its first call)
    pid         INTEGER NOT NULL,
    tid         INTEGER NOT NULL,
    fd          INTEGER NOT NULL,
    direction   INTEGER NOT NULL,   -- 0 egress (the process wrote), 1 ingress (the process read)
    stream_pos  INTEGER NOT NULL,   -- offset of data's first byte in this direction's stream
    call_bytes  INTEGER NOT NULL,   -- bytes the whole syscall moved (a run: its calls' bytes, = data_len)
    data_len    INTEGER NOT NULL,   -- bytes captured in data
    flags       INTEGER NOT NULL,   -- 1 truncated (call exceeded the cap), 2 unreadable, 4 elided by --allow/--deny (data empty, call_bytes counts it)
    source      TEXT NOT NULL,      -- read | write | readv | writev | recvfrom | sendto | recvmsg | sendmsg | sendfile | tls_read | tls_write
    tls         INTEGER NOT NULL,   -- 1: plaintext from a TLS library (its own stream positions), 0: socket bytes
    data        BLOB NOT NULL,
    calls       BLOB                -- NULL: one call; a run: per call in order, 12 bytes little-endian, int64 ts_ns, int32 bytes
);
-- Built when the recording ends, not on every insert; the Analyzer builds it for a recording whose recorder was killed.
CREATE INDEX chunks_by_stream ON chunks(conn_id, tls, direction, stream_pos);

-- HTTP/2 streams --allow/--deny kept out. Their DATA frames are elided (chunks flag 4); their header blocks stay,
-- because every later header block of the connection is decoded against the HPACK state they changed. The
-- Analyzer leaves these streams out of every answer.
CREATE TABLE denied_streams (
    conn_id   INTEGER NOT NULL,
    tls       INTEGER NOT NULL,     -- which of the connection's streams carries the HTTP/2: 1 TLS plaintext, 0 socket bytes
    stream_id INTEGER NOT NULL,
    PRIMARY KEY (conn_id, tls, stream_id)
);

-- Events the kernel's ring buffer could not take, per one-second window. Never silent.
CREATE TABLE drops (
    window_start_ns INTEGER NOT NULL,
    window_end_ns   INTEGER NOT NULL,
    kernel_drops    INTEGER NOT NULL
);
