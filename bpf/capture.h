/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The single truth for every struct that crosses from the kernel to user
 * space. src/Recorder/Interop/CaptureAbi.cs mirrors each one field by field,
 * and tests/Capture.Tests/Abi/BtfLayoutTests.cs compares every offset with
 * the BTF of the built capture.bpf.o — change both sides together. The enums
 * are mirrored too; BtfEnumTests compares every value the same way.
 *
 * Layout rules: fixed-width types only, explicit padding, attributes first and
 * payload last, _Static_assert on every size. Enums name their one-byte
 * underlying type (a clang extension, standard in C23) so that the fields can
 * carry the enum's type: that is what puts the enums into the object's BTF,
 * where the tests read them.
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#define CAPTURE_COMM_LEN 16
/* Largest payload one data event carries; bigger calls are split into several
 * events with consecutive stream positions. Must be a power of two. */
#define CAPTURE_CHUNK_BYTES 16384
/* Upper bound for max_capture_bytes: the chunking loop runs at most this many steps. */
#define CAPTURE_MAX_LOOP_STEPS 128
#define CAPTURE_DEFAULT_CAPTURE_BYTES (256 * 1024)
/* Bytes of an executed file's name kept in exec events (longer names are cut). */
#define CAPTURE_PATH_LEN 256

enum capture_event_kind : __u8 {
	EVENT_DATA = 1,
	EVENT_CONN_OPEN = 2,
	EVENT_CONN_CLOSE = 3,
	EVENT_EXEC = 4, /* struct exec_event: a process started a new program */
	EVENT_TLS_BIND = 5, /* struct tls_bind_event: names the connection of a thread's held TLS writes */
};

/* Direction as seen by the traced process. */
enum capture_direction : __u8 {
	DIRECTION_EGRESS = 0,  /* the process wrote these bytes */
	DIRECTION_INGRESS = 1, /* the process read these bytes */
};

enum capture_role : __u8 {
	ROLE_UNKNOWN = 0, /* connection predates the recording; the Analyzer infers it */
	ROLE_CLIENT = 1,  /* the process called connect() */
	ROLE_SERVER = 2,  /* the process accept()ed it */
};

/* Which syscall moved the bytes (data events) or why a connection event fired. */
enum capture_source : __u8 {
	SOURCE_READ = 1,
	SOURCE_WRITE = 2,
	SOURCE_READV = 3,
	SOURCE_WRITEV = 4,
	SOURCE_RECVFROM = 5,
	SOURCE_SENDTO = 6,
	SOURCE_RECVMSG = 7,
	SOURCE_SENDMSG = 8,
	SOURCE_SENDFILE = 9, /* bytes counted, never captured: they come from a file */
	SOURCE_CONNECT = 20,
	SOURCE_ACCEPT = 21,
	SOURCE_FIRST_SEEN = 22, /* open before recording began: found on its first I/O */
	SOURCE_HANDSHAKE = 23,  /* seen in the TCP handshake, no syscall attributed it */
	SOURCE_CLOSE = 24,      /* the process called close() on its fd */
	SOURCE_TCP_CLOSE = 25,  /* the socket reached TCP_CLOSE */
	SOURCE_TLS_READ = 30,   /* plaintext returned by a TLS library's read */
	SOURCE_TLS_WRITE = 31,  /* plaintext handed to a TLS library's write */
};

/* Which TLS library produced a plaintext event (the uprobe's attach cookie). */
enum capture_tls_library : __u8 {
	TLS_NONE = 0,
	TLS_OPENSSL = 1,
	TLS_GNUTLS = 2,
	TLS_NSS = 3,
};

/* How a TLS call was tied to its socket; recorded per connection. */
enum capture_tls_attribution : __u8 {
	ATTRIBUTION_NONE = 0,
	ATTRIBUTION_SYSCALL = 1, /* the library moved bytes on the socket during the call */
	ATTRIBUTION_SET_FD = 2,  /* SSL_set_fd named the socket */
	ATTRIBUTION_CACHE = 3,   /* an earlier call on the same TLS object did */
	ATTRIBUTION_THREAD = 4,  /* memory-BIO libraries (.NET, node), a read before any write: the socket this thread read last */
	ATTRIBUTION_NEXT_WRITE = 5, /* memory-BIO libraries: the socket this thread wrote next, after the library's write */
};

/* Bits of data_event.flags, stored as chunks.flags. The recorder adds bit 4 of its own
 * (src/Recorder/Redaction/ChunkFlags.cs): that value is the kernel's never to use. */
enum capture_data_flags : __u8 {
	DATA_FLAG_TRUNCATED = 1, /* the call moved more bytes than were captured */
	DATA_FLAG_UNREADABLE = 2, /* bpf_probe_read_user failed: the payload bytes are zeros */
	/* Set with TRUNCATED: the ring buffer was more than three quarters full, so only the
	 * call's first CAPTURE_SHED_KEPT_BYTES were captured (capture.bpf.c, shed_limit). */
	DATA_FLAG_SHED = 8
};

