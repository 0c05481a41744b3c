using LowLatency.Host.Configuration;
using LowLatency.Host.Lifecycle;

namespace LowLatency.Host.Tests.Configuration;

public sealed class EngineOptionsTests
{
    private static string? NoEnvironment(string name) => null;

    [Fact]
    public void Settings_missing_from_the_file_keep_their_defaults()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "thresholdBps": 3 }""");
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, NoEnvironment);
        Assert.Empty(errors);
        Assert.Equal(3, options.ThresholdBps);
        Assert.Equal("logs/arbitrage.log", options.LogPath);
        Assert.Equal(new EngineOptions().RingSize, options.RingSize);
        Assert.NotEmpty(options.TakerFees);
        Assert.Equal(4, options.Market.Venues.Count);
    }

    [Fact]
    public void Defaults_are_a_valid_dry_run()
    {
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(null, NoEnvironment);
        Assert.Empty(errors);
        Assert.Equal(TradingMode.DryRun, options.Mode);
        Assert.Equal("yielding", options.WaitStrategy);
    }

    [Fact]
    public void Every_bad_value_is_reported_together()
    {
        var options = new EngineOptions
        {
            RingSize = 1000,
            WaitStrategy = "spin-forever",
            ThresholdBps = double.NaN,
            LogPath = " ",
            ReplaySpeed = "fast",
            TakerFees = new Dictionary<string, double> { ["x"] = 0.5 },
        };
        IReadOnlyList<string> errors = options.Validate();
        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("ringSize", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("waitStrategy", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("takerFees.x", StringComparison.Ordinal));
    }

    [Fact]
    public void Live_and_paper_are_refused_in_this_build()
    {
        Assert.Contains((new EngineOptions { Mode = TradingMode.Live }).Validate(), e => e.Contains("live", StringComparison.Ordinal));
        Assert.Contains((new EngineOptions { Mode = TradingMode.Paper }).Validate(), e => e.Contains("paper", StringComparison.Ordinal));
    }

    [Fact]
    public void The_environment_overrides_the_file_and_flags_override_the_environment()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "thresholdBps": 7.5, "waitStrategy": "blocking", "ringSize": 1024 }""");
        var env = new Dictionary<string, string> { ["LL_THRESHOLD_BPS"] = "9", ["TRADING_MODE"] = "dry-run" };
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, n => env.GetValueOrDefault(n),
            o => o with { RingSize = 2048 });
        Assert.Empty(errors);
        Assert.Equal(9, options.ThresholdBps);
        Assert.Equal("blocking", options.WaitStrategy);
        Assert.Equal(2048, options.RingSize);
    }

    [Fact]
    public void A_bad_file_or_environment_value_is_an_error_not_a_crash()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "thresholdBps": "seven", "unknownSetting": 1 }""");
        var env = new Dictionary<string, string> { ["LL_RING_SIZE"] = "lots", ["TRADING_MODE"] = "yolo" };
        (_, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, n => env.GetValueOrDefault(n));
        Assert.Contains(errors, e => e.StartsWith("config:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("LL_RING_SIZE", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TRADING_MODE", StringComparison.Ordinal));

        (_, IReadOnlyList<string> missing) = EngineOptionsLoader.Load("/nonexistent/settings.json", NoEnvironment);
        Assert.Contains(missing, e => e.Contains("does not exist", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5", 1_500)]
    [InlineData("1h", 3_600_000)]
    public void Durations_parse(string text, double expectedMs)
    {
        Assert.True(Duration.TryParse(text, out TimeSpan duration));
        Assert.Equal(expectedMs, duration.TotalMilliseconds, 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("0s")]
    [InlineData("9999999h")]
    public void Bad_durations_do_not_parse(string text)
    {
        Assert.False(Duration.TryParse(text, out _));
    }
}
