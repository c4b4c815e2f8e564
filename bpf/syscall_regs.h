/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Syscall numbers and argument registers for the two raw syscall hooks
 * (tp_btf/sys_enter, tp_btf/sys_exit), per architecture. The hooks see every
 * syscall of the host and pick theirs by number: one program pair instead of a
 * perf tracepoint per syscall, which cost a perf record per hit and a detach
 * (an RCU grace period) per program at stop.
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
#else
#error "syscall_regs.h: add this architecture's syscall numbers and argument registers"
#endif

#endif /* SYSCALL_REGS_H */
