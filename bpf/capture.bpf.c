// SPDX-License-Identifier: GPL-2.0
/*
 * Capture's kernel side: plaintext TCP payloads from syscall tracepoints.
 *
 * Only tracepoints are used (the raw sys_enter/sys_exit as tp_btf, and
 * sock:inet_sock_set_state): the kernels we target may lack kprobes and
 * refuse fentry/fexit. A sending syscall's entry remembers its arguments per
 * thread (thread_state.h) when the fd is a TCP socket; a receiving one is
 * handled at its exit alone. The exit copies the bytes the call moved into the
 * ring buffer, split into CAPTURE_CHUNK_BYTES events.
 *
 * Hot path rule: a connection is classified from its first bytes (HTTP/1.x
 * method or status line, or the HTTP/2 preface); bytes of connections that
 * are not HTTP only advance counters and never reach the ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "capture.h"
#include "http_sniff.h"
#include "syscall_regs.h"

char LICENSE[] SEC("license") = "GPL";

const volatile struct capture_config capture_config = {
	.max_capture_bytes = CAPTURE_DEFAULT_CAPTURE_BYTES,
};

/* Referenced so that the structs land in the object's BTF, where the layout
 * test compares them with their C# mirrors. */
const struct data_event *unused_data_event __attribute__((unused));
const struct conn_event *unused_conn_event __attribute__((unused));
const struct exec_event *unused_exec_event __attribute__((unused));
const struct tls_bind_event *unused_tls_bind_event __attribute__((unused));

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define IPPROTO_TCP 6
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define EINPROGRESS 115
#define MSG_PEEK 0x2

/* How many calls a connection found mid-stream may take to show an HTTP
 * message start before we give up on it (its first bytes may be the middle
 * of a body). A connection seen from its handshake gets one look. */
#define MID_STREAM_SNIFF_CALLS 16

enum http_verdict { VERDICT_UNKNOWN = 0, VERDICT_HTTP = 1, VERDICT_NOT_HTTP = 2 };

#include "thread_state.h"

struct conn_state {
	__u64 conn_id;
	__u64 stream_pos[2];     /* socket bytes, indexed by enum capture_direction */
	__u64 tls_stream_pos[2]; /* plaintext bytes of a TLS library on this socket */
	__u64 opened_ns;
	__u32 opener_pid;
	__u32 opener_tid;
	__s32 opener_fd;
	__u8 role;
	__u8 open_source;
	struct stream_verdict socket_verdict;
	struct stream_verdict tls_verdict;
	__u8 announced;
	__u8 mid_stream;
	__u8 tls_library;
	__u8 tls_attribution;
	/* TCP_CLOSE came while bytes still waited unread (see on_inet_sock_set_state). */
	__u8 closed;
	/* TCP's own count of each direction's bytes where the last call we saw ended (tcp_sock's
	 * copied_seq for reads, write_seq for writes), once the first call set it: see claim_stream_bytes. */
	__u32 seq_end[2];
	__u8 seq_known[2];
	/* Read from the socket once, at its first event: an established
	 * connection's addresses do not change, and reading them cost five
	 * helper calls per event. */
	__u8 tuple_known;
	struct conn_tuple tuple;
};

/* The ring is sized by the Recorder (--ring-buffer-mb) before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20);
} events SEC(".maps");

/* Events the ring buffer could not take, per CPU: never silent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ringbuf_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* struct sock * */
	__type(value, struct conn_state);
} conns SEC(".maps");

/* Close events the ring buffer could not take, by conn_id, until the Recorder's next sweep (every
 * second, and at the end): a connection's end and its byte counts, which tell the analyzer of bytes
 * lost after its last captured call, survive the burst that filled the ring. Only when this map is
 * full too is a close lost, and counted in ringbuf_drops. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64); /* conn_id */
	__type(value, struct conn_event);
} unsent_closes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid */
	__type(value, __s32); /* fd being connected */
} active_connect_calls SEC(".maps");

/* Room for one event plus a chunk of slack, so that the verifier can prove
 * every copy at data[filled .. filled + n) stays inside the value. */
/* Cursor of the copy loop. It lives in the map value, not on the stack, so
 * that the verifier checks the bpf_loop callback once instead of tracking
 * every value it could take. */
struct copy_state {
	__u64 iov_array;
	__u64 iov_count;
	__u64 iov_index;
	__u64 cursor;      /* user address of the next byte to copy */
	__u64 cursor_left; /* bytes left in the current buffer */
	__u64 remaining;   /* bytes left to capture in this call */
	__u64 stream_pos;  /* stream position of data[0] of the pending event */
	__u32 filled;
	__u8 is_iov;
	__u8 truncated;
	__u8 shed;         /* DATA_FLAG_SHED when the cut is load shedding's, else 0 */
	__u8 unreadable;
};

struct data_scratch {
	struct copy_state copy;
	struct data_event event;
	__u8 slack[CAPTURE_CHUNK_BYTES];
};

