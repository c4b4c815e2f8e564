using System.Security.Cryptography;

namespace Capture.Recorder.Redaction;

/// <summary>
/// Turns a secret into characters that reveal nothing about it without the key, yet stay equal for equal secrets
/// (so two requests with the same token are still seen to share it): HMAC-SHA256(key, secret) seeds a stream of
/// SHA-256 blocks, and each output character is one stream byte mapped onto an alphabet.
/// </summary>
internal sealed class SecretHasher(byte[] key)
{
    /// <summary>Lower-case base32: valid in header values, cookies and query strings.</summary>
    public static ReadOnlySpan<byte> RawAlphabet => "abcdefghijklmnopqrstuvwxyz234567"u8;

    /// <summary>Fills <paramref name="output"/> with characters of <paramref name="alphabet"/> derived from
    /// <paramref name="secret"/>. The secret and the output may not overlap: hash first, then overwrite.</summary>
    public void Fill(ReadOnlySpan<byte> secret, Span<byte> output, ReadOnlySpan<byte> alphabet)
    {
        Span<byte> seed = stackalloc byte[32 + 4];
        HMACSHA256.HashData(key, secret, seed);
        Span<byte> block = stackalloc byte[32];
        for (int done = 0, counter = 0; done < output.Length; counter++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(seed[32..], counter);
            SHA256.HashData(seed, block);
            for (int i = 0; i < block.Length && done < output.Length; i++) output[done++] = alphabet[block[i] % alphabet.Length];
        }
    }

    /// <summary>Replaces <paramref name="value"/> in place by as many characters of <see cref="RawAlphabet"/>.</summary>
    public void ReplaceInPlace(Span<byte> value)
    {
        if (value.IsEmpty) return;
        byte[] secret = value.ToArray();
        Fill(secret, value, RawAlphabet);
        CryptographicOperations.ZeroMemory(secret);
    }
}
