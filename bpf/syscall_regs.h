/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Syscall numbers and argument registers for the two raw syscall hooks
 * (tp_btf/sys_enter, tp_btf/sys_exit), per architecture. The hooks see every
 * syscall of the host and pick theirs by number: one program pair instead of a
 * perf tracepoint per syscall, which cost a perf record per hit and a detach
 * (an RCU grace period) per program at stop.
 *
 * A 32-bit syscall (an ia32 process, or int 0x80) numbers differently (its
 * read is 3, the native close) and passes its arguments in other registers:
 * decode_syscall translates it, so a 32-bit read is recorded as a read and
 * never taken for a close. (The old socketcall multiplexer is not decoded.)
 *
 * The registers are the user's, saved at syscall entry, and read directly
 * through the BTF-typed pt_regs (no helper call). They still hold the
 * arguments at exit, which lets the exit hook recover a read that was already
 * blocked when recording began.
 */
#ifndef SYSCALL_REGS_H
#define SYSCALL_REGS_H

#if defined(__TARGET_ARCH_x86)
#define SYS_READ 0
#define SYS_WRITE 1
#define SYS_CLOSE 3
#define SYS_READV 19
#define SYS_WRITEV 20
#define SYS_SENDFILE 40
#define SYS_CONNECT 42
#define SYS_ACCEPT 43
#define SYS_SENDTO 44
#define SYS_RECVFROM 45
#define SYS_SENDMSG 46
#define SYS_RECVMSG 47
#define SYS_ACCEPT4 288
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#define SYSCALL_ARG1(regs) ((regs)->di)
#define SYSCALL_ARG2(regs) ((regs)->si)
#define SYSCALL_ARG3(regs) ((regs)->dx)
#define SYSCALL_ARG4(regs) ((regs)->r10)
/* TS_COMPAT (asm/thread_info.h): the thread is in a 32-bit syscall (an ia32
 * process, or int 0x80), whose numbers mean other calls (3 is read, not close). */
#define TS_COMPAT 0x0002
#define SYSCALL_IS_NATIVE(regs) (!(bpf_get_current_task_btf()->thread_info.status & TS_COMPAT))
/* 32-bit syscalls (syscall_32.tbl) and their arguments: ebx, ecx, edx. */
#define HAS_COMPAT_SYSCALLS 1
#define COMPAT_SYS_READ 3
#define COMPAT_SYS_WRITE 4
#define COMPAT_SYS_CLOSE 6
#define COMPAT_SYS_READV 145
#define COMPAT_SYS_WRITEV 146
#define COMPAT_SYS_SENDFILE 187
#define COMPAT_SYS_SENDFILE64 239
#define COMPAT_SYS_CONNECT 362
#define COMPAT_SYS_ACCEPT4 364
#define COMPAT_SYS_SENDTO 369
#define COMPAT_SYS_SENDMSG 370
#define COMPAT_SYS_RECVFROM 371
#define COMPAT_SYS_RECVMSG 372
#define COMPAT_ARG1(regs) ((__u32)(regs)->bx)
#define COMPAT_ARG2(regs) ((__u32)(regs)->cx)
#define COMPAT_ARG3(regs) ((__u32)(regs)->dx)
#define COMPAT_ARG4(regs) ((__u32)(regs)->si)
#elif defined(__TARGET_ARCH_arm64)
/* The generic numbers of asm-generic/unistd.h. */
#define SYS_CLOSE 57
#define SYS_READ 63
#define SYS_WRITE 64
#define SYS_READV 65
#define SYS_WRITEV 66
#define SYS_SENDFILE 71
#define SYS_ACCEPT 202
#define SYS_CONNECT 203
#define SYS_SENDTO 206
#define SYS_RECVFROM 207
#define SYS_SENDMSG 211
#define SYS_RECVMSG 212
#define SYS_ACCEPT4 242
#define SYSCALL_NR(regs) ((regs)->syscallno)
/* x0 carries the return value at exit; the kernel keeps the first argument in orig_x0. */
#define SYSCALL_ARG1(regs) ((regs)->orig_x0)
#define SYSCALL_ARG2(regs) ((regs)->regs[1])
#define SYSCALL_ARG3(regs) ((regs)->regs[2])
#define SYSCALL_ARG4(regs) ((regs)->regs[3])
/* PSR_MODE32_BIT: an AArch32 task, whose syscalls number differently (not recorded). */
#define SYSCALL_IS_NATIVE(regs) (!((regs)->pstate & 0x10))
#define HAS_COMPAT_SYSCALLS 0
#else
#error "syscall_regs.h: add this architecture's syscall numbers and argument registers"
#endif