/* One slot per CPU, indexed by CPU id: a per-CPU array cannot hold values
 * this large. The Recorder sizes it to the possible CPUs before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, struct data_scratch);
} data_scratch SEC(".maps");

static __always_inline struct data_event *scratch_event(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct data_scratch *scratch = bpf_map_lookup_elem(&data_scratch, &cpu);
	return scratch ? &scratch->event : NULL;
}

__u64 next_conn_id = 0;

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *drops = bpf_map_lookup_elem(&ringbuf_drops, &zero);
	if (drops)
		__sync_fetch_and_add(drops, 1);
}

/* Wake-up policy. Waking the reader for every event cost the traced host a
 * context switch per syscall at moderate rates; the recorder polls the ring on
 * a short timer instead (Recording.PollIntervalMs) and is woken early only by
 * the event that takes the ring's backlog across 1/RING_WAKE_FRACTION of it.
 * Only the crossing wakes: a wake-up raises a self-interrupt through an MSR
 * write, which traps to the hypervisor on a virtual machine, and forcing one on
 * every event while the backlog stayed above the mark cost 2-3 µs per event.
 * Two CPUs racing across the mark may both miss it; the timer still polls. */
#define RING_WAKE_FRACTION 16

static __always_inline __u64 wakeup_flag(__u64 backlog_before, __u64 event_bytes)
{
	/* The ring's size from the settings, not bpf_ringbuf_query: one helper call fewer per event. */
	__u64 mark = capture_config.ring_bytes / RING_WAKE_FRACTION;
	return backlog_before < mark && backlog_before + event_bytes >= mark ? BPF_RB_FORCE_WAKEUP
									      : BPF_RB_NO_WAKEUP;
}

/* For bpf_ringbuf_output: the event is not in the backlog yet. */
static __always_inline __u64 wakeup_flag_for_output(__u64 event_bytes)
{
	return wakeup_flag(bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA), event_bytes);
}

/* For bpf_ringbuf_submit: the reservation already counts in the backlog. */
static __always_inline __u64 wakeup_flag_for_submit(__u64 event_bytes)
{
	__u64 backlog = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	return wakeup_flag(backlog > event_bytes ? backlog - event_bytes : 0, event_bytes);
}

/* The current thread's name, read straight from its task (two loads, through the BTF-typed pointer)
 * instead of by bpf_get_current_comm: the helper's padded string copy was an eighth of the programs'
 * time, called for every event's header and, with --comm, for every socket syscall of every process.
 * The kernel keeps comm NUL-terminated; a rename racing the read can at worst mix two names. */
struct current_comm {
	__u64 words[CAPTURE_COMM_LEN / 8];
};

static __always_inline struct current_comm current_comm(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/* The verifier lets a program read an array of chars in wider words, within the array. */
	return (struct current_comm){ .words = {
		*(__u64 *)&task->comm[0],
		*(__u64 *)&task->comm[8],
	} };
}

static __always_inline bool process_is_traced(__u64 pid_tgid)
{
	__u32 pid = pid_tgid >> 32;
	if (pid == capture_config.self_pid)
		return false;
	if (capture_config.filter_pid && pid != capture_config.filter_pid)
		return false;
	if (capture_config.filter_comm_set) {
		struct current_comm name = current_comm();
		const char *comm = (const char *)name.words;
		for (int i = 0; i < CAPTURE_COMM_LEN; i++) {
			if (comm[i] != capture_config.filter_comm[i])
				return false;
			if (comm[i] == 0)
				break;
		}
	}
	return true;
}

/* A kernel address as a typed pointer that the program may load fields from
 * directly: each load is one instruction (fault-safe) instead of a
 * bpf_probe_read_kernel call, and this walk runs on every socket syscall. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define KERNEL_PTR(addr, type) ((type *)bpf_rdonly_cast((void *)(addr), bpf_core_type_id_kernel(type)))

/* The struct file * stored at a kernel address (a slot of an fd table), by one direct load. The
 * verifier will not index the table's pointer array with a variable, and bpf_probe_read_kernel cost a
 * twentieth of the programs' time; so the slot is read as the first member of a kernel struct that
 * begins with a struct file * (struct kiocb's ki_filp), which the BTF lets a program load. */
static __always_inline struct file *fd_table_slot(__u64 slot_address)
{
	return KERNEL_PTR(slot_address, struct kiocb)->ki_filp;
}

