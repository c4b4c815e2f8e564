/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Does a byte stream start like HTTP? Decided in the kernel from the first
 * bytes of a connection so that non-HTTP traffic never reaches user space.
 * RFC 9112 §3 (request line), §4 (status line); RFC 9113 §3.4 (h2 preface).
 */
#ifndef HTTP_SNIFF_H
#define HTTP_SNIFF_H

/* Bytes of a stream's start the check looks at: a method or status line prefix
 * (at most SNIFF_PREFIX_BYTES) after at most one empty line (2 bytes). */
#define HTTP_SNIFF_BYTES 16
#define SNIFF_PREFIX_BYTES 8

enum sniff_result { SNIFF_NO = 0, SNIFF_HTTP = 1, SNIFF_MAYBE = 2 };

/* Compares the first n captured bytes with a prefix of at most SNIFF_PREFIX_BYTES; when n is
 * shorter than the prefix, a match so far is only a maybe. */
static __always_inline int sniff_prefix(const char *head, __u64 n, const char *prefix, int prefix_len)
{
	for (int i = 0; i < SNIFF_PREFIX_BYTES; i++) {
		if (i >= prefix_len)
			return SNIFF_HTTP;
		if (i >= n)
			return SNIFF_MAYBE;
		if (head[i] != prefix[i])
			return SNIFF_NO;
	}
	return SNIFF_HTTP;
}

#define SNIFF(p)                                                              \
	do {                                                                  \
		int r = sniff_prefix(head, n, p, sizeof(p) - 1);              \
		if (r == SNIFF_HTTP)                                          \
			return SNIFF_HTTP;                                    \
		if (r == SNIFF_MAYBE)                                         \
			maybe = 1;                                            \
	} while (0)

/* RFC 9113 §3.4: a server's connection preface is a SETTINGS frame, and servers
 * (nghttpd, Go) send it right after accept, before the client's preface arrives.
 * Frame header: length (24 bits, a multiple of 6; under 64 KiB here), type 0x4,
 * flags 0, stream 0 (its first three octets fit in the 8 bytes looked at). */
static __always_inline bool sniff_h2_server_preface(const char *head, __u64 n)
{
	const unsigned char *h = (const unsigned char *)head;
	if (n < 8)
		return false;
	__u32 length = (__u32)h[1] << 8 | h[2];
	return h[0] == 0 && length % 6 == 0 && h[3] == 0x4 && h[4] == 0 &&
	       h[5] == 0 && h[6] == 0 && h[7] == 0;
}

/* A request or status line at head: the methods of RFC 9110 §9, those of WebDAV and CalDAV
 * (RFC 4918, 3253, 3744, 4791, 5323) that clients open connections with, PURGE (caches), QUERY. */
static __always_inline int sniff_start_line(const char *head, __u64 n)
{
	int maybe = 0;
	SNIFF("GET ");
	SNIFF("POST ");
	SNIFF("PUT ");
	SNIFF("HEAD ");
	SNIFF("DELETE ");
	SNIFF("PATCH ");
	SNIFF("OPTIONS ");
	SNIFF("CONNECT ");
	SNIFF("TRACE ");
	SNIFF("HTTP/1.");
	SNIFF("PRI * HT"); /* HTTP/2 connection preface, prior knowledge */
	SNIFF("PROPFIND");
	SNIFF("PROPPATC");
	SNIFF("MKCOL ");
	SNIFF("COPY ");
	SNIFF("MOVE ");
	SNIFF("LOCK ");
	SNIFF("UNLOCK ");
	SNIFF("REPORT ");
	SNIFF("SEARCH ");
	SNIFF("MKCALEND");
	SNIFF("ACL ");
	SNIFF("PURGE ");
	SNIFF("QUERY ");
	return maybe ? SNIFF_MAYBE : SNIFF_NO;
}

/* RFC 9113 §4.1, §6: whether 9 octets are a frame header a peer could send. Each type's own rules
 * are checked (its flags, its stream, its fixed length) so that other binary protocols rarely pass;
 * the length is bounded as the analyzer bounds it (a peer may raise SETTINGS_MAX_FRAME_SIZE). Returns
 * the payload length, or -1. */
