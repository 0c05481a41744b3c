using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;

namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// Managed fallback on BouncyCastle: RFC 6979 (HMAC-SHA256) via <see cref="HMacDsaKCalculator"/>, low-s normalised,
/// recovery id from the parity of R. Thread-safe (no shared mutable state); allocates on every call.
/// </summary>
internal sealed class BouncyCastleSecp256k1 : ISecp256k1
{
    private static readonly X9ECParameters s_curve = CustomNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters s_domain = new(s_curve.Curve, s_curve.G, s_curve.N, s_curve.H);
    private static readonly BigInteger s_halfN = s_curve.N.ShiftRight(1);
    private static readonly BigInteger s_fieldP = s_curve.Curve.Field.Characteristic;

    public string Name => "BouncyCastle";

    public bool IsNative => false;

    public bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey32) => privateKey32.Length == 32 && ToScalar(privateKey32) is not null;

    public bool TryGetPublicKey(ReadOnlySpan<byte> privateKey32, Span<byte> uncompressedPublicKey65)
    {
        if (privateKey32.Length != 32 || uncompressedPublicKey65.Length < 65 || ToScalar(privateKey32) is not { } d)
        {
            return false;
        }

        ECPoint q = new FixedPointCombMultiplier().Multiply(s_domain.G, d).Normalize();
        q.GetEncoded(false).CopyTo(uncompressedPublicKey65);
        return true;
    }

    public bool TrySign(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32, Span<byte> rs64, out int recoveryId)
    {
        recoveryId = -1;
        if (hash32.Length != 32 || privateKey32.Length != 32 || rs64.Length < 64 || ToScalar(privateKey32) is not { } d)
        {
            return false;
        }

        // ECDSA by hand so R's y parity (the recovery id) falls out directly instead of by trial recovery.
        BigInteger n = s_curve.N;
        var e = new BigInteger(1, hash32);
        var kCalculator = new HMacDsaKCalculator(new Sha256Digest());
        kCalculator.Init(n, d, hash32.ToArray());
        var multiplier = new FixedPointCombMultiplier();
        while (true)
        {
            BigInteger k = kCalculator.NextK();
            ECPoint bigR = multiplier.Multiply(s_domain.G, k).Normalize();
            BigInteger x = bigR.AffineXCoord.ToBigInteger();
            BigInteger r = x.Mod(n);
            if (r.SignValue == 0)
            {
                continue;
            }

            BigInteger s = k.ModInverse(n).Multiply(e.Add(d.Multiply(r))).Mod(n);
            if (s.SignValue == 0)
            {
                continue;
            }

            int id = (bigR.AffineYCoord.TestBitZero() ? 1 : 0) | (x.CompareTo(n) >= 0 ? 2 : 0);
            if (s.CompareTo(s_halfN) > 0)
            {
                s = n.Subtract(s);
                id ^= 1;
            }

            WriteScalar(r, rs64[..32]);
            WriteScalar(s, rs64.Slice(32, 32));
            recoveryId = id;
            return true;
        }
    }

    public bool TryRecover(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> rs64, int recoveryId, Span<byte> uncompressedPublicKey65)
    {
        if (hash32.Length != 32 || rs64.Length != 64 || (uint)recoveryId > 3 || uncompressedPublicKey65.Length < 65)
        {
            return false;
        }

        var r = new BigInteger(1, rs64[..32]);
        var s = new BigInteger(1, rs64[32..]);
        ECPoint? q = Recover(hash32.ToArray(), r, s, recoveryId);
        if (q is null)
        {
            return false;
        }

        q.GetEncoded(false).CopyTo(uncompressedPublicKey65);
        return true;
    }

    public bool Verify(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> rs64, ReadOnlySpan<byte> uncompressedPublicKey65)
    {
        if (hash32.Length != 32 || rs64.Length != 64 || uncompressedPublicKey65.Length != 65 || uncompressedPublicKey65[0] != 0x04)
        {
            return false;
        }

        var r = new BigInteger(1, rs64[..32]);
        var s = new BigInteger(1, rs64[32..]);
        if (r.SignValue == 0 || s.SignValue == 0 || r.CompareTo(s_curve.N) >= 0 || s.CompareTo(s_halfN) > 0)
        {
            return false;
        }

        var x = new BigInteger(1, uncompressedPublicKey65.Slice(1, 32));
        var y = new BigInteger(1, uncompressedPublicKey65.Slice(33, 32));
        if (x.CompareTo(s_fieldP) >= 0 || y.CompareTo(s_fieldP) >= 0)
        {
            return false;
        }

        ECPoint point = s_curve.Curve.CreatePoint(x, y);
        if (!point.IsValid())
        {
            return false;
        }

        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(point, s_domain));
        return verifier.VerifySignature(hash32.ToArray(), r, s);
    }

    /// <summary>SEC 1 §4.1.6 public key recovery: Q = r⁻¹(sR − eG).</summary>
    private static ECPoint? Recover(byte[] hash, BigInteger r, BigInteger s, int recoveryId)
    {
        BigInteger n = s_curve.N;
        if (r.SignValue <= 0 || s.SignValue <= 0 || r.CompareTo(n) >= 0 || s.CompareTo(n) >= 0)
        {
            return null;
        }

        BigInteger x = recoveryId >= 2 ? r.Add(n) : r;
        if (x.CompareTo(s_fieldP) >= 0)
        {
            return null;
        }

        ECCurve curve = s_curve.Curve;
        ECFieldElement fx = curve.FromBigInteger(x);
        ECFieldElement alpha = fx.Square().Multiply(fx).Add(curve.B);
        ECFieldElement? beta = alpha.Sqrt();
        if (beta is null)
        {
            return null;
        }

        if (beta.TestBitZero() != ((recoveryId & 1) == 1))
        {
            beta = beta.Negate();
        }

        ECPoint bigR = curve.CreatePoint(x, beta.ToBigInteger());
        var e = new BigInteger(1, hash);
        BigInteger rInv = r.ModInverse(n);
        BigInteger u1 = n.Subtract(e).Multiply(rInv).Mod(n);
        BigInteger u2 = s.Multiply(rInv).Mod(n);
        ECPoint q = ECAlgorithms.SumOfTwoMultiplies(s_domain.G, u1, bigR, u2).Normalize();
        return q.IsInfinity ? null : q;
    }

    private static BigInteger? ToScalar(ReadOnlySpan<byte> key32)
    {
        var d = new BigInteger(1, key32);
        return d.SignValue == 0 || d.CompareTo(s_curve.N) >= 0 ? null : d;
    }

    private static void WriteScalar(BigInteger value, Span<byte> dest32)
    {
        dest32.Clear();
        byte[] bytes = value.ToByteArrayUnsigned();
        bytes.CopyTo(dest32[(32 - bytes.Length)..]);
    }
}
