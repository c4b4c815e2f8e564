/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Does a byte stream start like HTTP? Decided in the kernel from the first
 * bytes of a connection so that non-HTTP traffic never reaches user space.
 * RFC 9112 §3 (request line), §4 (status line); RFC 9113 §3.4 (h2 preface).
 */
#ifndef HTTP_SNIFF_H
#define HTTP_SNIFF_H

#define HTTP_SNIFF_BYTES 8

enum sniff_result { SNIFF_NO = 0, SNIFF_HTTP = 1, SNIFF_MAYBE = 2 };

/* Compares the first n captured bytes with a prefix; when n is shorter than
 * the prefix, a match so far is only a maybe. */
static __always_inline int sniff_prefix(const char *head, __u64 n, const char *prefix, int prefix_len)
{
	for (int i = 0; i < HTTP_SNIFF_BYTES; i++) {
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
 * flags 0, stream 0 (its first three octets fit in the bytes sniffed). */
static __always_inline bool sniff_h2_server_preface(const char *head, __u64 n)
{
	const unsigned char *h = (const unsigned char *)head;
	if (n < HTTP_SNIFF_BYTES)
		return false;
	__u32 length = (__u32)h[1] << 8 | h[2];
	return h[0] == 0 && length % 6 == 0 && h[3] == 0x4 && h[4] == 0 &&
	       h[5] == 0 && h[6] == 0 && h[7] == 0;
}

static __always_inline int http_sniff(const char *head, __u64 n)
{
	int maybe = 0;
	if (n == 0)
		return SNIFF_MAYBE;
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
	if (sniff_h2_server_preface(head, n))
		return SNIFF_HTTP;
	return maybe ? SNIFF_MAYBE : SNIFF_NO;
}

#undef SNIFF
#endif /* HTTP_SNIFF_H */