/* fd of the current task → its struct sock, when it is a TCP socket. */
static __always_inline struct sock *tcp_sock_of_fd(int fd)
{
	if (fd < 0)
		return NULL;
	struct task_struct *task = bpf_get_current_task_btf();
	struct files_struct *files = task->files;
	if (!files)
		return NULL;
	struct fdtable *fdt = KERNEL_PTR(files->fdt, struct fdtable);
	if (!fdt || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	struct file *file = fd_table_slot((__u64)fdt->fd + (__u64)fd * sizeof(struct file *));
	if (!file)
		return NULL;
	file = KERNEL_PTR(file, struct file);
	struct inode *inode = file->f_inode;
	if (!inode || (inode->i_mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = KERNEL_PTR(file->private_data, struct socket);
	if (!sock || sock->type != SOCK_STREAM)
		return NULL;
	struct sock *sk = sock->sk;
	if (!sk)
		return NULL;
	__u16 family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	if (sk->sk_protocol != IPPROTO_TCP)
		return NULL;
	return (struct sock *)(__u64)sk;
}

static __always_inline void read_tuple(struct sock *sk, struct conn_tuple *t)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	t->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	t->remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (t->family == AF_INET) {
		bpf_core_read(t->local_addr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(t->remote_addr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(t->local_addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(t->remote_addr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

static __always_inline struct conn_tuple *tuple_of(struct conn_state *st, struct sock *sk)
{
	if (!st->tuple_known) {
		read_tuple(sk, &st->tuple);
		st->tuple_known = 1;
	}
	return &st->tuple;
}

static __always_inline struct conn_state *create_conn(__u64 sk, __u8 role, __u8 source, bool mid_stream, __u64 update_flags)
{
	struct conn_state fresh = {
		.conn_id = __sync_fetch_and_add(&next_conn_id, 1) + 1,
		.opened_ns = bpf_ktime_get_ns(),
		.opener_fd = -1,
		.role = role,
		.open_source = source,
		.socket_verdict = {
			.verdict = capture_config.capture_all_tcp ? VERDICT_HTTP : VERDICT_UNKNOWN,
			.sniff_calls_left = mid_stream ? MID_STREAM_SNIFF_CALLS : 1,
			.gathers_start = !mid_stream,
		},
		.tls_verdict = {
			.verdict = capture_config.capture_all_tcp ? VERDICT_HTTP : VERDICT_UNKNOWN,
			.sniff_calls_left = mid_stream ? MID_STREAM_SNIFF_CALLS : 1,
			.gathers_start = !mid_stream,
		},
		.mid_stream = mid_stream,
	};
	bpf_map_update_elem(&conns, &sk, &fresh, update_flags);
	return bpf_map_lookup_elem(&conns, &sk);
}

static __always_inline struct conn_state *conn_of(__u64 sk, __u8 role, __u8 source, bool mid_stream)
{
	struct conn_state *st = bpf_map_lookup_elem(&conns, &sk);
	return st ? st : create_conn(sk, role, source, mid_stream, BPF_NOEXIST);
}

/* timestamp_ns: when the event's bytes moved (the caller knows: a send's entry, or now). */
static __always_inline void fill_header(struct event_header *h, __u8 kind, __u8 source,
					struct conn_state *st, struct sock *sk, int fd, __u64 timestamp_ns)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	h->timestamp_ns = timestamp_ns;
	h->conn_id = st->conn_id;
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->fd = fd;
	h->kind = kind;
	h->source = source;
	h->role = st->role;
	h->_pad = 0;
	struct current_comm name = current_comm();
	__builtin_memcpy(h->comm, name.words, sizeof(h->comm));
	h->tuple = *tuple_of(st, sk);
}

static __always_inline void emit_conn_event(__u8 kind, __u8 source, struct conn_state *st,
					    struct sock *sk, int fd)
{
	struct conn_event ev = {};
	fill_header(&ev.header, kind, source, st, sk, fd, bpf_ktime_get_ns());
	if (source == SOURCE_TCP_CLOSE) {
		/* softirq context: the current task is whoever the CPU interrupted */
		ev.header.pid = st->opener_pid;
		ev.header.tid = st->opener_tid;
		__builtin_memset(ev.header.comm, 0, sizeof(ev.header.comm));
	}
	if (kind == EVENT_CONN_OPEN) {
		ev.header.timestamp_ns = st->opened_ns;
		if (st->opener_pid) {
			ev.header.pid = st->opener_pid;
			ev.header.tid = st->opener_tid;
			ev.header.fd = st->opener_fd;
		}
	}
	ev.bytes_sent = st->stream_pos[DIRECTION_EGRESS];
	ev.bytes_received = st->stream_pos[DIRECTION_INGRESS];
	ev.mid_stream = st->mid_stream;
	ev.tls_library = st->tls_library;
	ev.tls_attribution = st->tls_attribution;
	ev.unread_at_tcp_close = source == SOURCE_TCP_CLOSE && st->closed;
	if (!bpf_ringbuf_output(&events, &ev, sizeof(ev), wakeup_flag_for_output(sizeof(ev))))
		return;
	/* A second close of one connection (TCP_CLOSE, then the program's close) replaces the first
	 * here: its byte counts are the later, fuller ones (and its time the later one). */
	if (kind == EVENT_CONN_CLOSE && !bpf_map_update_elem(&unsent_closes, &ev.header.conn_id, &ev, BPF_ANY))
		return;
	count_drop();
}

/* A connection's open event goes out before its first bytes, once. */
static __always_inline void announce_conn(struct conn_state *st, struct sock *sk, int fd)
{
	if (st->announced)
		return;
	st->announced = 1;
	emit_conn_event(EVENT_CONN_OPEN, st->open_source, st, sk, fd);
}

/* ---------- classification ---------- */

static __always_inline __u64 first_buffer(__u64 buf, bool is_iov, __u64 *len)
{
	if (!is_iov)
		return buf;
	struct iovec iov = {};
	if (bpf_probe_read_user(&iov, sizeof(iov), (void *)buf))
		return 0;
	*len = iov.iov_len < *len ? iov.iov_len : *len;
	return (__u64)iov.iov_base;
}

/* Appends a call's first bytes to the start an undecided stream has shown so far and returns
 * how many bytes the sniff can look at. Bytes moved the other way start the gathering anew. */
static __always_inline __u64 gather_start(struct stream_verdict *st, const char *head, __u64 n, __u8 direction)
{
	if (st->gathered_direction != direction)
		st->gathered = 0;
	st->gathered_direction = direction;
	for (int i = 0; i < HTTP_SNIFF_BYTES; i++) {
		__u32 at = st->gathered;
		if (i >= n || at >= HTTP_SNIFF_BYTES)
			break;
		/* The check above bounds it already; the barrier keeps the compiler from dropping the mask
		 * that shows the bound to the verifier. */
		asm volatile("" : "+r"(at));
		at &= HTTP_SNIFF_BYTES - 1;
		st->start[at] = head[i];
		st->gathered = at + 1;
	}
	return st->gathered;
}

/* The look at an undecided stream's call: 1 when its bytes should be sent to user space (it is
 * HTTP, or too short to tell yet), updating the stream's verdict. A global function: the verifier
 * checks it once, on its own, and each syscall program that calls it sees only its answer, 0 or 1;
 * inlined into them, the sniff's many paths took on_sys_exit past the verifier's limit.
 * buf: the call's buffer, or its iovec array when is_iov; moved: the bytes the call moved. */
__noinline int sniff_undecided_stream(struct stream_verdict *st, __u64 buf, __u64 is_iov, __u64 moved, __u64 direction)
{
	if (!st)
		return 0;
	__u64 len = moved;
	buf = first_buffer(buf, is_iov, &len);
	char head[HTTP_SNIFF_BYTES] = {};
	/* Only the bytes the call moved: a buffer shorter than the look may end at an unmapped page. */
	__u64 n = len < HTTP_SNIFF_BYTES ? len : HTTP_SNIFF_BYTES;
	if (!buf || n == 0 || bpf_probe_read_user(head, n, (void *)buf))
		return 0;
	int sniffed = st->gathers_start ? http_sniff(st->start, gather_start(st, head, n, (__u8)direction))
					: http_sniff(head, n);
	/* A connection joined mid-way may be HTTP/2, which has no start line to find. */
	if (sniffed == SNIFF_NO && !st->gathers_start && sniff_h2_frames(buf, len))
		sniffed = SNIFF_HTTP;
	switch (sniffed) {
	case SNIFF_HTTP:
		st->verdict = VERDICT_HTTP;
		return 1;
	case SNIFF_MAYBE:
		return 1; /* too few bytes to tell: keep them, decide on the next call */
	default:
		if (st->sniff_calls_left > 1)
			st->sniff_calls_left--;
		else
			st->verdict = VERDICT_NOT_HTTP;
		return 0;
	}
}

/* Returns true when this call's bytes should be sent to user space. */
static __always_inline bool wants_bytes(struct stream_verdict *st, struct io_call *c, __u64 moved, __u8 direction)
{
	if (st->verdict == VERDICT_HTTP)
		return true;
	if (st->verdict == VERDICT_NOT_HTTP)
		return false;
	return sniff_undecided_stream(st, c->buf, c->is_iov, moved, direction) == 1;
}

/* ---------- payload copy ---------- */


static __always_inline void flush_chunk(struct data_scratch *scratch, bool last)
{
	struct copy_state *s = &scratch->copy;
	__u32 filled = s->filled;
	if (filled == 0 || filled > CAPTURE_CHUNK_BYTES)
		return;
	struct data_event *ev = &scratch->event;
	ev->data_len = filled;
	ev->stream_pos = s->stream_pos;
	ev->flags = ((last && s->truncated) ? DATA_FLAG_TRUNCATED | s->shed : 0) |
		    (s->unreadable ? DATA_FLAG_UNREADABLE : 0);
	s->unreadable = 0;
	if (bpf_ringbuf_output(&events, ev, offsetof(struct data_event, data) + filled,
			       wakeup_flag_for_output(offsetof(struct data_event, data) + filled)))
		count_drop();
	s->stream_pos += filled;
	s->filled = 0;
}

struct copy_loop_ctx {
	struct data_scratch *scratch;
};

static long copy_step(__u32 index, void *ctx)
{
	struct data_scratch *scratch = ((struct copy_loop_ctx *)ctx)->scratch;
	struct copy_state *s = &scratch->copy;
	if (s->remaining == 0) {
		flush_chunk(scratch, true);
		return 1;
	}
	if (s->cursor_left == 0) {
		if (!s->is_iov || s->iov_index >= s->iov_count) {
			flush_chunk(scratch, true);
			return 1;
		}
		struct iovec iov = {};
		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(s->iov_array + s->iov_index * sizeof(iov))))
			iov.iov_len = 0;
		s->iov_index++;
		s->cursor = (__u64)iov.iov_base;
		s->cursor_left = iov.iov_len < s->remaining ? iov.iov_len : s->remaining;
		return 0;
	}
	__u32 filled = s->filled & (CAPTURE_CHUNK_BYTES - 1);
	__u64 n = CAPTURE_CHUNK_BYTES - filled;
	if (n > s->cursor_left)
		n = s->cursor_left;
	if (n == 0 || n > CAPTURE_CHUNK_BYTES)
		return 1;
	if (bpf_probe_read_user(scratch->event.data + filled, n, (void *)s->cursor))
		s->unreadable = 1; /* the helper zeroed the bytes; say so, keep going */
	s->cursor += n;
	s->cursor_left -= n;
	s->remaining -= n;
	s->filled = filled + n;
	if (s->filled >= CAPTURE_CHUNK_BYTES)
		flush_chunk(scratch, s->remaining == 0);
	return 0;
}

/* Small calls from one buffer (most HTTP heads, small bodies) are reserved
 * straight in the ring and copied there once, instead of into the per-CPU
 * scratch and then into the ring by a bpf_loop. A reservation's size must be
 * a constant, so there are two classes; the event says its data_len, and the
 * rest of the reservation is never read. */
#define SMALL_EVENT_BYTES 256
#define MEDIUM_EVENT_BYTES 2048

/* The fields of a data event reserved in the ring for one whole call; its bytes follow. */
static __always_inline void fill_call_event(struct data_event *ev, struct io_call *c, struct conn_state *st,
					    struct sock *sk, __u8 direction, __u64 call_start_pos, __u64 moved,
					    __u32 captured, __u8 tls_library, __u8 shed)
{
	fill_header(&ev->header, EVENT_DATA, c->source, st, sk, c->fd,
		    direction == DIRECTION_EGRESS && c->entered_ns ? c->entered_ns : bpf_ktime_get_ns());
	ev->stream_pos = call_start_pos;
	ev->call_bytes = moved;
	ev->data_len = captured;
	ev->direction = direction;
	ev->flags = moved > captured ? DATA_FLAG_TRUNCATED | shed : 0;
	ev->tls_library = tls_library;
	ev->_pad = 0;
}

#define DEFINE_EMIT_RESERVED(name, payload_bytes)                                                       \
	static __always_inline bool name(struct io_call *c, struct conn_state *st, struct sock *sk,     \
					 __u8 direction, __u64 call_start_pos, __u64 moved, __u32 captured, \
					 __u8 tls_library, __u8 shed)                                    \
	{                                                                                        \
		struct data_event *ev = bpf_ringbuf_reserve(                                     \
			&events, offsetof(struct data_event, data) + (payload_bytes), 0);         \
		if (!ev) {                                                                       \
			count_drop();                                                            \
			return true;                                                             \
		}                                                                                \
		fill_call_event(ev, c, st, sk, direction, call_start_pos, moved, captured, tls_library, shed); \
		/* The caller checked the size; the verifier must see it checked here too. */  \
		__u64 n = captured;                                                              \
		asm volatile("" : "+r"(n));                                                      \
		if (n > (payload_bytes) || bpf_probe_read_user(ev->data, n, (void *)c->buf))     \
			ev->flags |= DATA_FLAG_UNREADABLE;                                        \
		bpf_ringbuf_submit(ev, wakeup_flag_for_submit(offsetof(struct data_event, data) + (payload_bytes))); \
		return true;                                                                     \
	}

DEFINE_EMIT_RESERVED(emit_small, SMALL_EVENT_BYTES)
DEFINE_EMIT_RESERVED(emit_medium, MEDIUM_EVENT_BYTES)

/* A small call through an iovec array (nginx writes each response head and short body with one
 * writev) is also reserved straight in the ring, when its buffers are few: the array is read in
 * one helper call and each piece copied in place, instead of a bpf_loop step per buffer and
 * piece into the scratch and then a copy of the scratch into the ring. The reservation carries
 * SMALL_EVENT_BYTES of slack: a piece starts below SMALL_EVENT_BYTES and is at most that long,
 * which is all the verifier can see of it. */
#define SMALL_IOV_BUFFERS 4

static __always_inline bool emit_small_iov(struct io_call *c, struct conn_state *st, struct sock *sk,
					   __u8 direction, __u64 call_start_pos, __u64 moved, __u32 captured, __u8 shed)
{
	struct iovec iov[SMALL_IOV_BUFFERS] = {};
	__u64 count = c->iov_count;
	if (count == 0 || count > SMALL_IOV_BUFFERS)
		return false;
	__u64 array_bytes = count * sizeof(struct iovec);
	asm volatile("" : "+r"(array_bytes));
	if (array_bytes > sizeof(iov) || bpf_probe_read_user(iov, array_bytes, (void *)c->buf))
		return false;
	struct data_event *ev = bpf_ringbuf_reserve(&events, offsetof(struct data_event, data) + 2 * SMALL_EVENT_BYTES, 0);
	if (!ev) {
		count_drop();
		return true;
	}
	fill_call_event(ev, c, st, sk, direction, call_start_pos, moved, captured, TLS_NONE, shed);
	__u64 filled = 0;
	for (int i = 0; i < SMALL_IOV_BUFFERS; i++) {
		if (i >= count || filled >= captured)
			break;
		__u64 n = iov[i].iov_len;
		if (n > captured - filled)
			n = captured - filled;
		asm volatile("" : "+r"(n));
		if (n > SMALL_EVENT_BYTES)
			break;
		/* filled < captured <= SMALL_EVENT_BYTES: the mask changes nothing but shows the bound. */
		__u64 at = filled & (SMALL_EVENT_BYTES - 1);
		if (n && bpf_probe_read_user(ev->data + at, n, iov[i].iov_base))
			ev->flags |= DATA_FLAG_UNREADABLE;
		filled += n;
	}
	/* Buffers that held fewer bytes than the call reported moving (the array changed under us):
	 * what is missing reads as zeros and is flagged. */
	if (filled < captured)
		ev->flags |= DATA_FLAG_UNREADABLE;
	bpf_ringbuf_submit(ev, wakeup_flag_for_submit(offsetof(struct data_event, data) + 2 * SMALL_EVENT_BYTES));
	return true;
}

/*
 * Load shedding. When the recorder falls behind (its writer behind a bulk transfer, or its poll thread
 * kept off the CPU), the ring fills and events are dropped whole: a request's head as readily as the
 * middle of a body, and every other connection's heads with them. So once less than a quarter of the
 * ring is free, a call keeps only its first CAPTURE_SHED_KEPT_BYTES, as if the per-call cap were that:
 * heads, timings, sizes and stream positions stay whole, bodies come out partial (flagged TRUNCATED |
 * SHED), and the ring takes a sixteenth of a bulk transfer's bytes until the recorder catches up. Not
 * sooner: a cut costs an HTTP/2 connection the header blocks later in the call, and with them the HPACK
 * state of every later exchange, which a burst that the ring absorbs would have kept. Returns the cap
 * for this call and sets *shed when it is load shedding's.
 */
#define SHED_HEADROOM_FRACTION 4

static __always_inline __u64 shed_limit(__u64 moved, __u64 limit, __u8 *shed)
{
	if (moved <= CAPTURE_SHED_KEPT_BYTES || limit <= CAPTURE_SHED_KEPT_BYTES)
		return limit;
	__u64 ring = capture_config.ring_bytes;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) <= ring - ring / SHED_HEADROOM_FRACTION)
		return limit;
	*shed = DATA_FLAG_SHED;
	return CAPTURE_SHED_KEPT_BYTES;
}

static __always_inline void emit_data(struct io_call *c, struct conn_state *st, struct sock *sk,
				      __u8 direction, __u64 call_start_pos, __u64 moved, __u8 tls_library)
{
	__u8 shed = 0;
	__u64 limit = shed_limit(moved, capture_config.max_capture_bytes, &shed);
	__u32 captured = moved < limit ? moved : limit;
	if (!c->is_iov) {
		if (captured <= SMALL_EVENT_BYTES &&
		    emit_small(c, st, sk, direction, call_start_pos, moved, captured, tls_library, shed))
			return;
		if (captured <= MEDIUM_EVENT_BYTES &&
		    emit_medium(c, st, sk, direction, call_start_pos, moved, captured, tls_library, shed))
			return;
	} else if (captured <= SMALL_EVENT_BYTES &&
		   emit_small_iov(c, st, sk, direction, call_start_pos, moved, captured, shed)) {
		return;
	}
	__u32 cpu = bpf_get_smp_processor_id();
	struct data_scratch *scratch = bpf_map_lookup_elem(&data_scratch, &cpu);
	if (!scratch)
		return;
	/* Each chunk's stream_pos, data_len and flags are set as flush_chunk sends it. */
	fill_call_event(&scratch->event, c, st, sk, direction, call_start_pos, moved, captured, tls_library, shed);
	scratch->copy = (struct copy_state){
		.iov_array = c->buf,
		.iov_count = c->iov_count,
		.cursor = c->is_iov ? 0 : c->buf,
		.cursor_left = c->is_iov ? 0 : captured,
		.remaining = captured,
		.stream_pos = call_start_pos,
		.is_iov = c->is_iov,
		.truncated = moved > limit,
		.shed = shed,
	};
	struct copy_loop_ctx loop = { .scratch = scratch };
	bpf_loop(CAPTURE_MAX_LOOP_STEPS, copy_step, &loop, 0);
}

/* A call whose bytes we cannot copy (sendfile): one empty event that still
 * advances the stream, so the Analyzer knows how many bytes went by. */
static __always_inline void emit_counted_only(struct io_call *c, struct conn_state *st, struct sock *sk,
					      __u8 direction, __u64 call_start_pos, __u64 moved)
{
	struct data_event *ev = scratch_event();
	if (!ev)
		return;
	fill_header(&ev->header, EVENT_DATA, c->source, st, sk, c->fd, bpf_ktime_get_ns());
	ev->stream_pos = call_start_pos;
	ev->call_bytes = moved;
	ev->data_len = 0;
	ev->direction = direction;
	ev->flags = DATA_FLAG_TRUNCATED;
	ev->tls_library = TLS_NONE;
	ev->_pad = 0;
	if (bpf_ringbuf_output(&events, ev, offsetof(struct data_event, data),
			       wakeup_flag_for_output(offsetof(struct data_event, data))))
		count_drop();
}

static __always_inline bool port_matches(struct conn_state *st, struct sock *sk)
{
	if (!capture_config.filter_port)
		return true;
	struct conn_tuple *t = tuple_of(st, sk);
	return t->local_port == capture_config.filter_port || t->remote_port == capture_config.filter_port;
}

#include "tls_probes.h"
#include "exec_watch.h"

/* ---------- data syscalls ---------- */

/* A data syscall's arguments as an io_call (fd, buffer or iovec array, source); false when the
 * syscall moves no socket payload of ours. */
static __always_inline bool decode_data_call(struct syscall_call *call, struct io_call *c)
{
	__u64 buf = call->arg2;
	__u64 iov_count = 0;
	__u8 source;
	bool is_iov = false;
	bool count_only = call->compat_layout;
	switch (call->nr) {
	case SYS_READ:
		source = SOURCE_READ;
		break;
	case SYS_WRITE:
		source = SOURCE_WRITE;
		break;
	case SYS_RECVFROM:
		/* recv(fd, buf, len, flags): a peek leaves the bytes queued for the read that takes them. */
		if (call->arg4 & MSG_PEEK)
			return false;
		source = SOURCE_RECVFROM;
		break;
	case SYS_SENDTO:
		source = SOURCE_SENDTO;
		break;
	case SYS_READV:
	case SYS_WRITEV:
		source = call->nr == SYS_READV ? SOURCE_READV : SOURCE_WRITEV;
		iov_count = call->arg3;
		is_iov = true;
		break;
	case SYS_RECVMSG:
	case SYS_SENDMSG: {
		if (call->nr == SYS_RECVMSG && (call->arg3 & MSG_PEEK))
			return false; /* recvmsg(fd, msg, flags): a peek, as above */
		source = call->nr == SYS_RECVMSG ? SOURCE_RECVMSG : SOURCE_SENDMSG;
		is_iov = true;
		if (call->compat_layout)
			break;
		/* sendmsg/recvmsg: the iovec array sits inside the user's msghdr. */
		struct user_msghdr msg = {};
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)buf))
			return false;
		buf = (__u64)msg.msg_iov;
		iov_count = msg.msg_iovlen;
		break;
	}
	case SYS_SENDFILE:
		/* sendfile(out_fd, in_fd, ...): the body comes from a file; it is
		 * counted so the Analyzer knows how long it was, never captured. */
		source = SOURCE_SENDFILE;
		buf = 0;
		count_only = true;
		break;
	default:
		return false;
	}
	*c = (struct io_call){
		.buf = buf,
		.iov_count = iov_count,
		.fd = (int)call->arg1,
		.source = source,
		.is_iov = is_iov,
		.count_only = count_only,
	};
	return true;
}