/* The syscalls the hooks handle, by their native numbers. */
static __always_inline bool is_socket_syscall(long nr)
{
	switch (nr) {
	case SYS_READ:
	case SYS_WRITE:
	case SYS_RECVFROM:
	case SYS_SENDTO:
	case SYS_READV:
	case SYS_WRITEV:
	case SYS_RECVMSG:
	case SYS_SENDMSG:
	case SYS_SENDFILE:
	case SYS_CONNECT:
	case SYS_ACCEPT:
	case SYS_ACCEPT4:
	case SYS_CLOSE:
		return true;
	}
	return false;
}

/* One syscall in native terms: what the hooks act on. */
struct syscall_call {
	long nr; /* native number */
	__u64 arg1, arg2, arg3, arg4;
	/* A 32-bit call whose iovec or msghdr has the 32-bit layout: its bytes are
	 * counted, so the stream stays in step, but not copied. */
	bool compat_layout;
};

#if HAS_COMPAT_SYSCALLS
static __always_inline long native_of_compat(long nr)
{
	switch (nr) {
	case COMPAT_SYS_READ: return SYS_READ;
	case COMPAT_SYS_WRITE: return SYS_WRITE;
	case COMPAT_SYS_CLOSE: return SYS_CLOSE;
	case COMPAT_SYS_READV: return SYS_READV;
	case COMPAT_SYS_WRITEV: return SYS_WRITEV;
	case COMPAT_SYS_SENDFILE:
	case COMPAT_SYS_SENDFILE64: return SYS_SENDFILE;
	case COMPAT_SYS_CONNECT: return SYS_CONNECT;
	case COMPAT_SYS_ACCEPT4: return SYS_ACCEPT4;
	case COMPAT_SYS_SENDTO: return SYS_SENDTO;
	case COMPAT_SYS_SENDMSG: return SYS_SENDMSG;
	case COMPAT_SYS_RECVFROM: return SYS_RECVFROM;
	case COMPAT_SYS_RECVMSG: return SYS_RECVMSG;
	}
	return -1;
}
#endif

/* Decodes the syscall in flight; false when it is none of ours. Every syscall
 * of the host passes here: one that is none of ours under either numbering
 * leaves on its number alone, before the task is read. */
static __always_inline bool decode_syscall(struct pt_regs *regs, long nr, struct syscall_call *call)
{
	bool native_candidate = is_socket_syscall(nr);
#if HAS_COMPAT_SYSCALLS
	long compat = native_of_compat(nr);
#else
	long compat = -1;
#endif
	if (!native_candidate && compat < 0)
		return false;
	if (SYSCALL_IS_NATIVE(regs)) {
		if (!native_candidate)
			return false;
		call->nr = nr;
		call->arg1 = SYSCALL_ARG1(regs);
		call->arg2 = SYSCALL_ARG2(regs);
		call->arg3 = SYSCALL_ARG3(regs);
		call->arg4 = SYSCALL_ARG4(regs);
		call->compat_layout = false;
		return true;
	}
#if HAS_COMPAT_SYSCALLS
	if (compat < 0)
		return false;
	call->nr = compat;
	call->arg1 = COMPAT_ARG1(regs);
	call->arg2 = COMPAT_ARG2(regs);
	call->arg3 = COMPAT_ARG3(regs);
	call->arg4 = COMPAT_ARG4(regs);
	call->compat_layout = compat == SYS_READV || compat == SYS_WRITEV ||
			      compat == SYS_RECVMSG || compat == SYS_SENDMSG;
	return true;
#else
	return false;
#endif
}

#endif /* SYSCALL_REGS_H */
