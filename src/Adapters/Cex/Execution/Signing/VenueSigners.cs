using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LowLatency.Adapters.Cex.Execution.Signing;

/// <summary>
/// Binance SIGNED requests: <c>signature</c> = hex(HMAC-SHA256(secret, totalParams)), where totalParams is the query
/// string followed directly by the form body, exactly as sent. Checked against the worked example of
/// https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security (HMAC keys).
/// </summary>
public static class BinanceHmacSigner
{
    /// <summary>Lower-case hex signature of <paramref name="totalParams"/>. Warm path; allocates the result string.</summary>
    public static string Sign(ReadOnlySpan<byte> secret, string totalParams)
    {
        ArgumentNullException.ThrowIfNull(totalParams);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(totalParams), mac);
        return Convert.ToHexStringLower(mac);
    }
}

/// <summary>
/// Kraken spot REST: <c>API-Sign</c> = base64(HMAC-SHA512(base64decode(secret), uriPath + SHA256(nonce + postData))).
/// Checked against the worked example (the AddOrder of 1.25 XBTUSD at 37,500) of
/// https://docs.kraken.com/api/docs/guides/spot-rest-auth.
/// </summary>
public static class KrakenSigner
{
    /// <summary>
    /// The signature, or null when the secret is not valid base64 (a configuration error the caller reports by name,
    /// never by value).
    /// </summary>
    public static string? Sign(string base64Secret, string uriPath, string nonce, string postData)
    {
        ArgumentNullException.ThrowIfNull(base64Secret);
        ArgumentNullException.ThrowIfNull(uriPath);
        ArgumentNullException.ThrowIfNull(nonce);
        ArgumentNullException.ThrowIfNull(postData);
        byte[] key = new byte[base64Secret.Length];
        if (!Convert.TryFromBase64String(base64Secret, key, out int keyLength))
        {
            return null;
        }

        try
        {
            byte[] path = Encoding.UTF8.GetBytes(uriPath);
            byte[] message = new byte[path.Length + 32];
            path.CopyTo(message, 0);
            SHA256.HashData(Encoding.UTF8.GetBytes(nonce + postData), message.AsSpan(path.Length));
            Span<byte> mac = stackalloc byte[64];
            HMACSHA512.HashData(key.AsSpan(0, keyLength), message, mac);
            return Convert.ToBase64String(mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}

/// <summary>
/// OKX v5 REST: <c>OK-ACCESS-SIGN</c> = base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body)), with the
/// timestamp as sent in <c>OK-ACCESS-TIMESTAMP</c> (ISO 8601, milliseconds, UTC) and the passphrase sent as is in
/// <c>OK-ACCESS-PASSPHRASE</c> (https://www.okx.com/docs-v5/en/#overview-rest-authentication-signature). The page gives
/// the construction but no worked signature, so the test checks the prehash and the HMAC primitive (RFC 4231).
/// </summary>
public static class OkxSigner
{
    /// <summary>The <c>OK-ACCESS-TIMESTAMP</c> text for a Unix millisecond time: 2020-12-08T09:08:57.715Z.</summary>
    public static string Timestamp(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The text signed: timestamp + upper-case method + path (with its query) + body (empty for GET).</summary>
    public static string Prehash(string timestamp, string method, string requestPath, string body) =>
        timestamp + method.ToUpperInvariant() + requestPath + body;

    public static string Sign(ReadOnlySpan<byte> secret, string timestamp, string method, string requestPath, string body)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(Prehash(timestamp, method, requestPath, body)), mac);
        return Convert.ToBase64String(mac);
    }
}

/// <summary>
/// Bybit v5: <c>X-BAPI-SIGN</c> = hex(HMAC-SHA256(secret, timestamp + apiKey + recvWindow + payload)), payload = the
/// query string for GET, the raw JSON body for POST; sent with <c>X-BAPI-API-KEY</c>, <c>X-BAPI-TIMESTAMP</c> and
/// <c>X-BAPI-RECV-WINDOW</c> (https://bybit-exchange.github.io/docs/v5/guide#create-a-request). The page gives the
/// construction but no worked signature, so the test checks the prehash and the HMAC primitive (RFC 4231).
/// </summary>
public static class BybitSigner
{
    public static string Prehash(long timestampMs, string apiKey, int recvWindowMs, string payload) =>
        timestampMs.ToString(CultureInfo.InvariantCulture) + apiKey + recvWindowMs.ToString(CultureInfo.InvariantCulture) + payload;

    public static string Sign(ReadOnlySpan<byte> secret, long timestampMs, string apiKey, int recvWindowMs, string payload)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(Prehash(timestampMs, apiKey, recvWindowMs, payload)), mac);
        return Convert.ToHexStringLower(mac);
    }
}
