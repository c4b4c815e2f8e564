namespace Capture.Recorder.Probes;

/// <summary>One decoded x86-64 instruction: how long it is, and the few facts probe placement asks.</summary>
internal readonly record struct X86Instruction(int Length, X86Kind Kind, long BranchDisplacement)
{
    /// <summary>The address a direct call or jump goes to, given the instruction's own address.</summary>
    public ulong BranchTarget(ulong address) => (ulong)((long)address + Length + BranchDisplacement);
}

internal enum X86Kind : byte
{
    Other,
    CallRelative,   // e8 rel32
    JumpRelative,   // e9 rel32, eb rel8: unconditional, straight-line code ends
    JumpIndirect,   // ff /4, ff /5: straight-line code ends
    Trap,           // int3, ud2: padding or a dead end
    ConditionalJump,
    Return,         // c3, c2 imm16 (with or without a rep prefix)
    Push,           // 50+r, REX.B 50+r
    EndBranch,      // endbr64
}

/// <summary>
/// A length decoder for x86-64 user code, enough to walk a function's first instructions and
/// find its calls; it is not a disassembler. It knows the legacy one-byte map, the 0f two-byte
/// map and the 0f38/0f3a maps; VEX/EVEX/XOP-encoded and undefined opcodes answer null, and the
/// caller gives up on the function rather than guess (a wrong length would misplace a probe).
/// Sources: Intel SDM vol. 2, appendix A (opcode maps) and section 2.1 (instruction format).
/// </summary>
internal static class X86Instructions
{
    public static X86Instruction? Decode(ReadOnlySpan<byte> code)
    {
        int at = 0;
        bool operandSize16 = false, rexW = false;
        byte rex = 0;
        // Legacy prefixes, in any order, at most a handful in real code.
        for (; at < code.Length && at < 8; at++)
        {
            byte p = code[at];
            if (p == 0x66) operandSize16 = true;
            else if (p is not (0x67 or 0xF2 or 0xF3 or 0xF0 or 0x2E or 0x36 or 0x3E or 0x26 or 0x64 or 0x65)) break;
        }
        int legacyPrefixes = at;
        if (at < code.Length && code[at] is >= 0x40 and <= 0x4F)
        {
            rex = code[at++];
            rexW = (rex & 0x08) != 0;
            // A REX must come right before the opcode; anything else is data or a decoder's guess.
            if (at < code.Length && code[at] is (>= 0x40 and <= 0x4F) or 0x66 or 0x67 or 0xF2 or 0xF3 or 0xF0 or 0x2E or 0x36 or 0x3E or 0x26 or 0x64 or 0x65)
                return null;
        }
        if (at >= code.Length) return null;
        int prefixes = at;
        byte op = code[at++];
        int immediateZ = operandSize16 && !rexW ? 2 : 4; // "Iz": 16 or 32 bits, never 64

        if (op == 0x0F) return TwoByte(code, at, prefixes, immediateZ);

        // endbr64 is f3 0f 1e fa, handled in TwoByte; the rest is the one-byte map.
        switch (op)
        {
            case 0xC4 or 0xC5 or 0x62: return null; // VEX, EVEX
            case 0x06 or 0x07 or 0x0E or 0x16 or 0x17 or 0x1E or 0x1F or 0x27 or 0x2F or 0x37 or 0x3F
                or 0x60 or 0x61 or 0x82 or 0x9A or 0xCE or 0xD4 or 0xD5 or 0xD6 or 0xEA:
                return null; // invalid in 64-bit mode
            case 0x8F when at < code.Length && ((code[at] >> 3) & 7) != 0: return null; // XOP
        }

        bool hasModRm = op switch
        {
            <= 0x3F => (op & 0x07) <= 0x03,                          // ALU r/m forms
            0x63 or 0x69 or 0x6B => true,
            >= 0x80 and <= 0x8F => true,
            0xC0 or 0xC1 or 0xC6 or 0xC7 => true,
            >= 0xD0 and <= 0xD3 => true,
            >= 0xD8 and <= 0xDF => true,                             // x87
            0xF6 or 0xF7 or 0xFE or 0xFF => true,
            _ => false,
        };
        int modRmLength = 0;
        int reg = 0;
        if (hasModRm)
        {
            if (ModRmLength(code, at) is not { } n) return null;
            reg = (code[at] >> 3) & 7;
            modRmLength = n;
        }

        int immediate = op switch
        {
            <= 0x3F when (op & 0x07) == 0x04 => 1,                   // AL, imm8
            <= 0x3F when (op & 0x07) == 0x05 => immediateZ,          // eAX, imm
            0x68 or 0x69 or 0x81 or 0xC7 or 0xA9 => immediateZ,
            0x6A or 0x6B or 0x80 or 0x83 or 0xA8 or 0xC0 or 0xC1 or 0xC6 or 0xCD => 1,
            >= 0x70 and <= 0x7F => 1,
            >= 0xE0 and <= 0xE7 => 1,
            0xEB => 1,
            0xE8 or 0xE9 => 4,
            >= 0xB0 and <= 0xB7 => 1,
            >= 0xB8 and <= 0xBF => rexW ? 8 : immediateZ,
            >= 0xA0 and <= 0xA3 => code[..prefixes].Contains((byte)0x67) ? 4 : 8, // moffs
            0xC2 or 0xCA => 2,
            0xC8 => 3,
            0xF6 when reg <= 1 => 1,
            0xF7 when reg <= 1 => immediateZ,
            _ => 0,
        };
        int length = at + modRmLength + immediate;
        if (length > code.Length || length > 15) return null;

        var kind = op switch
        {
            0xE8 => X86Kind.CallRelative,
            0xE9 or 0xEB => X86Kind.JumpRelative,
            >= 0x70 and <= 0x7F => X86Kind.ConditionalJump,
            0xC3 or 0xC2 => X86Kind.Return,
            0xCC => X86Kind.Trap,
            0xFF when reg is 4 or 5 => X86Kind.JumpIndirect,
            >= 0x50 and <= 0x57 when legacyPrefixes == 0 && (rex == 0 || rex == 0x41) => X86Kind.Push,
            _ => X86Kind.Other,
        };
        long displacement = op switch
        {
            0xE8 or 0xE9 => BitConverter.ToInt32(code.Slice(at, 4)),
            0xEB or (>= 0x70 and <= 0x7F) => (sbyte)code[at],
            _ => 0,
        };
        return new X86Instruction(length, kind, displacement);
    }

