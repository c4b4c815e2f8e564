/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process starts, for TLS libraries linked into executables (node, Envoy):
 * a uprobe belongs to a file, so shared libraries probed at start cover every
 * later process, but an executable nobody ran at start is unknown until it
 * runs. The recorder reads the new program's ELF symbols when this event
 * arrives and attaches; the race with the program's first TLS call is
 * usually won, since runtimes take tens of milliseconds to start.
 * Included by capture.bpf.c: it shares that file's maps and helpers.
 */
#ifndef EXEC_WATCH_H
#define EXEC_WATCH_H

SEC("tracepoint/sched/sched_process_exec")
int sched_process_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!process_is_traced(pid_tgid))
		return 0;
	struct exec_event ev = {};
	ev.header.timestamp_ns = bpf_ktime_get_ns();
	ev.header.pid = pid_tgid >> 32;
	ev.header.tid = (__u32)pid_tgid;
	ev.header.fd = -1;
	ev.header.kind = EVENT_EXEC;
	bpf_get_current_comm(ev.header.comm, sizeof(ev.header.comm));
	/* __data_loc: the low 16 bits are the string's offset in the record. */
	unsigned int at = ctx->__data_loc_filename & 0xFFFF;
	if (bpf_probe_read_kernel_str(ev.filename, sizeof(ev.filename), (void *)ctx + at) < 0)
		ev.filename[0] = 0;
	/* Woken at once: the TLS probes of the new program should attach before its first call. */
	if (bpf_ringbuf_output(&events, &ev, sizeof(ev), BPF_RB_FORCE_WAKEUP))
		count_drop();
	return 0;
}

#endif /* EXEC_WATCH_H */
