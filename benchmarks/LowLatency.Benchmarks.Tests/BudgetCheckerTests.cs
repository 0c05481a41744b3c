using LowLatency.Benchmarks.Checking;
using LowLatency.Benchmarks.Latency;

namespace LowLatency.Benchmarks.Tests;

public sealed class BudgetCheckerTests
{
    private static readonly Budget s_zeroAlloc = new()
    {
        Name = "sweep.alloc",
        Metric = "allocated_bytes",
        Benchmark = "EdgeSweepBenchmarks.Simd",
        Max = 0,
    };

    private static readonly Budget s_vsEthers = new()
    {
        Name = "eth.sign_bundle_vs_ethers",
        Metric = "speedup_vs_external",
        Benchmark = "FlashbotsSignBenchmarks.Native",
        External = "ethers",
        Min = 2,
    };

    private static BudgetVerdict CheckOne(Budget budget, MeasuredValue measured, bool quick, IReadOnlyDictionary<string, double>? external = null) =>
        Assert.Single(BudgetChecker.Check([budget], new Dictionary<string, MeasuredValue> { [budget.Benchmark] = measured }, external ?? new Dictionary<string, double>(), quick));

    // What a quick run read here: the finalizer thread allocated 3,312 B in the 3,456-operation window; BDN rounds 0.96 B/op to 1.
    private static MeasuredValue OneOff(long bytes, long operations) =>
        new(30_000, (long)Math.Round((double)bytes / operations, MidpointRounding.ToEven)) { AllocatedBytesInWindow = bytes, WindowOperations = operations };

    private static readonly Budget s_median = new()
    {
        Name = "eth.sign_native_median",
        Metric = "median_ns",
        Benchmark = "SigningBenchmarks.Native",
        Max = 40_000,
        QuickMax = 150_000,
    };

    private static readonly Budget s_speedup = new()
    {
        Name = "eth.sign_native_vs_bouncycastle",
        Metric = "speedup",
        Benchmark = "SigningBenchmarks.Native",
        Baseline = "SigningBenchmarks.BouncyCastle",
        Min = 4,
        QuickMin = 2,
    };

    [Fact]
    public void A_quick_run_reports_an_absolute_time_over_budget_without_failing_on_it()
    {
        BudgetVerdict v = CheckOne(s_median, new MeasuredValue(200_000, 0), quick: true);
        Assert.True(v.Pass);
        Assert.True(v.Informational);
        Assert.Equal("INFO", v.Result);
        Assert.Equal("PASS", CheckOne(s_median, new MeasuredValue(100_000, 0), quick: true).Result);
    }

    [Fact]
    public void A_full_run_gates_absolute_times_and_a_quick_run_still_gates_ratios()
    {
        Assert.Equal("FAIL", CheckOne(s_median, new MeasuredValue(50_000, 0), quick: false).Result);
        var measured = new Dictionary<string, MeasuredValue>
        {
            ["SigningBenchmarks.Native"] = new(100_000, 0),
            ["SigningBenchmarks.BouncyCastle"] = new(150_000, 0),
        };
        BudgetVerdict ratio = Assert.Single(BudgetChecker.Check([s_speedup], measured, new Dictionary<string, double>(), quick: true));
        Assert.Equal("FAIL", ratio.Result);
    }

    [Fact]
    public void A_quick_run_tolerates_a_one_off_allocation_in_its_short_window()
    {
        BudgetVerdict v = CheckOne(s_zeroAlloc, OneOff(3_312, 3_456), quick: true);
        Assert.True(v.Pass, v.Note);
        Assert.Equal(1, v.Measured);
        Assert.Contains("3,312 B", v.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_run_does_not()
    {
        Assert.False(CheckOne(s_zeroAlloc, OneOff(3_312, 3_456), quick: false).Pass);
    }

    [Fact]
    public void The_allowance_never_hides_an_allocation_made_on_every_call()
    {
        // 24 B (the smallest object) on every one of 3,456 calls is 82,944 B: far over the allowance.
        Assert.False(CheckOne(s_zeroAlloc, OneOff(24 * 3_456, 3_456), quick: true).Pass);

        // Too few operations for the window to tell a one-off from a per-call allocation: no allowance.
        Assert.False(CheckOne(s_zeroAlloc, OneOff(24 * 100, 100), quick: true).Pass);

        // More than the allowance in the window is judged by BenchmarkDotNet's per-operation figure alone.
        Assert.False(CheckOne(s_zeroAlloc, OneOff(BudgetChecker.QuickOneOffAllowanceBytes + 1, 3_456), quick: true).Pass);
    }

    [Fact]
    public void Zero_stays_zero_and_a_harness_without_a_window_is_judged_per_event()
    {
        Assert.True(CheckOne(s_zeroAlloc, OneOff(0, 3_456), quick: true).Pass);
        Assert.False(CheckOne(s_zeroAlloc, new MeasuredValue(1_000, 1), quick: true).Pass);
    }

    [Fact]
    public void An_unmeasured_external_baseline_says_what_is_missing_and_what_to_run()
    {
        var failures = new Dictionary<string, string> { ["ethers"] = ExternalBaselines.NotSetUp("tools/node_modules/ethers is missing") };
        BudgetVerdict v = Assert.Single(BudgetChecker.Check(
            [s_vsEthers],
            new Dictionary<string, MeasuredValue> { [s_vsEthers.Benchmark] = new(40_000, 344) },
            new Dictionary<string, double>(),
            quick: true,
            failures));

        Assert.False(v.Pass);
        Assert.NotNull(v.Note);
        Assert.DoesNotContain('\n', v.Note);
        Assert.Contains("tools/node_modules/ethers is missing", v.Note, StringComparison.Ordinal);
        Assert.Contains("make setup", v.Note, StringComparison.Ordinal);
        Assert.Contains("scripts/setup-node-tools.sh", v.Note, StringComparison.Ordinal);
    }
}

public sealed class EthersComparisonSetUpTests
{
    [Fact]
    public void Missing_ethers_is_one_line_naming_the_path_and_the_set_up_command()
    {
        string tools = Path.Combine(Path.GetTempPath(), "ll-bench-tools-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tools);
        try
        {
            string? missing = Ethereum.EthersComparison.MissingSetUp(tools);
            Assert.NotNull(missing);
            Assert.DoesNotContain('\n', missing);
            Assert.Contains(Path.Combine(tools, "node_modules", "ethers"), missing, StringComparison.Ordinal);
            Assert.Contains("run 'make setup' (or scripts/setup-node-tools.sh)", missing, StringComparison.Ordinal);

            Directory.CreateDirectory(Path.Combine(tools, "node_modules", "ethers"));
            Assert.Null(Ethereum.EthersComparison.MissingSetUp(tools));
        }
        finally
        {
            Directory.Delete(tools, recursive: true);
        }
    }
}