/* The socket of a traced process's call, noted for the TLS probes (the library call in flight,
 * or the thread's last socket). Returns the thread's state, or NULL when the call is not ours. */
static __always_inline struct thread_state *claim_socket_call(struct io_call *c, bool sending)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!process_is_traced(pid_tgid))
		return NULL;
	struct sock *sk = tcp_sock_of_fd(c->fd);
	if (!sk)
		return NULL;
	c->sk = (__u64)sk;
	struct thread_state *ts = thread_state_of();
	if (ts)
		note_tls_socket(ts, pid_tgid, sk, c->fd, sending);
	return ts;
}

/* A gap between two calls we saw larger than this is not taken from TCP's count (some other
 * layer owns the sequence): the calls are put end to end, as when the count is unknown. */
#define UNTRACED_BYTES_MAX (1U << 30)

/*
 * Where a socket call's bytes begin in its direction's stream. Bytes can leave the socket by calls
 * the hooks do not see (splice(2), as a proxy forwarding a body does; io_uring; recvmmsg): putting
 * the next call we see right after the last one would join a message's head to a later message's
 * and the analyzer would read one as the other's body. TCP counts every byte the program took or
 * gave (copied_seq, write_seq), so the distance from where the last call we saw ended is the bytes
 * that went by unseen: the stream skips them, a hole the analyzer flags. A distance of 1 is the FIN
 * a read consumes with the last data (counted by copied_seq), not a byte. Nothing is skipped on a
 * socket with an upper layer (kernel TLS counts records, not the program's bytes), nor when TCP's
 * count went backwards (bytes redirected past TCP by a sockmap, or two threads' calls finishing
 * out of order): there the calls are put end to end, as before anything counted.
 */
