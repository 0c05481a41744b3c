using LowLatency.HotPath.Ring;

namespace LowLatency.HotPath.Tests.Ring;

public sealed class WaitStrategiesTests
{
    [Theory]
    [InlineData("busy-spin", WaitStrategyKind.BusySpin)]
    [InlineData("yielding", WaitStrategyKind.Yielding)]
    [InlineData("blocking", WaitStrategyKind.Blocking)]
    [InlineData(" Blocking ", WaitStrategyKind.Blocking)]
    public void Parses_config_strings(string text, WaitStrategyKind expected)
    {
        Assert.True(WaitStrategies.TryParse(text, out WaitStrategyKind kind));
        Assert.Equal(expected, kind);
        Assert.Equal(expected, WaitStrategies.Parse(text));
        Assert.Equal(expected, WaitStrategies.Parse(WaitStrategies.ToConfigString(expected)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("busyspin")]
    [InlineData("sleeping")]
    public void Rejects_unknown_strings(string text)
    {
        Assert.False(WaitStrategies.TryParse(text, out _));
        FormatException error = Assert.Throws<FormatException>(() => WaitStrategies.Parse(text));
        Assert.Contains("busy-spin, yielding or blocking", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Creates_the_matching_strategy()
    {
        Assert.IsType<BusySpinWaitStrategy>(WaitStrategies.Create(WaitStrategyKind.BusySpin));
        Assert.IsType<YieldingWaitStrategy>(WaitStrategies.Create(WaitStrategyKind.Yielding));
        Assert.IsType<BlockingWaitStrategy>(WaitStrategies.Create(WaitStrategyKind.Blocking));
        Assert.False(WaitStrategies.Create(WaitStrategyKind.BusySpin).SignalsOnPublish);
        Assert.False(WaitStrategies.Create(WaitStrategyKind.Yielding).SignalsOnPublish);
        Assert.True(WaitStrategies.Create(WaitStrategyKind.Blocking).SignalsOnPublish);
        Assert.Throws<ArgumentOutOfRangeException>(() => WaitStrategies.Create((WaitStrategyKind)42));
    }
}