#define H2_SNIFF_MAX_FRAME (1 << 20)

static __always_inline long h2_frame_length(const unsigned char *h)
{
	__u32 length = (__u32)h[0] << 16 | (__u32)h[1] << 8 | h[2];
	__u8 type = h[3], flags = h[4];
	__u32 stream = (__u32)h[5] << 24 | (__u32)h[6] << 16 | (__u32)h[7] << 8 | h[8];
	if (length > H2_SNIFF_MAX_FRAME || (stream & 0x80000000))
		return -1;
	bool ok;
	switch (type) {
	case 0x0: ok = stream && !(flags & ~0x09); break;                 /* DATA: END_STREAM, PADDED */
	case 0x1: ok = stream && !(flags & ~0x2d); break;                 /* HEADERS: + END_HEADERS, PRIORITY */
	case 0x2: ok = stream && !flags && length == 5; break;            /* PRIORITY */
	case 0x3: ok = stream && !flags && length == 4; break;            /* RST_STREAM */
	case 0x4: ok = !stream && !(flags & ~0x01) && length % 6 == 0 && (!(flags & 1) || !length); break; /* SETTINGS */
	case 0x5: ok = stream && !(flags & ~0x0c); break;                 /* PUSH_PROMISE */
	case 0x6: ok = !stream && !(flags & ~0x01) && length == 8; break; /* PING */
	case 0x7: ok = !stream && !flags && length >= 8; break;           /* GOAWAY */
	case 0x8: ok = !flags && length == 4; break;                      /* WINDOW_UPDATE */
	case 0x9: ok = stream && !(flags & ~0x04); break;                 /* CONTINUATION */
	default: ok = false;
	}
	return ok ? (long)length : -1;
}

/* Frames checked in one call, at most. */
#define H2_SNIFF_FRAMES 4

/* A call of a connection joined mid-way (HTTP/2 sends no preface then) that holds HTTP/2 frames from
 * its first byte: its frame headers chain from one to the next and the chain ends where the call
 * does, or the chain holds two frames or more (the last may run past the call), or four. HTTP/2
 * implementations write whole frames, and a TLS record's plaintext begins where its write did, so
 * most calls begin on a frame; one that begins inside a frame is simply not taken, and a later
 * call is looked at. A global function, so that the verifier checks it once and not on every path
 * of the syscall programs that call it (inlined there, it took them past the verifier's limit).
 * buf: the call's first buffer in user memory; len: the bytes the call moved in it. */
__noinline int sniff_h2_frames(__u64 buf, __u64 len)
{
	__u64 at = 0;
	for (int frames = 0; frames < H2_SNIFF_FRAMES; frames++) {
		if (frames > 0 && at == len)
			return 1;
		if (at + 9 > len)
			return frames >= 2 && at >= len;
		unsigned char header[9];
		if (bpf_probe_read_user(header, sizeof(header), (void *)(buf + at)))
			return 0;
		long length = h2_frame_length(header);
		if (length < 0)
			return 0;
		at += 9 + (__u64)length;
	}
	return 1;
}

static __always_inline int http_sniff(const char *head, __u64 n)
{
	if (n == 0)
		return SNIFF_MAYBE;
	if (sniff_h2_server_preface(head, n))
		return SNIFF_HTTP;
	int sniffed = sniff_start_line(head, n);
	if (sniffed != SNIFF_NO)
		return sniffed;
	/* RFC 9112 §2.2: a server ignores at least one empty line before a request line. */
	if (head[0] == '\r')
		return n < 2 ? SNIFF_MAYBE : head[1] == '\n' ? sniff_start_line(head + 2, n - 2) : SNIFF_NO;
	if (head[0] == '\n')
		return sniff_start_line(head + 1, n - 1);
	return SNIFF_NO;
}

#undef SNIFF
#endif /* HTTP_SNIFF_H */
