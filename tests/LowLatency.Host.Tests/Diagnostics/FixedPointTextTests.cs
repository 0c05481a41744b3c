using LowLatency.Host.Diagnostics;

namespace LowLatency.Host.Tests.Diagnostics;

public sealed class FixedPointTextTests
{
    [Theory]
    [InlineData(35_130_000L, 8, "0.3513")]
    [InlineData(302_610L, 1, "30261")]
    [InlineData(1L, 8, "0.00000001")]
    [InlineData(0L, 4, "0")]
    [InlineData(-1_500L, 3, "-1.5")]
    [InlineData(long.MaxValue, 8, "92233720368.54775807")]
    [InlineData(long.MinValue, 0, "-9223372036854775808")]
    public void Formats_without_trailing_zeros(long raw, int decimals, string expected)
    {
        Assert.Equal(expected, FixedPointText.ToDecimalString(raw, decimals));
    }
}