/* What a call keeps while the ring buffer is nearly full: most HTTP heads. */
#define CAPTURE_SHED_KEPT_BYTES 1024

/* Addresses in network byte order; ports in host byte order. IPv4 addresses
 * use the first 4 bytes of the 16-byte fields. */
struct conn_tuple {
	__u8 local_addr[16];
	__u8 remote_addr[16];
	__u16 local_port;
	__u16 remote_port;
	__u16 family; /* AF_INET (2) or AF_INET6 (10) */
	__u16 _pad;
};
_Static_assert(sizeof(struct conn_tuple) == 40, "conn_tuple size");

struct event_header {
	__u64 timestamp_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 conn_id;      /* stable for the life of the socket, unique within a run */
	__u32 pid;          /* thread group id */
	__u32 tid;
	__s32 fd;
	enum capture_event_kind kind;
	enum capture_source source;
	enum capture_role role;
	__u8 _pad;
	char comm[CAPTURE_COMM_LEN];
	struct conn_tuple tuple;
};
_Static_assert(sizeof(struct event_header) == 88, "event_header size");

struct data_event {
	struct event_header header;
	__u64 stream_pos;  /* offset of data[0] in this direction's byte stream */
	__u64 call_bytes;  /* bytes the whole syscall moved (its return value) */
	__u32 data_len;    /* bytes of data[] in this event */
	enum capture_direction direction;
	enum capture_data_flags flags; /* bits of it */
	enum capture_tls_library tls_library; /* TLS_NONE for socket bytes */
	__u8 _pad;
	__u8 data[CAPTURE_CHUNK_BYTES]; /* only the first data_len bytes are sent */
};
_Static_assert(sizeof(struct data_event) == 88 + 24 + CAPTURE_CHUNK_BYTES, "data_event size");

struct conn_event {
	struct event_header header;
	__u64 bytes_sent;     /* stream positions when the event fired */
	__u64 bytes_received;
	__u8 mid_stream;      /* 1: bytes flowed before we saw the connection */
	enum capture_tls_library tls_library; /* of its plaintext, if any */
	enum capture_tls_attribution tls_attribution;
	/* A TCP_CLOSE's: 1 when bytes the program has not read yet are still queued. Its reads of them come
	 * after this event, and belong to the connection as much as those before it. */
	__u8 unread_at_tcp_close;
	__u8 _pad[4];
};
_Static_assert(sizeof(struct conn_event) == 88 + 24, "conn_event size");

/* A memory-BIO library (node, .NET) encrypts into memory: its write returns before the program
 * writes the ciphertext to a socket, and the plaintext buffer may be reused by then. So such a
 * write whose TLS object has no socket known for sure is sent at once as data events with
 * header.conn_id 0 ("held"), their stream_pos counted from 0 over the thread's held writes; the
 * thread's next socket write names their connection with this event. header: that connection's,
 * from the thread that held them (conn_id 0: drop them, no socket write followed in time, or the
 * connection is not recorded). */
struct tls_bind_event {
	struct event_header header;
	__u64 stream_pos; /* where the held writes begin in the connection's TLS egress stream */
	__u64 bytes;      /* how many bytes they are */
};
_Static_assert(sizeof(struct tls_bind_event) == 88 + 16, "tls_bind_event size");

/* sched:sched_process_exec. The recorder checks the new program for a TLS library
 * linked into it (node) and attaches its uprobes, ideally before the first TLS call;
 * header.timestamp_ns is when the exec happened, to measure how long that took.
 * header.conn_id is 0, header.fd -1 and header.tuple zero: no connection yet. */
struct exec_event {
	struct event_header header;
	char filename[CAPTURE_PATH_LEN]; /* as passed to execve, in the process's mount namespace */
};
_Static_assert(sizeof(struct exec_event) == 88 + CAPTURE_PATH_LEN, "exec_event size");

/* Settings written into .rodata before load (const volatile in the program). */
struct capture_config {
	__u32 max_capture_bytes; /* per syscall; the rest is counted, not copied */
	__u32 filter_pid;        /* 0: every process */
	__u32 self_pid;          /* the recorder itself, never traced */
	__u16 filter_port;       /* 0: every port; else local or remote port */
	__u8 capture_all_tcp;    /* 1: skip the HTTP check, send every TCP byte */
	__u8 filter_comm_set;    /* 1: only processes whose comm equals filter_comm */
	char filter_comm[CAPTURE_COMM_LEN];
	__u32 ring_bytes;        /* the events ring's size, as the Recorder set it before load */
};
_Static_assert(sizeof(struct capture_config) == 36, "capture_config size");

#endif /* CAPTURE_H */
