namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// An Ethereum ECDSA signature: r, s (low-s when we produced it) and the recovery id / y-parity (0 or 1).
/// Unmanaged and immutable; all members allocation-free.
/// </summary>
public readonly record struct EcdsaSignature(UInt256 R, UInt256 S, byte YParity)
{
    /// <summary>The legacy v (27 or 28), as personal_sign and the Flashbots header use.</summary>
    public byte V => (byte)(27 + YParity);

    /// <summary>True if s ≤ n/2 (EIP-2).</summary>
    public bool IsLowS => S <= Secp256k1.HalfN;

    /// <summary>Writes r || s (64 bytes).</summary>
    public void WriteCompact(Span<byte> rs64)
    {
        R.ToBigEndian(rs64[..32]);
        S.ToBigEndian(rs64.Slice(32, 32));
    }

    /// <summary>Writes r || s || v (65 bytes) with v = <paramref name="vOffset"/> + yParity (27 by default; 0 gives raw parity).</summary>
    public void WriteRsv(Span<byte> dest65, byte vOffset = 27)
    {
        if (dest65.Length < 65)
        {
            throw new ArgumentException("Destination must be at least 65 bytes.", nameof(dest65));
        }

        WriteCompact(dest65);
        dest65[64] = (byte)(vOffset + YParity);
    }

    /// <summary>Reads r || s from 64 bytes.</summary>
    public static EcdsaSignature FromCompact(ReadOnlySpan<byte> rs64, byte yParity) =>
        new(UInt256.FromBigEndian(rs64[..32]), UInt256.FromBigEndian(rs64.Slice(32, 32)), yParity);
}
