using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Capture.Recorder.Probes;

/// <summary>
/// Finds the internal function that OpenSSL's SSL_read and SSL_read_ex (or SSL_write and
/// SSL_write_ex) both call, when probing it costs fewer traps than probing them.
///
/// Why: a uprobe on an instruction the kernel cannot emulate is single-stepped, which costs a
/// second trap. Debian's libssl starts SSL_read with `sub $0x18,%rsp` (single-stepped), while the
/// function it calls, ssl_read_internal(s, buf, num, &amp;readbytes), starts with `push` (emulated).
/// On this VM nginx served 20k HTTPS req/s with probes on SSL_read/SSL_write, 70k with the same
/// probes on their callees (bench/https.sh).
///
/// The callee is trusted only when the file shows it: the _ex function must be a thin wrapper that
/// hands its four arguments on untouched (only stack set-up before a direct call or tail jump), so
/// the callee has the _ex signature (ssl, buf, num, size_t *count) and returns &gt; 0 on success;
/// and the plain function's straight-line code must call the same address. Anything else (a build
/// that inlined the callee, OpenSSL 3.2's extra flags argument, BoringSSL's different layout)
/// keeps the probes on the exported functions.
/// </summary>
internal static class OpenSslCallees
{
    /// <summary>How far into a function we look for its call: SSL_read's is at +0x1e.</summary>
    private const int WalkBytes = 256;
    private const int WrapperInstructions = 8;

    /// <summary>The function both call, with the file offset to probe; or null and why not.</summary>
    public static (ElfFunction? Callee, string Reason) Shared(string path, ElfFunction plain, ElfFunction ex)
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return (null, "probe placement is decoded for x86-64 only");
        using var file = File.OpenHandle(path);
        var plainCode = Read(file, plain.FileOffset);
        if (X86Instructions.KernelEmulates(plainCode))
            return (null, $"{plain.Name} starts with an instruction the kernel emulates");
        if (ForwardedCall(Read(file, ex.FileOffset), ex.Address) is not { } target)
            return (null, $"{ex.Name} is not a thin wrapper of one call");
        if (!Calls(plainCode, plain.Address, target))
            return (null, $"{plain.Name} does not call the function {ex.Name} calls");
        // A direct call stays in its text segment, so the callee's file offset is as far from the
        // caller's as their addresses are.
        long offset = (long)ex.FileOffset + (long)(target - ex.Address);
        if (offset < 0 || offset >= RandomAccess.GetLength(file))
            return (null, $"the function {ex.Name} calls lies outside the file");
        if (!X86Instructions.KernelEmulates(Read(file, (ulong)offset)))
            return (null, $"the function {ex.Name} calls starts with an instruction the kernel single-steps");
        return (new ElfFunction($"{plain.Name}+{ex.Name} callee", target, (ulong)offset), "emulated first instruction");
    }

    /// <summary>The target of a wrapper's only call, if nothing before it touches an argument register.</summary>
    private static ulong? ForwardedCall(ReadOnlySpan<byte> code, ulong address)
    {
        int at = 0;
        for (int i = 0; i < WrapperInstructions && at < code.Length; i++)
        {
            if (X86Instructions.Decode(code[at..]) is not { } instruction) return null;
            var bytes = code.Slice(at, instruction.Length);
            switch (instruction.Kind)
            {
                case X86Kind.CallRelative or X86Kind.JumpRelative:
                    return instruction.BranchTarget(address + (ulong)at);
                case X86Kind.Push or X86Kind.EndBranch:
                    break;
                case X86Kind.Other when IsStackSetup(bytes):
                    break;
                default:
                    return null;
            }
            at += instruction.Length;
        }
        return null;
    }

    /// <summary>`sub $n,%rsp` or `mov %rsp,%rbp`: frame set-up that leaves rdi, rsi, rdx, rcx alone.</summary>
    private static bool IsStackSetup(ReadOnlySpan<byte> bytes) =>
        bytes is [0x48, 0x83, 0xEC, _] or [0x48, 0x81, 0xEC, _, _, _, _] or [0x48, 0x89, 0xE5];

    /// <summary>Whether the straight-line code from the function's start calls (or tail-jumps to) <paramref name="target"/>.</summary>
    private static bool Calls(ReadOnlySpan<byte> code, ulong address, ulong target)
    {
        int at = 0;
        while (at < code.Length && X86Instructions.Decode(code[at..]) is { } instruction)
        {
            var kind = instruction.Kind;
            if ((kind is X86Kind.CallRelative or X86Kind.JumpRelative) && instruction.BranchTarget(address + (ulong)at) == target)
                return true;
            if (kind is X86Kind.Return or X86Kind.JumpRelative or X86Kind.JumpIndirect or X86Kind.Trap)
                return false;
            at += instruction.Length;
        }
        return false;
    }

    private static byte[] Read(SafeFileHandle file, ulong offset)
    {
        var buffer = new byte[WalkBytes];
        if (offset > long.MaxValue) return [];
        int read = RandomAccess.Read(file, buffer, (long)offset);
        return buffer[..read];
    }
}