static __always_inline __u64 claim_stream_bytes(struct conn_state *st, struct sock *sk, __u8 direction, __u64 moved)
{
	__u8 d = direction & 1;
	struct tcp_sock *tp = KERNEL_PTR(sk, struct tcp_sock);
	if (tp->inet_conn.icsk_ulp_ops)
		return __sync_fetch_and_add(&st->stream_pos[d], moved);
	__u32 seq_start = (d == DIRECTION_INGRESS ? tp->copied_seq : tp->write_seq) - (__u32)moved;
	__u32 unseen = st->seq_known[d] ? seq_start - st->seq_end[d] : 0;
	if (unseen <= 1 || unseen > UNTRACED_BYTES_MAX)
		unseen = 0;
	st->seq_known[d] = 1;
	st->seq_end[d] = seq_start + (__u32)moved;
	return __sync_fetch_and_add(&st->stream_pos[d], unseen + moved) + unseen;
}

/* The bytes a finished call moved: counted on its connection, and sent when the stream is HTTP. */
static __always_inline int io_finish(struct io_call *c, long ret, __u8 direction)
{
	if (ret <= 0)
		return 0;
	struct sock *sk = (struct sock *)c->sk;
	struct conn_state *st = conn_of(c->sk, ROLE_UNKNOWN, SOURCE_FIRST_SEEN, true);
	if (!st)
		return 0;
	__u64 start = claim_stream_bytes(st, sk, direction, (__u64)ret);
	if (!port_matches(st, sk))
		return 0;
	if (c->count_only) {
		if (st->socket_verdict.verdict != VERDICT_HTTP)
			return 0;
	} else if (!wants_bytes(&st->socket_verdict, c, ret, direction)) {
		return 0;
	}
	announce_conn(st, sk, c->fd);
	if (c->count_only) {
		emit_counted_only(c, st, sk, direction, start, ret);
		return 0;
	}
	emit_data(c, st, sk, direction, start, ret, TLS_NONE);
	return 0;
}

