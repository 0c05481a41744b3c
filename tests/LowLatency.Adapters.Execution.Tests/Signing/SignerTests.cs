using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Signing;

namespace LowLatency.Adapters.Execution.Tests.Signing;

public sealed class SignerTests
{
    // https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security: the HMAC example's key,
    // parameters and published signature.
    [Fact]
    public void Binance_hmac_matches_the_worked_example_in_binances_docs()
    {
        byte[] secret = Encoding.ASCII.GetBytes("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
        string parameters = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        Assert.Equal("c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71", BinanceHmacSigner.Sign(secret, parameters));
    }

    // https://docs.kraken.com/api/docs/guides/spot-rest-auth: private key, nonce, payload and URI path of the example
    // AddOrder, and the API-Sign the page says they give.
    [Fact]
    public void Kraken_api_sign_matches_the_worked_example_in_krakens_docs()
    {
        string sign = KrakenSigner.Sign(
            "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
            "/0/private/AddOrder",
            "1616492376594",
            "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25")!;
        Assert.Equal("4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==", sign);
        Assert.Null(KrakenSigner.Sign("not base64!", "/0/private/Balance", "1", "nonce=1"));
    }

    // The HMAC-SHA256 primitive under OKX and Bybit, against RFC 4231 test case 2.
    [Fact]
    public void Hmac_sha256_matches_rfc_4231()
    {
        Assert.Equal(
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            Convert.ToHexStringLower(HMACSHA256.HashData("Jefe"u8, "what do ya want for nothing?"u8)));
    }

    // OKX's page gives the construction and the example timestamp/path but no signature; the expected value is from
    // Python's hmac module (an independent implementation) over the page's example prehash.
    [Fact]
    public void Okx_signs_timestamp_method_path_and_body_in_base64()
    {
        Assert.Equal("2020-12-08T09:08:57.715Z", OkxSigner.Timestamp(1607418537715));
        Assert.Equal("2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC", OkxSigner.Prehash("2020-12-08T09:08:57.715Z", "get", "/api/v5/account/balance?ccy=BTC", ""));
        Assert.Equal("wpDvCwYCprcMQsQkxWJiWy+YADoQE4ep+OEKKLimMoY=", OkxSigner.Sign("secret"u8, "2020-12-08T09:08:57.715Z", "GET", "/api/v5/account/balance?ccy=BTC", ""));
    }

    // Bybit's page: timestamp + key + recvWindow + query string; expected value from Python's hmac module.
    [Fact]
    public void Bybit_signs_timestamp_key_window_and_payload_in_hex()
    {
        Assert.Equal("1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C", BybitSigner.Prehash(1658384314791, "XXXXXXXXXX", 5000, "category=option&symbol=BTC-29JUL22-25000-C"));
        Assert.Equal("02e9182e346177050f199ce1e0703d738589e3763805ed71590ced65539a73a7", BybitSigner.Sign("secret"u8, 1658384314791, "XXXXXXXXXX", 5000, "category=option&symbol=BTC-29JUL22-25000-C"));
    }

    [Fact]
    public void Coinbase_jwt_is_es256_over_its_header_and_claims_and_verifies_with_the_public_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string pem = key.ExportECPrivateKeyPem();
        using CoinbaseJwtSigner signer = CoinbaseJwtSigner.TryCreate("organizations/o/apiKeys/k", pem.Replace("\n", "\\n", StringComparison.Ordinal))!;
        string jwt = signer.CreateToken("post", "api.coinbase.com/api/v3/brokerage/orders", 1_700_000_000);
        string[] parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        using JsonDocument header = JsonDocument.Parse(FromBase64Url(parts[0]));
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("organizations/o/apiKeys/k", header.RootElement.GetProperty("kid").GetString());
        Assert.Equal(32, header.RootElement.GetProperty("nonce").GetString()!.Length);
        using JsonDocument claims = JsonDocument.Parse(FromBase64Url(parts[1]));
        Assert.Equal("cdp", claims.RootElement.GetProperty("iss").GetString());
        Assert.Equal("organizations/o/apiKeys/k", claims.RootElement.GetProperty("sub").GetString());
        Assert.Equal(1_700_000_000, claims.RootElement.GetProperty("nbf").GetInt64());
        Assert.Equal(1_700_000_120, claims.RootElement.GetProperty("exp").GetInt64());
        Assert.Equal("POST api.coinbase.com/api/v3/brokerage/orders", claims.RootElement.GetProperty("uri").GetString());

        // Two tokens for the same request differ (nonce and ECDSA randomness): a replayed token is never reused.
        Assert.NotEqual(jwt, signer.CreateToken("post", "api.coinbase.com/api/v3/brokerage/orders", 1_700_000_000));
        Assert.Null(CoinbaseJwtSigner.TryCreate("k", "-----BEGIN EC PRIVATE KEY-----\nnot a key\n-----END EC PRIVATE KEY-----"));
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Null(CoinbaseJwtSigner.TryCreate("k", p384.ExportECPrivateKeyPem()));
    }

    private static byte[] FromBase64Url(string text)
    {
        string s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
