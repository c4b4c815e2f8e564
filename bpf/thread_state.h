/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the probes remember about one thread between its calls: the socket
 * syscall in flight, the TLS library call in flight, the socket the thread
 * moved bytes on last and the TLS writes waiting for their socket. One map entry
 * per thread, found with one lookup and rewritten in place: a map per item
 * cost four lookups on every socket syscall, the hottest path of all.
 * Included by capture.bpf.c.
 */
#ifndef THREAD_STATE_H
#define THREAD_STATE_H

/* A socket syscall: a sending one between its entry and its exit (thread_state.io), or a
 * receiving one, decoded at its exit. */
struct io_call {
	__u64 entered_ns; /* egress bytes leave during the call: they are timed from its start */
	__u64 sk;         /* 0: no call in flight */
	__u64 buf;        /* user buffer, or the iovec array when is_iov */
	__u64 iov_count;
	__s32 fd;
	__u8 source;
	__u8 is_iov;
	__u8 count_only; /* bytes counted, not copied: sendfile, a 32-bit iovec */
};

/* A TLS library call (SSL_read, gnutls_record_send, PR_Write...) between entry and return. */
struct tls_call {
	__u64 entered_ns; /* 0: no call in flight */
	__u64 tls_object;
	__u64 buf;
	__u64 count_out; /* size_t * for the _ex variants, else 0 */
	__u64 sk;        /* socket the library used during this call */
	__s32 fd;
	__u8 library;
};

struct tls_socket {
	__u64 sk; /* 0: none */
	__s32 fd;
	__u8 attribution;
};

/* Is a byte stream HTTP? Decided once from its first bytes. */
struct stream_verdict {
	__u8 verdict;
	__u8 sniff_calls_left;
	/* A stream seen from its first byte gathers its start across calls while the sniff
	 * cannot decide: a slow client may send its request a byte or two per call. */
	__u8 gathers_start;
	__u8 gathered;
	__u8 gathered_direction;
	char start[HTTP_SNIFF_BYTES];
};

/* A memory-BIO library's writes, sent as held data events, waiting for the thread's next socket
 * write to name their connection (struct tls_bind_event). */
struct held_tls_writes {
	__u64 first_entered_ns;
	__u64 tls_object;
	__u64 bytes; /* 0: none held */
	__u8 library;
	__u8 looks_like_http; /* the sniff's answer on the first of them */
	struct stream_verdict sniffed;
};

struct thread_state {
	struct io_call io;
	struct tls_call tls;
	/* The TCP socket this thread moved bytes on last: where the reads of libraries
	 * that encrypt into memory buffers and do their socket I/O outside the call
	 * (.NET's SslStream, node) go before their TLS object has written anything.
	 * Right when a thread serves one connection at a time around each call;
	 * connections attributed this way say so. */
	struct tls_socket last_socket;
	struct held_tls_writes held_writes;
};

/* Task-local storage: the state hangs off the thread's task_struct, found in a
 * few loads instead of a hash of pid_tgid (this runs on every socket syscall,
 * twice), and the kernel frees it when the thread exits. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct thread_state);
} threads SEC(".maps");

/* The current thread's state, created empty on its first call. */
static __always_inline struct thread_state *thread_state_of(void)
{
	return bpf_task_storage_get(&threads, bpf_get_current_task_btf(), NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/* The current thread's state, if it has any. */
static __always_inline struct thread_state *thread_state_if_any(void)
{
	return bpf_task_storage_get(&threads, bpf_get_current_task_btf(), NULL, 0);
}

#endif /* THREAD_STATE_H */
