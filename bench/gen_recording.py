#!/usr/bin/python3
"""Writes a schema-v1 recording with N exchanges for the analyzer benchmark, using the Recorder's own
Schema.sql: HTTP/1.1 keep-alive connections (10 exchanges each) or HTTP/2 prior-knowledge connections
(100 streams each, HPACK with the dynamic table), client side, 20 endpoints with ids in their paths,
5% errors, chunks as syscalls would cut them.

Usage: gen_recording.py OUT.db N http1|h2
"""
import sqlite3
import sys

SCHEMA = "src/Recorder/Storage/Schema.sql"
START = 1_000_000_000


def hpack_literal_incremental(name, value):
    # RFC 7541 §6.2.1, new name, no Huffman; lengths < 127 here.
    return bytes([0x40, len(name)]) + name + bytes([len(value)]) + value


def frame(kind, flags, stream, payload):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


def main():
    path, total, protocol = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    db = sqlite3.connect(path)
    db.executescript(open(SCHEMA).read())
    db.execute("INSERT INTO run_info VALUES ('monotonic_to_wall_offset_ns', '1767225600000000000')")
    per_conn = 10 if protocol == "http1" else 100
    chunks = []
    conn_id = 0
    t = START
    made = 0
    while made < total:
        conn_id += 1
        db.execute("INSERT INTO connections(id, pid, tid, comm, fd, role, opened_by, family, local_addr, local_port, remote_addr,"
                   " remote_port, mid_stream, opened_ns) VALUES (?, 100, 100, 'client', 3, 'client', 'connect', 4, '127.0.0.1', ?,"
                   " '127.0.0.1', 80, 0, ?)", (conn_id, 10000 + conn_id % 50000, t))
        pos = [0, 0]

        def add(direction, data):
            chunks.append((conn_id, t, direction, pos[direction], len(data), data))
            pos[direction] += len(data)

        if protocol == "h2":
            add(0, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b""))
            add(1, frame(4, 0, 0, b""))
        n = min(per_conn, total - made)
        for i in range(n):
            k = made + i
            endpoint = k % 20
            path = b"/api/v1/items%d/%d" % (endpoint, k)
            status = b"500" if k % 20 == 7 else b"200"
            body = b'{"ok":true}'
            if protocol == "http1":
                add(0, b"GET " + path + b" HTTP/1.1\r\nHost: bench.test\r\nUser-Agent: gen\r\n\r\n")
                t += 200_000 + (k % 97) * 10_000
                add(1, b"HTTP/1.1 " + status + b" OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n" + body)
            else:
                stream = 2 * i + 1
                block = (bytes([0x82, 0x86]) + hpack_literal_incremental(b":path", path) +
                         hpack_literal_incremental(b":authority", b"bench.test"))
                add(0, frame(1, 0x5, stream, block))
                t += 200_000 + (k % 97) * 10_000
                response = hpack_literal_incremental(b":status", status) + hpack_literal_incremental(b"content-type", b"application/json")
                add(1, frame(1, 0x4, stream, response) + frame(0, 0x1, stream, body))
            t += 50_000
        made += n
        if len(chunks) > 50_000:
            flush(db, chunks)
    flush(db, chunks)
    db.commit()
    db.close()


def flush(db, chunks):
    db.executemany("INSERT INTO chunks(conn_id, ts_ns, pid, tid, fd, direction, stream_pos, call_bytes, data_len, flags, source, tls, data)"
                   " VALUES (?, ?, 100, 100, 3, ?, ?, ?, ?, 0, 'write', 0, ?)",
                   [(c, ts, d, p, n, n, data) for (c, ts, d, p, n, data) in chunks])
    chunks.clear()


if __name__ == "__main__":
    main()
