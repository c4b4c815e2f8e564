/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plaintext of TLS libraries, from uprobes on their read/write functions.
 * Included by capture.bpf.c: it shares that file's maps and helpers.
 *
 * The library functions all have the shape f(object, buffer, length):
 * OpenSSL SSL_read/SSL_write, GnuTLS gnutls_record_recv/gnutls_record_send
 * (and SSL_read_ex/SSL_write_ex with a fourth out-parameter for the count).
 * The attach cookie says which library a probe sits in.
 *
 * Attribution without struct offsets: while the library call runs, the
 * library reads or writes its socket on the same thread; io_enter sees that
 * syscall and records its socket in the pending call (note_tls_socket).
 * Reads served from the library's buffer make no syscall, so each TLS
 * object remembers its socket (tls_sockets), and SSL_set_fd names it up front.
 * Memory-BIO libraries (node, .NET) touch no socket in the call: their writes
 * are held until the thread's next socket write (hold_tls_write), and their
 * reads use the socket their TLS object wrote to, or the thread read last.
 */
#ifndef TLS_PROBES_H
#define TLS_PROBES_H

struct tls_object_key {
	__u64 tls_object;
	__u32 pid; /* TLS objects are user pointers: only unique within a process */
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct tls_object_key);
	__type(value, struct tls_socket);
} tls_sockets SEC(".maps");

/* Sends a TLS call's plaintext once its socket is known. */
static __always_inline int emit_tls(struct tls_call *call, long moved, __u8 direction, __u8 attribution)
{
	struct sock *sk = (struct sock *)call->sk;
	struct conn_state *st = conn_of(call->sk, ROLE_UNKNOWN, SOURCE_FIRST_SEEN, true);
	if (!st)
		return 0;
	if (!st->tls_attribution || attribution == ATTRIBUTION_SYSCALL)
		st->tls_attribution = attribution;
	st->tls_library = call->library;
	__u64 start = __sync_fetch_and_add(&st->tls_stream_pos[direction & 1], (__u64)moved);
	if (!port_matches(st, sk))
		return 0;
	struct io_call io = {
		.entered_ns = call->entered_ns,
		.sk = call->sk,
		.buf = call->buf,
		.fd = call->fd,
		.source = direction == DIRECTION_EGRESS ? SOURCE_TLS_WRITE : SOURCE_TLS_READ,
	};
	if (!wants_bytes(&st->tls_verdict, &io, moved, direction))
		return 0;
	announce_conn(st, sk, call->fd);
	emit_data(&io, st, sk, direction, start, moved, call->library);
	return 0;
}

/* Waiting at most this long for the socket write that follows a memory-BIO write. */
#define HELD_TLS_WRITES_MAX_NS (100 * 1000 * 1000ULL)

/* The stand-in connection of held TLS writes: conn_id 0, no addresses. */
struct conn_state held_writes_conn = { .tuple_known = 1 };

/* Names the connection of the thread's held TLS writes: the socket it writes now carries their
 * ciphertext (node and .NET write it right after the library's write returns). conn_id 0 in the
 * event drops them: too old to be this write's, or a connection that is not recorded. */
