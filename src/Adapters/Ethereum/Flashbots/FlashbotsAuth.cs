using System.Net.Http.Headers;
using LowLatency.Adapters.Ethereum.JsonRpc;

namespace LowLatency.Adapters.Ethereum.Flashbots;

/// <summary>
/// The Flashbots relay authentication header: <c>X-Flashbots-Signature: &lt;checksummed address&gt;:0x&lt;r||s||v&gt;</c>,
/// v in 27/28, signing (EIP-191 personal message) the ASCII text "0x" + lowercase hex of keccak256 of the
/// exact body bytes sent. Stateless and thread-safe.
/// </summary>
public static class FlashbotsAuth
{
    public const string HeaderName = "X-Flashbots-Signature";

    /// <summary>Length of the header value: 42 (address) + 1 + 132 ("0x" + 65 bytes hex).</summary>
    public const int HeaderLength = 42 + 1 + 2 + (65 * 2);

    /// <summary>The header value as a string (allocates only the string).</summary>
    public static string CreateHeader(EthSigner signer, ReadOnlySpan<byte> body)
    {
        Span<char> header = stackalloc char[HeaderLength];
        WriteHeader(signer, body, header);
        return new string(header);
    }

    /// <summary>
    /// Writes the header value into <paramref name="dest"/> (at least <see cref="HeaderLength"/> chars).
    /// Allocation-free with the native backend (stack buffers for the hash text and signature); returns the length written.
    /// </summary>
    public static int WriteHeader(EthSigner signer, ReadOnlySpan<byte> body, Span<char> dest)
    {
        ArgumentNullException.ThrowIfNull(signer);
        if (dest.Length < HeaderLength)
        {
            throw new ArgumentException("destination shorter than FlashbotsAuth.HeaderLength", nameof(dest));
        }

        Span<byte> messageHash = stackalloc byte[32];
        HashBody(body, messageHash);
        Span<byte> rs = stackalloc byte[64];
        signer.SignHash(messageHash, rs, out var recoveryId);

        signer.Address.FormatChecksum(dest[..42]);
        dest[42] = ':';
        dest[43] = '0';
        dest[44] = 'x';
        Hex.EncodeTo(rs, dest.Slice(45, 128));
        dest[173] = '1';
        dest[174] = recoveryId == 0 ? 'b' : 'c'; // v = 27 (0x1b) or 28 (0x1c)
        return HeaderLength;
    }

    /// <summary>
    /// Checks a header value against the body: parses it, recovers the signer from the signature and
    /// compares with the address in the header. False for any malformed header, high-s or wrong v.
    /// Allocation-free apart from the backend's own work.
    /// </summary>
    public static bool TryVerify(string? header, ReadOnlySpan<byte> body, out Address signer, ISecp256k1? backend = null)
    {
        signer = default;
        if (header is null || header.Length != HeaderLength || header[42] != ':' || header[43] != '0' || header[44] != 'x')
        {
            return false;
        }

        if (!Address.TryParse(header.AsSpan(0, 42), out var claimed))
        {
            return false;
        }

        Span<byte> rsv = stackalloc byte[65];
        if (!Hex.TryDecode(header.AsSpan(45), rsv, out var written) || written != 65)
        {
            return false;
        }

        var v = rsv[64];
        if (v is not (27 or 28))
        {
            return false;
        }

        var s = UInt256.FromBigEndian(rsv.Slice(32, 32));
        if (s > Secp256k1.HalfN)
        {
            return false;
        }

        Span<byte> messageHash = stackalloc byte[32];
        HashBody(body, messageHash);
        Span<byte> publicKey = stackalloc byte[65];
        backend ??= Secp256k1.Default;
        if (!backend.TryRecover(messageHash, rsv[..64], v - 27, publicKey))
        {
            return false;
        }

        var recovered = Address.FromPublicKey(publicKey);
        if (recovered != claimed)
        {
            return false;
        }

        signer = recovered;
        return true;
    }

    // EIP-191 hash of the ASCII text "0x" + lowercase hex(keccak256(body)).
    private static void HashBody(ReadOnlySpan<byte> body, Span<byte> dest32)
    {
        Span<byte> bodyHash = stackalloc byte[32];
        Keccak256.Hash(body, bodyHash);
        Span<char> hexChars = stackalloc char[64];
        Hex.EncodeTo(bodyHash, hexChars);
        Span<byte> text = stackalloc byte[66];
        text[0] = (byte)'0';
        text[1] = (byte)'x';
        for (var i = 0; i < 64; i++)
        {
            text[2 + i] = (byte)hexChars[i];
        }

        Eip191.HashPersonalMessage(text, dest32);
    }
}

/// <summary>
/// Adds <see cref="FlashbotsAuth.HeaderName"/> to every HTTP JSON-RPC request, signed over the exact body.
/// Called on the sending thread; allocates the header string.
/// </summary>
public sealed class FlashbotsRequestSigner : IJsonRpcRequestSigner
{
    private readonly EthSigner _signer;

    public FlashbotsRequestSigner(EthSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        _signer = signer;
    }

    /// <inheritdoc />
    public void AddHeaders(HttpRequestHeaders headers, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers.TryAddWithoutValidation(FlashbotsAuth.HeaderName, FlashbotsAuth.CreateHeader(_signer, body));
    }

    public override string ToString() => "FlashbotsRequestSigner(" + _signer.Address + ")";
}