    private static X86Instruction? TwoByte(ReadOnlySpan<byte> code, int at, int prefixes, int immediateZ)
    {
        if (at >= code.Length) return null;
        byte op = code[at++];
        if (op == 0x38 || op == 0x3A)
        {
            if (at >= code.Length) return null;
            at++; // the third opcode byte
            if (ModRmLength(code, at) is not { } n) return null;
            int length3 = at + n + (op == 0x3A ? 1 : 0);
            return length3 <= code.Length && length3 <= 15 ? new X86Instruction(length3, X86Kind.Other, 0) : null;
        }
        if (op is >= 0x80 and <= 0x8F)
        {
            int lengthJ = at + 4;
            if (lengthJ > code.Length) return null;
            return new X86Instruction(lengthJ, X86Kind.ConditionalJump, BitConverter.ToInt32(code.Slice(at, 4)));
        }
        bool noModRm = op is 0x05 or 0x06 or 0x07 or 0x08 or 0x09 or 0x0B or 0x77 or 0xA0 or 0xA1 or 0xA2 or 0xA8 or 0xA9 or 0xAA
            or (>= 0x30 and <= 0x35) or (>= 0xC8 and <= 0xCF);
        bool undefined = op is 0x04 or 0x0A or 0x0C or 0x0E or 0x0F or 0x36 or 0x39 or (>= 0x3B and <= 0x3F) or (>= 0x24 and <= 0x27)
            or 0x7A or 0x7B or 0xA6 or 0xA7 or 0xFF;
        if (undefined) return null;
        if (noModRm) return new X86Instruction(at, op == 0x0B ? X86Kind.Trap : X86Kind.Other, 0);
        if (ModRmLength(code, at) is not { } modRm) return null;
        int immediate = op is (>= 0x70 and <= 0x73) or 0xA4 or 0xAC or 0xBA or 0xC2 or 0xC4 or 0xC5 or 0xC6 ? 1 : 0;
        int length = at + modRm + immediate;
        if (length > code.Length || length > 15) return null;
        bool endBranch = op == 0x1E && code[..prefixes].Contains((byte)0xF3) && code[at] == 0xFA;
        return new X86Instruction(length, endBranch ? X86Kind.EndBranch : X86Kind.Other, 0);
    }

    /// <summary>Bytes taken by the ModRM byte at <paramref name="at"/> and what it implies: a SIB
    /// byte, and an 8- or 32-bit displacement (mod 00 with rm 101 is RIP-relative, disp32).</summary>
    private static int? ModRmLength(ReadOnlySpan<byte> code, int at)
    {
        if (at >= code.Length) return null;
        byte modRm = code[at];
        int mod = modRm >> 6, rm = modRm & 7;
        if (mod == 3) return 1;
        int length = 1;
        if (rm == 4)
        {
            if (at + 1 >= code.Length) return null;
            length++;
            if (mod == 0 && (code[at + 1] & 7) == 5) return length + 4; // SIB with no base: disp32
        }
        return mod switch
        {
            0 when rm == 5 => length + 4,
            0 => length,
            1 => length + 1,
            _ => length + 4,
        };
    }

    /// <summary>Whether the kernel runs a uprobe on this instruction by emulating it, not by
    /// single-stepping a copy: push of a register, direct call, direct jump, conditional jump, nop
    /// (arch/x86/kernel/uprobes.c: branch_setup_xol_ops, push_setup_xol_ops). A single-step costs
    /// a second trap; on this VM that made a uprobe hit about four times as expensive.</summary>
    public static bool KernelEmulates(ReadOnlySpan<byte> code)
    {
        if (code.IsEmpty) return false;
        if (code[0] == 0x90) return true;
        if (Decode(code) is not { } instruction) return false;
        // Push is only decoded as such without a legacy prefix and with no REX but REX.B, as the kernel takes it;
        // a branch is emulated only unprefixed, its opcode (or the 0f of a near jcc) first.
        return instruction.Kind == X86Kind.Push
            || (instruction.Kind is X86Kind.CallRelative or X86Kind.JumpRelative or X86Kind.ConditionalJump
                && code[0] is 0xE8 or 0xE9 or 0xEB or (>= 0x70 and <= 0x7F) or 0x0F);
    }
}
