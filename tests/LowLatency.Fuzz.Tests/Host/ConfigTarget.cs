using System.Text;
using LowLatency.Fuzz.Tests.Engine;
using LowLatency.Host.Configuration;

namespace LowLatency.Fuzz.Tests.Host;

/// <summary>
/// Configuration files and environment values through <see cref="EngineOptionsLoader.Load"/>: the input is the file's
/// JSON, then optionally a line <c>#env</c> and <c>NAME=value</c> lines for the environment. Load collects every problem
/// as one-line messages and never throws; when it reports none, the options it returns are valid.
/// </summary>
internal sealed class ConfigTarget : FuzzTarget, IDisposable
{
    private const string Market = """
        "market": { "seed": 7, "dislocationProbability": 0.002, "dislocationBps": 40, "dislocationDecayMs": 400,
          "venues": [ { "name": "sim-alpha", "takerFee": 0.001, "latencyMs": 20, "noiseBps": 1.5, "halfSpreadBps": 0.8, "updatesPerSecond": 40 },
                      { "name": "sim-beta", "takerFee": 0.0008, "latencyMs": 60, "noiseBps": 2.5, "halfSpreadBps": 1.2, "updatesPerSecond": 40 } ],
          "instruments": [ { "symbol": "BTC-USDT", "startPrice": 64000, "tickSize": 0.1, "typicalSize": 0.5, "volatilityBpsPerSqrtSecond": 4 } ] }
        """;

    private static readonly byte[][] s_corpus =
    [
        Encoding.UTF8.GetBytes("""{ "mode": "DryRun", "ringSize": 65536, "waitStrategy": "yielding", "thresholdBps": 5, "fullSweepMinTouched": 64, "logPath": "logs/arbitrage.log", "replaySpeed": "max", "takerFees": { "binance": 0.001, "okx": 0.001 }, """ + Market + " }"),
        Encoding.UTF8.GetBytes("""{ "thresholdBps": 3 }"""),
        Encoding.UTF8.GetBytes("""{ "takerFees": { "kraken": 0.0026 }, "replaySpeed": "recorded" }"""),
        Encoding.UTF8.GetBytes("{ " + Market + " }"),
        Encoding.UTF8.GetBytes("""
            {
              // comments and trailing commas are allowed
              "ringSize": 1024,
              "waitStrategy": "blocking",
            }
            """),
        Encoding.UTF8.GetBytes("""{ "thresholdBps": 2 }""" + "\n#env\nTRADING_MODE=dry-run\nLL_THRESHOLD_BPS=7.5\nLL_RING_SIZE=4096\nLL_WAIT_STRATEGY=yielding\n"),
        Encoding.UTF8.GetBytes("{}\n#env\nTRADING_MODE=live\nLL_RING_SIZE=1e3\n"),
    ];

    private readonly string _folder = FuzzSettings.NewScratchFolder();

    public override string Name => "config";

    public override IReadOnlyList<byte[]> Corpus => s_corpus;

    public override void Check(byte[] input)
    {
        int envAt = input.AsSpan().IndexOf("\n#env\n"u8);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (envAt >= 0)
        {
            foreach (string line in Encoding.UTF8.GetString(input.AsSpan(envAt + 6)).Split('\n'))
            {
                int eq = line.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    environment[line[..eq]] = line[(eq + 1)..];
                }
            }
        }

        string path = Path.Combine(_folder, "appsettings.json");
        File.WriteAllBytes(path, envAt >= 0 ? input.AsSpan(0, envAt).ToArray() : input);
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, name => environment.GetValueOrDefault(name));
        Invariant.That(options is not null && errors is not null, "config: no options or no error list");
        foreach (string error in errors!)
        {
            Invariant.That(!string.IsNullOrWhiteSpace(error) && !error.Contains('\n', StringComparison.Ordinal) && !error.Contains("   at ", StringComparison.Ordinal),
                "config: an error that is not one clear line: " + error);
        }

        Outcome(errors.Count == 0 ? "valid" : "refused");
        if (errors.Count == 0)
        {
            Invariant.That(options!.Market is not null && options.TakerFees is not null && options.Validate().Count == 0, "config: accepted options that do not validate");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
