using LowLatency.Adapters.Cex.Execution.Signing;

namespace LowLatency.Adapters.Execution.Tests.Signing;

public sealed class Ed25519SignerTests
{
    // RFC 8032 §7.1 TEST 3: secret, public key, message af82 and signature.
    [Fact]
    public void Ed25519_matches_rfc_8032_test_3()
    {
        using BinanceEd25519Signer signer = BinanceEd25519Signer.FromSeed(Convert.FromHexString("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"));
        Assert.Equal("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", Convert.ToHexStringLower(signer.PublicKey()));
        Assert.Equal(
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
            Convert.ToHexStringLower(signer.SignBytes([0xaf, 0x82])));
    }

    // Binance's Ed25519 example signs the query string as sent and sends base64, percent-encoded. The docs publish no
    // key with a signature, so the expected value is OpenSSL's (`openssl pkeyutl -sign -rawin`, an independent
    // implementation) over a payload in the page's format with the RFC 8032 TEST 3 key as a PKCS#8 PEM.
    [Fact]
    public void Binance_ed25519_signature_matches_openssl_over_a_query_in_binances_format()
    {
        string pem = "-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIMWqjfQ/n4N77bdELzHct7Fm04U1B28JS4XOOi4LRFj3\\n-----END PRIVATE KEY-----";
        using BinanceEd25519Signer signer = BinanceEd25519Signer.TryCreate(pem)!;
        const string payload = "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918&recvWindow=5000";
        string signature = signer.Sign(payload);

        Assert.Equal("qDPiijcG3WH77///hJLi6ZT3hb7XdMXwkmrEHKhgHBjSbAmuVcloRMbHz5w9W7rg/C4mnVD5W1OD8jRCD/93Ag==", signature);
        Assert.True(BinanceEd25519Signer.Verify(signer.PublicKey(), payload, signature));
        Assert.False(BinanceEd25519Signer.Verify(signer.PublicKey(), payload.Replace("0.2", "0.3", StringComparison.Ordinal), signature));
        Assert.False(BinanceEd25519Signer.Verify(signer.PublicKey(), payload, "not base64"));
    }

    [Fact]
    public void A_pem_that_is_not_an_ed25519_pkcs8_key_is_refused_and_an_hmac_secret_is_not_taken_for_one()
    {
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        Assert.Null(BinanceEd25519Signer.TryCreate(ec.ExportPkcs8PrivateKeyPem()));
        Assert.Null(BinanceEd25519Signer.TryCreate("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----"));
        Assert.False(BinanceEd25519Signer.IsPem("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"));
        Assert.True(BinanceEd25519Signer.IsPem("-----BEGIN PRIVATE KEY-----\nx"));
    }
}
