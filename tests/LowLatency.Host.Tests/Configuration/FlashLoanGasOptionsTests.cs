using LowLatency.Host.Configuration;
using LowLatency.HotPath.Graph;

namespace LowLatency.Host.Tests.Configuration;

public sealed class FlashLoanGasOptionsTests
{
    [Fact]
    public void The_default_legs_of_a_two_hop_flash_loan_path_add_up_to_the_gas_measured_on_anvil()
    {
        var gas = new FlashLoanGasOptions();
        // 351 922: the executor's V3 → V2 flash-loan path on anvil, upper end (ExecutorAnvilTests).
        Assert.Equal(351_922, gas.TxBaseGas + gas.FlashLoanGas + gas.V3SwapGas + gas.V2SwapGas);
        Assert.Empty(new EngineOptions().Validate());
    }

    [Fact]
    public void The_graph_reads_the_configured_units_beside_the_chains_own_readings()
    {
        var options = new FlashLoanGasOptions { FlashLoanGas = 200_000, V3TickCrossGas = 30_000 };
        var reading = new ChainGas { BaseFeeWei = 1e9, PriorityFeeWei = 1e8, FlashLoanPremiumBps = 5, NativeAsset = 0 };
        var graph = new VenueGraph(maxNodes: 4, maxEdges: 4, maxAssets: 2, maxChains: 1);
        graph.SetAssetPrice(0, 3_000);
        graph.SetChainGas(0, options.ApplyTo(reading));

        ref readonly ChainGas g = ref graph.Gas(0);
        Assert.Equal(200_000, g.FlashLoanGas);
        Assert.Equal(30_000, g.V3TickCrossGas);
        Assert.Equal(options.V2SwapGas, g.V2SwapGas);
        Assert.Equal(1e9, g.BaseFeeWei);
        Assert.Equal(5, g.FlashLoanPremiumBps);
        // The path's gas valued as the graph values it: units × (base fee + tip) in ETH × the native token's price.
        double units = g.TxBaseGas + g.FlashLoanGas + g.V3SwapGas + g.V2SwapGas;
        Assert.Equal(units * 1.1e9 / 1e18 * 3_000, PathQuote.GasValue(graph, 0, units), 9);
    }

    [Fact]
    public void A_negative_or_non_finite_gas_figure_is_a_start_up_error()
    {
        IReadOnlyList<string> errors = new EngineOptions { FlashLoanGas = new FlashLoanGasOptions { V2SwapGas = -1, FlashLoanGas = double.NaN } }.Validate();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("flashLoanGas.v2SwapGas: -1 must be gas units", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("flashLoanGas.flashLoanGas: NaN", StringComparison.Ordinal));
    }
}
