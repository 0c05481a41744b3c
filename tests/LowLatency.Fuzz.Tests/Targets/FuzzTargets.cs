using LowLatency.Fuzz.Tests.Cex;
using LowLatency.Fuzz.Tests.Engine;

namespace LowLatency.Fuzz.Tests.Targets;

/// <summary>Every target by name: the regression replays and the name check use it.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyDictionary<string, Func<FuzzTarget>> All { get; } = new Dictionary<string, Func<FuzzTarget>>(StringComparer.Ordinal)
    {
        ["binance-depth"] = () => new BinanceFrameTarget(tickers: false),
        ["binance-ticker"] = () => new BinanceFrameTarget(tickers: true),
        ["binance-snapshot"] = () => new BinanceSnapshotTarget(),
        ["okx-books"] = () => new InBandTarget(kraken: false),
        ["kraken-book"] = () => new InBandTarget(kraken: true),
        ["tape-plain"] = () => new LowLatency.Fuzz.Tests.Tape.TapeTarget(gzip: false),
        ["tape-gzip"] = () => new LowLatency.Fuzz.Tests.Tape.TapeTarget(gzip: true),
        ["replay-session"] = () => new LowLatency.Fuzz.Tests.Tape.ReplaySessionTarget(),
        ["rlp"] = () => new LowLatency.Fuzz.Tests.Ethereum.RlpTarget(),
        ["transaction"] = () => new LowLatency.Fuzz.Tests.Ethereum.TransactionTarget(),
        ["abi"] = () => new LowLatency.Fuzz.Tests.Ethereum.AbiTarget(),
        ["jsonrpc"] = () => new LowLatency.Fuzz.Tests.Ethereum.JsonRpcTarget(),
        ["eip712"] = () => new LowLatency.Fuzz.Tests.Ethereum.Eip712Target(),
        ["flashbots"] = () => new LowLatency.Fuzz.Tests.Ethereum.FlashbotsTarget(),
        ["config"] = () => new LowLatency.Fuzz.Tests.Host.ConfigTarget(),
    };
}
