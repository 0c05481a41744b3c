using LowLatency.Host.Configuration;
using LowLatency.Host.Lifecycle;
using LowLatency.HotPath.Ring;

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
        Assert.Equal(WaitStrategyKind.Yielding, options.WaitStrategy);
    }

    [Fact]
    public void Every_bad_value_is_reported_together()
    {
        var options = new EngineOptions
        {
            RingSize = 1000,
            WaitStrategy = (WaitStrategyKind)42,
            ThresholdBps = double.NaN,
            LogPath = " ",
            ReplaySpeed = (ReplaySpeedKind)42,
            TakerFees = new Dictionary<string, double> { ["x"] = 0.5 },
        };
        IReadOnlyList<string> errors = options.Validate();
        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("ringSize", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("waitStrategy", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("takerFees.x", StringComparison.Ordinal));
    }

    [Fact]
    public void Paper_and_live_are_valid_modes_and_live_keys_are_the_run_commands_check()
    {
        Assert.Empty(new EngineOptions { Mode = TradingMode.Paper }.Validate());
        Assert.Empty(new EngineOptions { Mode = TradingMode.Live }.Validate());
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
        Assert.Equal(WaitStrategyKind.Blocking, options.WaitStrategy);
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

    private static IReadOnlyList<string> ErrorsOf(string json)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            return EngineOptionsLoader.Load(path, NoEnvironment).Errors;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private const string TwoVenues = """
        [{ "name": "a" }, { "name": "b" }]
        """;

    private const string OneInstrument = """
        [{ "symbol": "X" }]
        """;

    [Theory]
    [InlineData("""{ "takerFees": null }""", "takerFees: must not be null")]
    [InlineData("""{ "market": null }""", "market: must not be null")]
    [InlineData("""{ "logPath": null }""", "logPath: must not be empty")]
    [InlineData("""{ "market": { "venues": [null, { "name": "b" }, { "name": "c" }], "instruments": [{ "symbol": "X" }] } }""", "market.venues[0]: must not be null")]
    [InlineData("""{ "market": { "venues": null, "instruments": [{ "symbol": "X" }] } }""", "market.venues: missing")]
    [InlineData("""{ "market": { "venues": [{ "name": "a" }, { "name": "b" }], "instruments": [null] } }""", "market.instruments[0]: must not be null")]
    [InlineData("""{ "market": { "venues": [{ "name": null }, { "name": "b" }], "instruments": [{ "symbol": null }] } }""", "market.venues[0].name: missing")]
    [InlineData("""{ "market": { "venues": [{ "name": "a" }, { "name": "A" }], "instruments": [{ "symbol": "X" }] } }""", "market.venues[1].name: 'A' names two venues")]
    public void A_null_anywhere_in_the_settings_is_an_error_naming_its_path(string json, string expected)
    {
        IReadOnlyList<string> errors = ErrorsOf(json);
        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    // The typed options are parsed by the JSON converter, so a null or unknown spelling is a settings-file error naming the rule.
    [Theory]
    [InlineData("""{ "waitStrategy": null }""", "waitStrategy: must not be null")]
    [InlineData("""{ "replaySpeed": null }""", "replaySpeed: must not be null")]
    [InlineData("""{ "waitStrategy": "spin" }""", "waitStrategy: 'spin' must be busy-spin, yielding or blocking")]
    [InlineData("""{ "replaySpeed": "fast" }""", "replaySpeed: 'fast' must be max or recorded")]
    [InlineData("""{ "waitStrategy": 1 }""", "waitStrategy must be a string")]
    public void A_null_or_unknown_typed_option_is_a_settings_error_naming_its_rule(string json, string expected)
    {
        IReadOnlyList<string> errors = ErrorsOf(json);
        Assert.Contains(errors, e => e.StartsWith("config: ", StringComparison.Ordinal) && e.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{ "waitStrategy": "Busy-Spin", "replaySpeed": "RECORDED" }""", WaitStrategyKind.BusySpin, ReplaySpeedKind.Recorded)]
    [InlineData("""{ "waitStrategy": " blocking ", "replaySpeed": "max" }""", WaitStrategyKind.Blocking, ReplaySpeedKind.Max)]
    public void Typed_options_read_case_insensitively(string json, WaitStrategyKind wait, ReplaySpeedKind speed)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ll-typed-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, _ => null);
            Assert.Empty(errors);
            Assert.Equal(wait, options.WaitStrategy);
            Assert.Equal(speed, options.ReplaySpeed);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_environment_s_wait_strategy_goes_through_the_same_parser()
    {
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(null, name => name == "LL_WAIT_STRATEGY" ? "Blocking" : null);
        Assert.Empty(errors);
        Assert.Equal(WaitStrategyKind.Blocking, options.WaitStrategy);
        (_, errors) = EngineOptionsLoader.Load(null, name => name == "LL_WAIT_STRATEGY" ? "spin" : null);
        Assert.Contains("waitStrategy: 'spin' must be busy-spin, yielding or blocking", errors);
    }

    [Fact]
    public void Options_built_in_code_with_nulls_validate_without_throwing()
    {
        var options = new EngineOptions { TakerFees = null!, Market = null!, WaitStrategy = (WaitStrategyKind)42, LogPath = null!, ReplaySpeed = (ReplaySpeedKind)42 };
        Assert.Equal(5, options.Validate().Count);
    }

    [Theory]
    [InlineData("""{ "mode": "dry-run" }""")]
    [InlineData("""{ "mode": "DRY-RUN" }""")]
    [InlineData("""{ "mode": "DryRun" }""")]
    public void The_mode_reads_the_spellings_of_the_flag_and_the_environment(string json)
    {
        Assert.Empty(ErrorsOf(json));
    }

    [Theory]
    [InlineData("""{ "mode": 99 }""")]
    [InlineData("""{ "mode": 0 }""")]
    [InlineData("""{ "mode": "yolo" }""")]
    [InlineData("""{ "mode": true }""")]
    public void A_mode_that_is_not_a_known_spelling_is_refused(string json)
    {
        IReadOnlyList<string> errors = ErrorsOf(json);
        string error = Assert.Single(errors);
        Assert.Contains("$.mode", error, StringComparison.Ordinal);
        Assert.Contains("dry-run, paper or live", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Paper_in_the_file_is_read_as_paper()
    {
        Assert.Empty(ErrorsOf("""{ "mode": "paper" }"""));
    }

    [Fact]
    public void A_mistyped_value_names_its_path_and_line_without_dotnet_type_names()
    {
        string error = Assert.Single(ErrorsOf("""
            {
              "takerFees": { "okx": "a lot" }
            }
            """));
        Assert.Contains("$.takerFees.okx", error, StringComparison.Ordinal);
        Assert.Contains("line 2", error, StringComparison.Ordinal);
        Assert.Contains("expected a number", error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void More_venues_than_the_engine_holds_is_a_limit_not_a_wrapped_id()
    {
        string venues = string.Join(",", Enumerable.Range(0, 300).Select(i => $$"""{ "name": "v{{i}}" }"""));
        IReadOnlyList<string> errors = ErrorsOf($$"""{ "market": { "venues": [{{venues}}], "instruments": {{OneInstrument}} } }""");
        Assert.Contains(errors, e => e.Contains("300 venues; the engine holds at most 64", StringComparison.Ordinal));
    }

    [Fact]
    public void More_books_than_the_engine_holds_is_a_limit()
    {
        string instruments = string.Join(",", Enumerable.Range(0, 20_000).Select(i => $$"""{ "symbol": "s{{i}}" }"""));
        IReadOnlyList<string> errors = ErrorsOf($$"""{ "market": { "venues": {{TwoVenues}}, "instruments": [{{instruments}}] } }""");
        Assert.Contains(errors, e => e.Contains("40000 books; the engine holds at most 32767", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{ "symbol": "X", "startPrice": 1e300 }""")]
    [InlineData("""{ "symbol": "X", "startPrice": 1e9, "tickSize": 1e-8 }""")]
    [InlineData("""{ "symbol": "X", "tickSize": 0 }""")]
    [InlineData("""{ "symbol": "X", "typicalSize": 1e300 }""")]
    public void Simulated_prices_that_would_overflow_fixed_point_are_refused(string instrument)
    {
        string json = $$"""{ "market": { "venues": {{TwoVenues}}, "instruments": [{{instrument}}] } }""";
        Assert.Contains(ErrorsOf(json), e => e.StartsWith("market.instruments[0]: startPrice", StringComparison.Ordinal));
    }

    [Fact]
    public void Log_rotation_settings_are_validated()
    {
        Assert.Empty(ErrorsOf("""{ "logMaxBytes": 65536, "logKeepFiles": 3 }"""));
        IReadOnlyList<string> errors = ErrorsOf("""{ "logMaxBytes": 10, "logKeepFiles": 0 }""");
        Assert.Contains(errors, e => e.StartsWith("logMaxBytes: 10", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("logKeepFiles: 0", StringComparison.Ordinal));
    }

    [Fact]
    public void A_device_is_refused_as_a_settings_file_without_reading_it()
    {
        (_, IReadOnlyList<string> errors) = EngineOptionsLoader.Load("/dev/zero", NoEnvironment);
        string error = Assert.Single(errors);
        Assert.Equal("config: '/dev/zero' is a character device; settings are read only from a regular file", error);
    }

    [Fact]
    public void A_directory_is_refused_as_a_settings_file()
    {
        (_, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(Path.GetTempPath(), NoEnvironment);
        Assert.Contains("is a directory", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_pipe_is_refused_as_a_settings_file_without_blocking()
    {
        string fifo = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        try
        {
            // Opening a FIFO for reading blocks until a writer appears; run the load off the test thread so a
            // regression fails the test instead of hanging the run.
            Task<IReadOnlyList<string>> load = Task.Run(() => EngineOptionsLoader.Load(fifo, NoEnvironment).Errors);
            IReadOnlyList<string> errors = await load.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("is a named pipe", Assert.Single(errors), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public void A_settings_file_over_the_size_cap_is_refused()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"thresholdBps\": 3" + new string(' ', EngineOptionsLoader.MaxSettingsBytes) + "}");
        try
        {
            (_, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, NoEnvironment);
            Assert.Contains("is larger than 1024 KiB", Assert.Single(errors), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_settings_file_with_a_byte_order_mark_is_read()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "thresholdBps": 3 }""", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        try
        {
            (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, NoEnvironment);
            Assert.Empty(errors);
            Assert.Equal(3, options.ThresholdBps);
        }
        finally
        {
            File.Delete(path);
        }
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

    [Theory]
    [InlineData("\"250ms\"", 250, null)]
    [InlineData("\"00:00:02\"", 2000, null)]
    [InlineData("\" 1H \"", 3_600_000, null)]
    [InlineData("5", 0, "replayMaxGap must be a string")]
    [InlineData("\"2h\"", 0, "replayMaxGap: '2h' must be a duration from 1ms to 1h")]
    public void The_replay_gap_cap_is_a_duration_read_once(string json, double expectedMs, string? error)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ll-gap-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""{ "replayMaxGap": {{json}} }""");
        try
        {
            (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, _ => null);
            if (error is null)
            {
                Assert.Empty(errors);
                Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), options.ReplayMaxGap);
                Assert.True(OptionSpellings.TryParseReplayMaxGap(OptionSpellings.FormatReplayMaxGap(options.ReplayMaxGap), out TimeSpan back));
                Assert.Equal(options.ReplayMaxGap, back);
            }
            else
            {
                Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_replay_gap_cap_set_out_of_range_in_code_is_a_validation_error()
    {
        IReadOnlyList<string> errors = new EngineOptions { ReplayMaxGap = TimeSpan.FromHours(2) }.Validate();
        Assert.Contains("replayMaxGap: '7200s' must be a duration from 1ms to 1h (e.g. 5s, 500ms, 00:00:05)", errors);
    }
}