static __always_inline void bind_held_tls_writes(struct thread_state *ts, __u64 pid_tgid, struct sock *sk, int fd)
{
	struct held_tls_writes *held = &ts->held_writes;
	__u64 bytes = held->bytes;
	held->bytes = 0;
	struct tls_bind_event ev = {};
	ev.header.timestamp_ns = bpf_ktime_get_ns();
	ev.header.pid = pid_tgid >> 32;
	ev.header.tid = (__u32)pid_tgid;
	ev.header.fd = fd;
	ev.header.kind = EVENT_TLS_BIND;
	ev.header.source = SOURCE_TLS_WRITE;
	ev.bytes = bytes;
	struct conn_state *st = NULL;
	if (ev.header.timestamp_ns - held->first_entered_ns < HELD_TLS_WRITES_MAX_NS)
		st = conn_of((__u64)sk, ROLE_UNKNOWN, SOURCE_FIRST_SEEN, true);
	bool keep = st && port_matches(st, sk);
	if (keep) {
		struct stream_verdict *verdict = &st->tls_verdict;
		if (verdict->verdict == VERDICT_NOT_HTTP) {
			keep = false;
		} else if (verdict->verdict == VERDICT_UNKNOWN) {
			/* The held writes begin this connection's plaintext: the sniff of their first bytes decides, as
			 * the first call of any stream does. */
			if (held->sniffed.verdict == VERDICT_HTTP)
				verdict->verdict = VERDICT_HTTP;
			else if (!held->looks_like_http)
				keep = false;
		}
	}
	if (keep) {
		struct tls_object_key key = { .tls_object = held->tls_object, .pid = pid_tgid >> 32 };
		struct tls_socket bound = { .sk = (__u64)sk, .fd = fd, .attribution = ATTRIBUTION_NEXT_WRITE };
		bpf_map_update_elem(&tls_sockets, &key, &bound, BPF_ANY);
		if (!st->tls_attribution || st->tls_attribution == ATTRIBUTION_THREAD)
			st->tls_attribution = ATTRIBUTION_NEXT_WRITE;
		st->tls_library = held->library;
		ev.stream_pos = __sync_fetch_and_add(&st->tls_stream_pos[DIRECTION_EGRESS], bytes);
		announce_conn(st, sk, fd);
		fill_header(&ev.header, EVENT_TLS_BIND, SOURCE_TLS_WRITE, st, sk, fd, bpf_ktime_get_ns());
	}
	if (bpf_ringbuf_output(&events, &ev, sizeof(ev), wakeup_flag_for_output(sizeof(ev))))
		count_drop();
}

static __always_inline void note_tls_socket(struct thread_state *ts, __u64 pid_tgid, struct sock *sk, int fd, bool sending)
{
	ts->last_socket.sk = (__u64)sk;
	ts->last_socket.fd = fd;
	ts->last_socket.attribution = ATTRIBUTION_THREAD;
	if (sending && ts->held_writes.bytes)
		bind_held_tls_writes(ts, pid_tgid, sk, fd);
	if (ts->tls.entered_ns && !ts->tls.sk) {
		ts->tls.sk = (__u64)sk;
		ts->tls.fd = fd;
	}
}

/* A memory-BIO library's write whose socket is not known for sure: its plaintext goes out now,
 * held (struct tls_bind_event), before the program can reuse the buffer. */
static __always_inline int hold_tls_write(struct tls_call *call, struct thread_state *ts, long moved)
{
	struct held_tls_writes *held = &ts->held_writes;
	if (!held->bytes) {
		held->first_entered_ns = call->entered_ns;
		held->tls_object = call->tls_object;
		held->library = call->library;
		held->sniffed = (struct stream_verdict){ .sniff_calls_left = 1 };
		held->looks_like_http = sniff_undecided_stream(&held->sniffed, call->buf, 0, moved, DIRECTION_EGRESS);
	}
	struct io_call io = {
		.entered_ns = call->entered_ns,
		.buf = call->buf,
		.fd = -1,
		.source = SOURCE_TLS_WRITE,
	};
	__u64 start = held->bytes;
	held->bytes += moved;
	emit_data(&io, &held_writes_conn, NULL, DIRECTION_EGRESS, start, moved, call->library);
	return 0;
}

/* A remembered socket is still the one at its fd in this process. A TLS object's address is reused
 * once it is freed (node's server allocates one per connection), and so is a socket's: a stale
 * entry once named another process's new socket at the old one's address. */
static __always_inline struct tls_socket *current_tls_socket(struct tls_socket *known)
{
	return known && known->sk && (__u64)tcp_sock_of_fd(known->fd) == known->sk ? known : NULL;
}

