using System.Text;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace LowLatency.Adapters.Cex.Execution.Signing;

/// <summary>
/// Binance SIGNED requests with an Ed25519 API key: <c>signature</c> = base64(Ed25519(privateKey, totalParams)),
/// percent-encoded in the query (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security,
/// "SIGNED request example (Ed25519)"). The key is the PKCS#8 PEM Binance asks the user to generate. Ed25519 is
/// deterministic: the test checks RFC 8032's vector and a payload in Binance's format against OpenSSL's signature.
/// </summary>
public sealed class BinanceEd25519Signer : IDisposable
{
    // DER of PKCS#8 PrivateKeyInfo { version 0, algorithm 1.3.101.112 (Ed25519), OCTET STRING { OCTET STRING seed } }.
    private static readonly byte[] s_pkcs8Prefix = Convert.FromHexString("302e020100300506032b657004220420");
    private readonly byte[] _seed;

    private BinanceEd25519Signer(byte[] seed) => _seed = seed;

    /// <summary>Whether a configured secret is an Ed25519 PEM key (else it is an HMAC secret).</summary>
    public static bool IsPem(string secret) => secret?.Contains("PRIVATE KEY-----", StringComparison.Ordinal) == true;

    /// <summary>From the PEM text (literal "\n" line breaks accepted, as .env files carry them); null when it is not an Ed25519 PKCS#8 key.</summary>
    public static BinanceEd25519Signer? TryCreate(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var body = new StringBuilder();
        foreach (string line in pem.Replace("\\n", "\n", StringComparison.Ordinal).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith("-----", StringComparison.Ordinal))
            {
                body.Append(line);
            }
        }

        byte[] der = new byte[body.Length];
        if (!Convert.TryFromBase64String(body.ToString(), der, out int length) || length != 48 || !der.AsSpan(0, 16).SequenceEqual(s_pkcs8Prefix))
        {
            return null;
        }

        return FromSeed(der.AsSpan(16, 32));
    }

    /// <summary>From the raw 32-byte RFC 8032 secret (the seed).</summary>
    public static BinanceEd25519Signer FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Ed25519.SecretKeySize)
        {
            throw new ArgumentException("an Ed25519 seed is 32 bytes", nameof(seed));
        }

        return new BinanceEd25519Signer(seed.ToArray());
    }

    /// <summary>The 32-byte public key (what the venue holds).</summary>
    public byte[] PublicKey()
    {
        byte[] pk = new byte[Ed25519.PublicKeySize];
        Ed25519.GeneratePublicKey(_seed, 0, pk, 0);
        return pk;
    }

    /// <summary>The raw 64-byte signature of <paramref name="message"/>.</summary>
    public byte[] SignBytes(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        byte[] signature = new byte[Ed25519.SignatureSize];
        Ed25519.Sign(_seed, 0, message, 0, message.Length, signature, 0);
        return signature;
    }

    /// <summary>The base64 signature of <paramref name="totalParams"/> (query + body as sent), before percent-encoding.</summary>
    public string Sign(string totalParams)
    {
        ArgumentNullException.ThrowIfNull(totalParams);
        return Convert.ToBase64String(SignBytes(Encoding.UTF8.GetBytes(totalParams)));
    }

    /// <summary>Checks a base64 signature against a public key (what the loopback venue does).</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, string totalParams, string base64Signature)
    {
        ArgumentNullException.ThrowIfNull(totalParams);
        ArgumentNullException.ThrowIfNull(base64Signature);
        byte[] signature = new byte[base64Signature.Length];
        if (publicKey.Length != Ed25519.PublicKeySize || !Convert.TryFromBase64String(base64Signature, signature, out int length) || length != Ed25519.SignatureSize)
        {
            return false;
        }

        byte[] message = Encoding.UTF8.GetBytes(totalParams);
        return Ed25519.Verify(signature, 0, publicKey.ToArray(), 0, message, 0, message.Length);
    }

    public void Dispose() => Array.Clear(_seed);
}
