using LowLatency.Adapters.Flashbots;
using LowLatency.Host.Configuration;

namespace LowLatency.Host.Tests.Configuration;

public sealed class ConfirmBlocksDefaultTests
{
    [Fact]
    public void Left_out_an_inclusion_waits_for_blocks_on_top_by_chain_and_a_configured_value_wins()
    {
        var options = new FlashbotsOptions();
        Assert.Null(options.ConfirmBlocks);
        Assert.Equal(2, options.ToBundleOptions().ConfirmBlocks);
        Assert.Equal(2, options.ToBundleOptions(1).ConfirmBlocks);
        Assert.Equal(3, options.ToBundleOptions(137).ConfirmBlocks);
        Assert.Equal(1, options.ToBundleOptions(8453).ConfirmBlocks);
        Assert.Equal(1, options.ToBundleOptions(10).ConfirmBlocks);
        Assert.Equal(1, options.ToBundleOptions(42161).ConfirmBlocks);
        Assert.Equal(2, options.ToBundleOptions(31337).ConfirmBlocks);

        // 0 said on purpose (a local chain, the demo) is kept: the default only fills what was left out.
        Assert.Equal(0, (options with { ConfirmBlocks = 0 }).ToBundleOptions().ConfirmBlocks);
        Assert.Empty((options with { ConfirmBlocks = 0 }).Validate("flashbots"));
        Assert.NotEmpty((options with { ConfirmBlocks = -1 }).Validate("flashbots"));
    }
}
