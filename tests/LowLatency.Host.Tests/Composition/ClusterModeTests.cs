using LowLatency.Adapters.Cluster;
using LowLatency.Host.Composition;
using LowLatency.Host.Configuration;
using LowLatency.Host.Lifecycle;

namespace LowLatency.Host.Tests.Composition;

public sealed class ClusterModeTests
{
    private static ClusterOptions Build(EngineOptions options)
    {
        var errors = new List<string>();
        ClusterOptions? cluster = ClusterMode.TryBuild("nats://127.0.0.1:4222", "a", options, replay: false, liveVenues: null, errors);
        Assert.Empty(errors);
        return Assert.IsType<ClusterOptions>(cluster);
    }

    private static EngineOptions Executing(EngineOptions options) => options with
    {
        Chains = options.Chains.ToDictionary(c => c.Key, c => c.Key == "ethereum" ? c.Value with { Executor = "0x" + new string('1', 40) } : c.Value),
    };

    [Fact]
    public void Live_on_chain_execution_sizes_the_days_notional_chunk_for_the_largest_bundle_and_nothing_else_does()
    {
        // The simulated market's slots; only the mode and the chains differ.
        var paper = new EngineOptions { Mode = TradingMode.Paper };
        Assert.Equal(0, Build(paper).MinNotionalChunkUsd);
        Assert.Equal(0, Build(Executing(paper)).MinNotionalChunkUsd); // paper sends no bundle
        Assert.Equal(0, Build(paper with { Mode = TradingMode.Live }).MinNotionalChunkUsd); // no chain names an executor

        ClusterOptions live = Build(Executing(paper with { Mode = TradingMode.Live }));
        Assert.Equal(OnChainExecution.MaxBundleUsd, live.MinNotionalChunkUsd);
        Assert.Equal(live.MinChunkUsd, paper.Execution.Risk.MaxTradeNotionalUsd);
        Assert.True(OnChainExecution.MaxBundleUsd > live.MinChunkUsd, "the test shows nothing if a bundle fits the per-trade chunk");
    }
}