/*
 * Sending calls are remembered at entry: their bytes are timed from the call's start, when they
 * began to leave. Receiving calls are handled at their exit alone, where the registers still hold
 * their arguments: their bytes are timed at the return, a call that brought nothing (EAGAIN on a
 * non-blocking socket) costs no more than its number check, and a read that was already blocked
 * when recording began is recorded like any other.
 */
static __always_inline bool is_receive(long nr)
{
	return nr == SYS_READ || nr == SYS_RECVFROM || nr == SYS_READV || nr == SYS_RECVMSG;
}

static __always_inline int send_enter(struct syscall_call *call)
{
	struct io_call c;
	if (!decode_data_call(call, &c))
		return 0;
	struct thread_state *ts = claim_socket_call(&c, true);
	if (!ts)
		return 0;
	c.entered_ns = bpf_ktime_get_ns();
	ts->io = c;
	return 0;
}

static __always_inline int send_exit(long ret)
{
	struct thread_state *ts = thread_state_if_any();
	if (!ts || !ts->io.sk)
		return 0;
	struct io_call c = ts->io;
	ts->io.sk = 0; /* done; the entry stays for the thread's next call */
	return io_finish(&c, ret, DIRECTION_EGRESS);
}

static __always_inline int receive_exit(struct syscall_call *call, long ret)
{
	if (ret <= 0)
		return 0;
	struct io_call c;
	if (!decode_data_call(call, &c) || !claim_socket_call(&c, false))
		return 0;
	return io_finish(&c, ret, DIRECTION_INGRESS);
}

