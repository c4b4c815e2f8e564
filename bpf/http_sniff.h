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