/* Remembers a TLS object's socket. Most calls find it already known, and an LRU
 * update costs several times a lookup on the path of every TLS call. */
static __always_inline void remember_tls_socket(struct tls_object_key *key, __u64 sk, int fd, __u8 attribution)
{
	struct tls_socket *known = bpf_map_lookup_elem(&tls_sockets, key);
	if (known && known->sk == sk && known->fd == fd && known->attribution == attribution)
		return;
	struct tls_socket update = { .sk = sk, .fd = fd, .attribution = attribution };
	bpf_map_update_elem(&tls_sockets, key, &update, BPF_ANY);
}

/* A call that moved no plaintext (WANT_READ while the handshake runs) still says
 * which socket its TLS object uses: the one the library touched during the call,
 * or, in a memory-BIO library, the socket this thread used last (node drives
 * the handshake on the thread that just wrote or read that socket, calling
 * SSL_read/SSL_write in between). Knowing it before the first write matters:
 * node's SSL_write returns before its socket write, and by then the plaintext
 * buffer has been reused, so waiting for the socket write loses the request. */
static __always_inline void learn_tls_socket(struct tls_call *call, struct thread_state *ts, __u64 pid_tgid)
{
	struct tls_object_key key = { .tls_object = call->tls_object, .pid = pid_tgid >> 32 };
	if (call->sk) {
		remember_tls_socket(&key, call->sk, call->fd, ATTRIBUTION_SYSCALL);
		return;
	}
	if (call->library == TLS_NSS)
		return; /* NSPR calls also serve files: only a socket touched in the call counts */
	/* A guess is refreshed by the next one: the very first call of a new
	 * connection can come before its first socket I/O, when the thread's last
	 * socket is still the previous connection's. What a syscall named stays. */
	struct tls_socket *known = current_tls_socket(bpf_map_lookup_elem(&tls_sockets, &key));
	if (known && known->attribution != ATTRIBUTION_THREAD)
		return;
	struct tls_socket *last = &ts->last_socket;
	if (!last->sk || !bpf_map_lookup_elem(&conns, &last->sk))
		return;
	if (known && known->sk == last->sk && known->fd == last->fd)
		return;
	struct tls_socket learned = *last;
	learned.attribution = ATTRIBUTION_THREAD;
	bpf_map_update_elem(&tls_sockets, &key, &learned, BPF_ANY);
}

static __always_inline int tls_enter(struct pt_regs *ctx, bool has_count_out)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!process_is_traced(pid_tgid))
		return 0;
	struct tls_call call = {
		.entered_ns = bpf_ktime_get_ns(),
		.tls_object = PT_REGS_PARM1(ctx),
		.buf = PT_REGS_PARM2(ctx),
		.count_out = has_count_out ? PT_REGS_PARM4(ctx) : 0,
		.fd = -1,
		.library = (__u8)bpf_get_attach_cookie(ctx),
	};
	struct thread_state *ts = thread_state_of();
	if (ts)
		ts->tls = call;
	return 0;
}