/* ---------- connection lifecycle ---------- */

static __always_inline void remember_opener(int fd, __u8 role, __u8 source)
{
	struct sock *sk = tcp_sock_of_fd(fd);
	if (!sk)
		return;
	struct conn_state *st = conn_of((__u64)sk, role, source, false);
	if (!st)
		return;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	st->role = role;
	st->open_source = source;
	st->opener_pid = pid_tgid >> 32;
	st->opener_tid = (__u32)pid_tgid;
	st->opener_fd = fd;
}

static __always_inline int connect_enter(int fd)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!process_is_traced(pid_tgid))
		return 0;
	__s32 connecting = fd;
	bpf_map_update_elem(&active_connect_calls, &pid_tgid, &connecting, BPF_ANY);
	return 0;
}

static __always_inline int connect_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__s32 *fd = bpf_map_lookup_elem(&active_connect_calls, &pid_tgid);
	if (!fd)
		return 0;
	__s32 connected_fd = *fd;
	bpf_map_delete_elem(&active_connect_calls, &pid_tgid);
	if (ret == 0 || ret == -EINPROGRESS)
		remember_opener(connected_fd, ROLE_CLIENT, SOURCE_CONNECT);
	return 0;
}

static __always_inline int accept_exit(long ret)
{
	if (ret < 0 || !process_is_traced(bpf_get_current_pid_tgid()))
		return 0;
	remember_opener((int)ret, ROLE_SERVER, SOURCE_ACCEPT);
	return 0;
}

