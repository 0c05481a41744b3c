using LowLatency.Adapters.Cex.Execution;
using LowLatency.Adapters.Cex.Execution.Rest;
using LowLatency.Adapters.Cex.Execution.Signing;
using LowLatency.Testing.Venues;

namespace LowLatency.Adapters.Execution.Tests.Rest;

/// <summary>A loopback venue, the venue's REST client pointed at it, and an execution session over both.</summary>
internal sealed class VenueRig : IAsyncDisposable
{
    public const string ApiKey = "loopback-api-key-7f3a9c";
    public const string Secret = "loopback-secret-Zq8vN2kLx4";
    public const string Passphrase = "loopback-pass-91";

    // Kraken secrets are base64.
    public const string KrakenSecret = "bG9vcGJhY2sta3Jha2VuLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm";

    // RFC 8032 §7.1 TEST 3's secret, as a PKCS#8 PEM (what Binance asks the user to generate).
    public const string Ed25519Pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIMWqjfQ/n4N77bdELzHct7Fm04U1B28JS4XOOi4LRFj3\n-----END PRIVATE KEY-----";

    public static readonly TheoryData<string> Venues = ["binance", "binance-ed25519", "bybit", "okx", "kraken", "coinbase"];

    private VenueRig(LoopbackVenueServer server, IExecutionClient client, string symbol)
    {
        Server = server;
        Client = client;
        Symbol = symbol;
        Session = new ExecutionSession(client, new OrderTracker("ll1-"), new ExecutionRetryPolicy(Attempts: 3));
    }

    public LoopbackVenueServer Server { get; }

    public VenueLedger Ledger => Server.Ledger;

    public IExecutionClient Client { get; }

    public ExecutionSession Session { get; }

    public OrderTracker Tracker => Session.Tracker;

    /// <summary>The venue's spelling of BTC/USDT.</summary>
    public string Symbol { get; }

    public const string CoinbaseKeyName = "organizations/loopback/apiKeys/k1";

    // One P-256 key per run: CDP keys are EC keys; the venue holds the public half.
    private static readonly System.Security.Cryptography.ECDsa s_coinbaseKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

    public static string CoinbasePem => s_coinbaseKey.ExportECPrivateKeyPem();

    public static async Task<VenueRig> StartAsync(string venue, string? clientSecret = null, TimeSpan? timeout = null)
    {
        var ledger = new VenueLedger();
        VenueDialect dialect = venue switch
        {
            "binance" => new BinanceDialect(ledger, ApiKey, Secret),
            "binance-ed25519" => new BinanceDialect(ledger, ApiKey, null, Ed25519PublicKey()),
            "bybit" => new BybitDialect(ledger, ApiKey, Secret),
            "okx" => new OkxDialect(ledger, ApiKey, Secret, Passphrase),
            "kraken" => new KrakenDialect(ledger, ApiKey, KrakenSecret),
            "coinbase" => new CoinbaseDialect(ledger, CoinbaseKeyName, s_coinbaseKey.ExportParameters(includePrivateParameters: false)),
            _ => throw new ArgumentOutOfRangeException(nameof(venue)),
        };
        LoopbackVenueServer server = await LoopbackVenueServer.StartAsync(dialect);
        string secret = clientSecret ?? venue switch { "binance-ed25519" => Ed25519Pem, "kraken" => KrakenSecret, "coinbase" => CoinbasePem, _ => Secret };
        var options = new ExecutionClientOptions
        {
            BaseUrl = server.BaseUrl, ApiKey = venue == "coinbase" ? CoinbaseKeyName : ApiKey, Secret = secret, Passphrase = Passphrase,
            Timeout = timeout ?? TimeSpan.FromSeconds(5),
        };
        IExecutionClient client = venue switch
        {
            "binance" or "binance-ed25519" => BinanceExecutionClient.TryCreate(options, out _)!,
            "bybit" => new BybitExecutionClient(options),
            "kraken" => new KrakenExecutionClient(options),
            "coinbase" => CoinbaseExecutionClient.TryCreate(options, out _)!,
            _ => new OkxExecutionClient(options),
        };
        return new VenueRig(server, client, venue switch { "okx" or "coinbase" => "BTC-USDT", "kraken" => "XBTUSDT", _ => "BTCUSDT" });
    }

    public static byte[] Ed25519PublicKey()
    {
        using BinanceEd25519Signer signer = BinanceEd25519Signer.TryCreate(Ed25519Pem)!;
        return signer.PublicKey();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