static __always_inline int tls_return(struct pt_regs *ctx, __u8 direction, bool has_count_out)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct thread_state *ts = thread_state_if_any();
	if (!ts || !ts->tls.entered_ns)
		return 0;
	struct tls_call call = ts->tls;
	ts->tls.entered_ns = 0;

	long moved = PT_REGS_RC(ctx);
	/* OpenSSL's and NSPR's functions return int: the upper half of the register is not ours to read. */
	if (call.library == TLS_OPENSSL || call.library == TLS_NSS)
		moved = (int)moved;
	/* The _ex functions (and OpenSSL's internal ssl_read_internal/ssl_write_internal, which the
	 * recorder probes in their place when that saves a single-step) return success and store the
	 * count through their fourth argument. */
	if (has_count_out && moved > 0) {
		__u64 count = 0;
		if (!call.count_out || bpf_probe_read_user(&count, sizeof(count), (void *)call.count_out))
			return 0;
		moved = (long)count;
	}
	if (moved <= 0) {
		learn_tls_socket(&call, ts, pid_tgid);
		return 0;
	}

	struct tls_object_key key = { .tls_object = call.tls_object, .pid = pid_tgid >> 32 };
	__u8 attribution = ATTRIBUTION_SYSCALL;
	if (call.sk) {
		remember_tls_socket(&key, call.sk, call.fd, ATTRIBUTION_SYSCALL);
	} else {
		struct tls_socket *known = current_tls_socket(bpf_map_lookup_elem(&tls_sockets, &key));
		/* A write tied to its socket by a guess (or not at all) waits for the socket write that follows;
		 * node interleaves the TLS calls of several connections on one thread, and guesses went wrong. */
		if (direction == DIRECTION_EGRESS && call.library != TLS_NSS &&
		    (!known || known->attribution == ATTRIBUTION_THREAD))
			return hold_tls_write(&call, ts, moved);
		if (known) {
			attribution = known->attribution == ATTRIBUTION_SYSCALL ? ATTRIBUTION_CACHE : known->attribution;
		} else if (call.library == TLS_NSS) {
			return 0; /* PR_Read/PR_Write of a file or pipe: no socket, not TLS */
		} else {
			known = &ts->last_socket;
			if (!known->sk)
				return 0; /* no socket named yet: nothing to attribute these bytes to */
			if (!bpf_map_lookup_elem(&conns, &known->sk))
				return 0; /* that socket has closed since: it cannot be this call's */
			attribution = ATTRIBUTION_THREAD;
			struct tls_socket remembered = *known;
			bpf_map_update_elem(&tls_sockets, &key, &remembered, BPF_ANY);
		}
		call.sk = known->sk;
		call.fd = known->fd;
	}

	return emit_tls(&call, moved, direction, attribution);
}

SEC("uprobe")
int uprobe_tls_write(struct pt_regs *ctx) { return tls_enter(ctx, false); }

SEC("uretprobe")
int uretprobe_tls_write(struct pt_regs *ctx) { return tls_return(ctx, DIRECTION_EGRESS, false); }

SEC("uprobe")
int uprobe_tls_read(struct pt_regs *ctx) { return tls_enter(ctx, false); }

SEC("uretprobe")
int uretprobe_tls_read(struct pt_regs *ctx) { return tls_return(ctx, DIRECTION_INGRESS, false); }

SEC("uprobe")
int uprobe_tls_write_ex(struct pt_regs *ctx) { return tls_enter(ctx, true); }

SEC("uretprobe")
int uretprobe_tls_write_ex(struct pt_regs *ctx) { return tls_return(ctx, DIRECTION_EGRESS, true); }

SEC("uprobe")
int uprobe_tls_read_ex(struct pt_regs *ctx) { return tls_enter(ctx, true); }

SEC("uretprobe")
int uretprobe_tls_read_ex(struct pt_regs *ctx) { return tls_return(ctx, DIRECTION_INGRESS, true); }

/* SSL_set_fd(ssl, fd): names the socket before the first byte moves. */
SEC("uprobe")
int uprobe_ssl_set_fd(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!process_is_traced(pid_tgid))
		return 0;
	int fd = (int)PT_REGS_PARM2(ctx);
	struct sock *sk = tcp_sock_of_fd(fd);
	if (!sk)
		return 0;
	struct tls_object_key key = { .tls_object = PT_REGS_PARM1(ctx), .pid = pid_tgid >> 32 };
	struct tls_socket known = { .sk = (__u64)sk, .fd = fd, .attribution = ATTRIBUTION_SET_FD };
	bpf_map_update_elem(&tls_sockets, &key, &known, BPF_ANY);
	return 0;
}

#endif /* TLS_PROBES_H */