static __always_inline int close_enter(int fd)
{
	if (!process_is_traced(bpf_get_current_pid_tgid()))
		return 0;
	struct sock *sk = tcp_sock_of_fd(fd);
	if (!sk)
		return 0;
	__u64 key = (__u64)sk;
	struct conn_state *st = bpf_map_lookup_elem(&conns, &key);
	if (!st)
		return 0;
	if (st->announced)
		emit_conn_event(EVENT_CONN_CLOSE, SOURCE_CLOSE, st, sk, fd);
	if (st->closed)
		bpf_map_delete_elem(&conns, &key); /* TCP had ended it: the program is done with it too */
	return 0;
}

/* The handshake tells the role of connections no syscall of ours saw being
 * made, and TCP_CLOSE ends every connection, whoever closed it. */
SEC("tracepoint/sock/inet_sock_set_state")
int on_inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	__u64 sk = (__u64)ctx->skaddr;
	/* A handshake always starts a new connection: replace whatever an earlier
	 * socket at the same address left behind (one that never reached TCP_CLOSE). */
	if (ctx->newstate == TCP_SYN_SENT) {
		create_conn(sk, ROLE_CLIENT, SOURCE_HANDSHAKE, false, BPF_ANY);
	} else if (ctx->newstate == TCP_ESTABLISHED && ctx->oldstate == TCP_SYN_RECV) {
		create_conn(sk, ROLE_SERVER, SOURCE_HANDSHAKE, false, BPF_ANY);
	} else if (ctx->newstate == TCP_CLOSE) {
		struct conn_state *st = bpf_map_lookup_elem(&conns, &sk);
		if (!st || st->closed)
			return 0;
		/* A program may not have read all it was sent: a client that half-closed gets the answer
		 * and the peer's FIN, and so TCP_CLOSE, before it reads. Its reads still belong to this
		 * connection, so the state stays until the program closes the socket (close_enter), and
		 * the event says reads will follow (the recorder keeps the connection's redaction state). */
		bool unread = BPF_CORE_READ((struct sock *)sk, sk_receive_queue.qlen) != 0;
		if (unread)
			st->closed = 1;
		if (st->announced)
			emit_conn_event(EVENT_CONN_CLOSE, SOURCE_TCP_CLOSE, st, (struct sock *)sk, -1);
		if (!unread)
			bpf_map_delete_elem(&conns, &sk);
	}
	return 0;
}

/* The kernel frees the socket. Most connections' state went at TCP_CLOSE; one kept there for
 * bytes still unread goes at close_enter, unless its program exits without close(): the kernel
 * then closes the fd without that syscall, and only this says the socket is gone. */
SEC("tracepoint/tcp/tcp_destroy_sock")
int on_tcp_destroy_sock(struct trace_event_raw_tcp_event_sk *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;
	bpf_map_delete_elem(&conns, &sk);
	return 0;
}

/* ---------- the syscall hooks ---------- */

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long nr)
{
	struct syscall_call call;
	if (!decode_syscall(regs, nr, &call))
		return 0;
	switch (call.nr) {
	case SYS_CONNECT:
		return connect_enter((int)call.arg1);
	case SYS_CLOSE:
		return close_enter((int)call.arg1);
	}
	if (is_receive(call.nr))
		return 0;
	return send_enter(&call);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	struct syscall_call call;
	if (!decode_syscall(regs, SYSCALL_NR(regs), &call))
		return 0;
	switch (call.nr) {
	case SYS_READ:
	case SYS_RECVFROM:
	case SYS_READV:
	case SYS_RECVMSG:
		return receive_exit(&call, ret);
	case SYS_WRITE:
	case SYS_SENDTO:
	case SYS_WRITEV:
	case SYS_SENDMSG:
	case SYS_SENDFILE:
		return send_exit(ret);
	case SYS_CONNECT:
		return connect_exit(ret);
	case SYS_ACCEPT:
	case SYS_ACCEPT4:
		return accept_exit(ret);
	}
	return 0;
}
