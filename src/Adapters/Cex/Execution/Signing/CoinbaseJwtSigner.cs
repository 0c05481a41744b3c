using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LowLatency.Adapters.Cex.Execution.Signing;

/// <summary>
/// Coinbase Advanced Trade with CDP API keys: every REST call carries <c>Authorization: Bearer JWT</c>, a JWT signed
/// with ES256 (ECDSA P-256, SHA-256, r‖s) by the key's EC private key. Header <c>{"alg":"ES256","kid":keyName,
/// "nonce":hex,"typ":"JWT"}</c>; claims <c>{"sub":keyName,"iss":"cdp","nbf":now,"exp":now+120,"uri":"METHOD host+path"}</c>
/// (https://docs.cdp.coinbase.com/advanced-trade/docs/rest-api-auth). ECDSA signatures are randomised, so no page can
/// give a fixed worked signature: the test verifies ours with the public key and checks every field.
/// </summary>
public sealed class CoinbaseJwtSigner : IDisposable
{
    private readonly ECDsa _key;
    private readonly string _keyName;

    private CoinbaseJwtSigner(ECDsa key, string keyName)
    {
        _key = key;
        _keyName = keyName;
    }

    /// <summary>
    /// Loads the key from its PEM text (<c>-----BEGIN EC PRIVATE KEY-----</c>, as CDP issues it, or PKCS#8). Null when the
    /// text is not a P-256 private key; the caller names the variable, never the value.
    /// </summary>
    public static CoinbaseJwtSigner? TryCreate(string keyName, string pem)
    {
        ArgumentNullException.ThrowIfNull(keyName);
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            // Keys pasted into .env files often carry literal "\n" for the line breaks.
            key.ImportFromPem(pem.Replace("\\n", "\n", StringComparison.Ordinal));
            if (key.KeySize != 256)
            {
                key.Dispose();
                return null;
            }

            return new CoinbaseJwtSigner(key, keyName);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            return null;
        }
    }

    /// <summary>A JWT for one request (<paramref name="method"/> and <paramref name="hostAndPath"/>, e.g. api.coinbase.com/api/v3/brokerage/orders).</summary>
    public string CreateToken(string method, string hostAndPath, long unixSeconds)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(hostAndPath);
        return Sign(unixSeconds, ",\"uri\":" + Json(method.ToUpperInvariant() + " " + hostAndPath));
    }

    /// <summary>A JWT for the WebSocket user channel: the same claims without <c>uri</c>, as CDP documents for WebSocket.</summary>
    public string CreateWebSocketToken(long unixSeconds) => Sign(unixSeconds, "");

    private string Sign(long unixSeconds, string uriClaim)
    {
        string nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        string header = $$"""{"alg":"ES256","kid":{{Json(_keyName)}},"nonce":"{{nonce}}","typ":"JWT"}""";
        string claims = string.Create(CultureInfo.InvariantCulture,
            $$"""{"sub":{{Json(_keyName)}},"iss":"cdp","nbf":{{unixSeconds}},"exp":{{unixSeconds + 120}}{{uriClaim}}}""");
        string signingInput = Base64Url(Encoding.UTF8.GetBytes(header)) + "." + Base64Url(Encoding.UTF8.GetBytes(claims));
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    public void Dispose() => _key.Dispose();

    internal static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text, SigningJsonContext.Default.String);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class SigningJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
