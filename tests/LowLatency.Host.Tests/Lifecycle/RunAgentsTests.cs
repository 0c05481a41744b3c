using System.Globalization;
using System.Numerics;
using System.Text.Json;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Host.Composition;
using LowLatency.Host.Configuration;
using LowLatency.Host.Dashboard;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Lifecycle;
using LowLatency.Host.Tests.Support;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;
using LowLatency.Ml.Agents;
using LowLatency.Testing;

namespace LowLatency.Host.Tests.Lifecycle;

/// <summary>
/// The agent ensemble inside <c>run</c>'s strategy thread: live decisions and votes in the decision traces, none with
/// --no-ai, shadow never changing what is acted, 0 B per tick, and the live observation equal to the training one.
/// </summary>
public sealed class RunAgentsTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(90);

    private static string Models => Path.Combine(SharedData.RepoRoot, "models", "multi_agent_rl");

    /// <summary>The embedded market with 100 ms Ethereum blocks, so a few seconds hold tens of agent steps.</summary>
    private static EngineOptions FastBlocks()
    {
        var chains = ChainOptions.Defaults().ToDictionary(c => c.Key, c => c.Key == "ethereum" ? c.Value with { BlockTimeMs = 100 } : c.Value);
        return new EngineOptions { Chains = chains };
    }

    private static AgentEnsemble Load(bool enabled)
    {
        AgentEnsemble? ensemble = AgentEnsemble.Load(Models, enabled, out string? problem);
        Assert.True(ensemble is not null, problem);
        return ensemble;
    }

    private static async Task<(DryRunEngine.Result Result, DashboardFeed Feed, string Console, string[] LogLines)> RunAsync(AgentEnsemble ensemble, long ticks)
    {
        DashboardFeed? feed = null;
        var services = new RunServices
        {
            Agents = ensemble,
            StartDashboard = f =>
            {
                feed = f;
                f.SetAgents(AgentStatus.Load(Models, ensemble.Modes[0] != AgentMode.Off));
                return null;
            },
        };
        var console = new StringWriter();
        var output = new RecordingOutput();
        using EngineLogs logs = EngineLogs.Create(output, "test", _ => { }, EngineLogs.QueueCapacity);
        DryRunEngine.Result result = await Task.Run(() => new DryRunEngine(FastBlocks(), console, logs, services).Run(new RunLimits(MaxTicks: ticks), CancellationToken.None)).WaitAsync(s_hangGuard);
        Assert.Equal(StopReason.Ticks, result.Reason);
        return (result, feed!, console.ToString(), output.Lines);
    }

    [Fact]
    public async Task A_run_with_agents_on_decides_live_and_its_decision_traces_carry_the_votes()
    {
        (DryRunEngine.Result result, DashboardFeed feed, string console, string[] lines) = await RunAsync(Load(enabled: true), 4000);
        LiveAgents live = Assert.IsType<LiveAgents>(result.Agents);
        Assert.True(live.Steps > 5, $"{live.Steps} steps");
        AgentMode[] modes = live.Ensemble.Modes;
        Assert.Equal(AgentMode.Off, modes[1]); // cross-chain: no live source in run
        Assert.Equal(LiveAgents.CrossChainOff, live.OffReasons[1]);
        Assert.Contains("cross-chain off (" + LiveAgents.CrossChainOff, console, StringComparison.Ordinal);
        IReadOnlyList<AgentView> status = feed.Current.Agents.Agents;
        for (int i = 0; i < AgentEnsemble.Count; i++)
        {
            if (modes[i] == AgentMode.Off)
            {
                Assert.Equal(0, live.Ensemble.Decisions(i));
                Assert.Equal("off", status[i].State);
                continue;
            }

            Assert.Equal(AgentMode.Shadow, modes[i]); // no agent that is on in run beat its baseline out of sample
            Assert.Equal(live.Steps, live.Ensemble.Decisions(i));
            Assert.Equal("shadow", status[i].State);
            Assert.Equal(live.Ensemble.Decisions(i), status[i].Decisions);
            Assert.Equal(live.Ensemble.Disagreements(i), status[i].Disagreements);
        }

        Assert.Contains(feed.Current.Decisions.Decisions, d => d.AgentVotes.Count > 0);
        DecisionView voted = feed.Current.Decisions.Decisions.First(d => d.AgentVotes.Count > 0);
        Assert.Equal([1, 3, 4, 5], voted.AgentVotes.Select(v => v.Id));
        Assert.All(voted.AgentVotes, v => Assert.Equal("shadow", v.Mode));
        Assert.All(voted.AgentVotes, v => Assert.Equal(v.RuleAction, v.Acted)); // shadow: the rule acts
        Assert.Contains(feed.Current.Decisions.Decisions, d => d.Path.StartsWith("CexDex ", StringComparison.Ordinal) && d.AgentVotes.Count == 4);
        Assert.Contains("done: agents: ", console, StringComparison.Ordinal);

        // The arbitrage log's lines carry the same votes, as JSON, for `jq`.
        JsonElement[] opportunities = OpportunityLines(lines);
        JsonElement logged = opportunities.First(o => o.GetProperty("agentVotes").GetArrayLength() > 0);
        Assert.True(logged.GetProperty("agentStep").GetInt64() > 0);
        Assert.Equal([1, 3, 4, 5], logged.GetProperty("agentVotes").EnumerateArray().Select(v => v.GetProperty("id").GetInt32()));
        Assert.All(logged.GetProperty("agentVotes").EnumerateArray(), v =>
        {
            Assert.Equal("shadow", v.GetProperty("mode").GetString());
            Assert.Equal(v.GetProperty("ruleAction").GetInt32(), v.GetProperty("acted").GetInt32());
        });
    }

    private static JsonElement[] OpportunityLines(string[] lines) =>
        [.. lines.Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.TryGetProperty("agentVotes", out _))];

    [Fact]
    public async Task With_no_ai_the_run_has_no_votes_and_no_decisions()
    {
        Assert.False(AgentEnsemble.Enabled(noAi: true, null));
        Assert.False(AgentEnsemble.Enabled(noAi: false, "false"));
        AgentEnsemble off = Load(AgentEnsemble.Enabled(noAi: true, null));
        (DryRunEngine.Result result, DashboardFeed feed, string console, string[] lines) = await RunAsync(off, 2000);
        Assert.Null(result.Agents);
        Assert.Contains("agents: off (--no-ai or ENABLE_RL_AGENTS=false)", console, StringComparison.Ordinal);
        Assert.True(result.Opportunities > 0);
        Assert.NotEmpty(feed.Current.Decisions.Decisions);
        Assert.All(feed.Current.Decisions.Decisions, d => Assert.Empty(d.AgentVotes));
        JsonElement[] opportunities = OpportunityLines(lines);
        Assert.NotEmpty(opportunities);
        Assert.All(opportunities, o => Assert.Equal(0, o.GetProperty("agentVotes").GetArrayLength()));
        Assert.All(feed.Current.Agents.Agents, a => Assert.Equal("off", a.State));
        Assert.All(feed.Current.Agents.Agents, a => Assert.Equal(0, a.Decisions));
        for (int i = 0; i < AgentEnsemble.Count; i++)
        {
            Assert.Equal(0, off.Decisions(i));
        }
    }

    [Fact]
    public void Shadow_mode_never_changes_what_is_acted()
    {
        // The same seeded market, tick by tick on this thread (recorded time): once with agents off, once in shadow.
        using var rulesOnly = new Chain(FastBlocks(), null);
        using var shadow = new Chain(FastBlocks(), Load(enabled: true));
        List<string> acted = rulesOnly.Run(6000);
        List<string> withAgents = shadow.Run(6000);
        Assert.True(shadow.Agents!.Live.Steps > 10, $"{shadow.Agents.Live.Steps} steps");
        Assert.True(shadow.Voted > 0, "opportunities carried votes");
        Assert.True(acted.Count > 100, $"{acted.Count} opportunities");
        Assert.Equal(acted, withAgents);
    }

    [Fact]
    public void An_active_agent_can_only_shrink_or_veto_and_what_is_acted_still_passes_the_gate()
    {
        // Forced active (no manifest in run says so): the risk manager learned to veto, so once it has decided every
        // opportunity is vetoed, never enlarged, and none is approved without the gate's stamp.
        AgentEnsemble ensemble = Load(enabled: true);
        using var rulesOnly = new Chain(FastBlocks(), null);
        using var active = new Chain(FastBlocks(), ensemble);
        for (int i = 0; i < AgentEnsemble.Count; i++)
        {
            ensemble.Modes[i] = ensemble.Modes[i] == AgentMode.Off ? AgentMode.Off : AgentMode.Active;
        }

        rulesOnly.Run(6000);
        active.Run(6000);
        Assert.Equal(rulesOnly.Seen.Count, active.Seen.Count); // what is found does not depend on the agents
        int vetoed = 0;
        for (int i = 0; i < active.Seen.Count; i++)
        {
            Opportunity rule = rulesOnly.Seen[i];
            Opportunity acted = active.Seen[i];
            Assert.Equal(rule.Kind, acted.Kind);
            Assert.True(acted.Quantity.Raw <= rule.Quantity.Raw && acted.Size <= rule.Size && acted.SizeQuote <= rule.SizeQuote, $"opportunity {i} grew");
            Assert.True(!acted.Risk.Approved || acted.Risk.Checked, $"opportunity {i} approved without the gate");
            if (acted.Agents.Step != 0)
            {
                Assert.Equal(0, acted.Agents.Votes[AgentEnsemble.RiskManager].Acted); // its veto, acted
                Assert.False(acted.Risk.Checked);
                vetoed++;
            }
        }

        Assert.True(vetoed > 100, $"{vetoed} vetoed");
    }

    [Fact]
    public void Pools_with_weth_as_token0_are_read_as_the_agents_were_trained_usdc_per_weth()
    {
        // One market both ways round (Ethereum has USDC as token0, Arbitrum and Base WETH): 15M USDC and 6,500 WETH in the
        // V2 pair, the V3 pool at 2,400 USDC per WETH.
        BlockState usdcFirst = default, wethFirst = default;
        (VenueGraph a, UsdcWethPools atA) = UsdcWethGraph(wethIsToken0: false);
        (VenueGraph b, UsdcWethPools atB) = UsdcWethGraph(wethIsToken0: true);
        RunAgents.Read(a, in atA, 7, 1, ref usdcFirst);
        RunAgents.Read(b, in atB, 7, 1, ref wethFirst);

        Assert.Equal(15_000_000, usdcFirst.V2Usdc, 6);
        Assert.Equal(6_500, usdcFirst.V2Weth, 9);
        Assert.Equal(usdcFirst.V2Usdc, wethFirst.V2Usdc);
        Assert.Equal(usdcFirst.V2Weth, wethFirst.V2Weth);
        Assert.Equal(2_400, usdcFirst.V3Mid, 6);
        Assert.Equal(usdcFirst.V3Mid, wethFirst.V3Mid, 1e-9 * 2_400); // 2^192 / sqrtP floors: a part in 10^15 or so
        Assert.Equal(usdcFirst.Liquidity, wethFirst.Liquidity);
        Assert.Equal(usdcFirst.GasGwei, wethFirst.GasGwei);
    }

    private static (VenueGraph Graph, UsdcWethPools At) UsdcWethGraph(bool wethIsToken0)
    {
        var graph = new VenueGraph(2, 8, 2, 1, 1, 2);
        int usdc = graph.AddNode(0, GraphLocationKind.Chain, 0, 6);
        int weth = graph.AddNode(1, GraphLocationKind.Chain, 0, 18);
        (int t0, int t1) = wethIsToken0 ? (weth, usdc) : (usdc, weth);
        int v2 = graph.AddV2Pool(t0, t1, 30);
        int v3 = graph.AddV3Pool(t0, t1, new V3Pool(500, 10));
        graph.Freeze();
        UInt256 usdcReserve = UInt256.Parse("15000000000000");          // 15M × 10^6
        UInt256 wethReserve = UInt256.Parse("6500000000000000000000");   // 6,500 × 10^18
        graph.UpdateV2Reserves(v2, wethIsToken0 ? wethReserve : usdcReserve, wethIsToken0 ? usdcReserve : wethReserve);

        // sqrtP = sqrt(token1 raw per token0 raw) × 2^96: WETH per USDC (10^12 / 2,400) or USDC per WETH (2,400 / 10^12).
        BigInteger q192 = BigInteger.One << 192;
        BigInteger ratioX192 = wethIsToken0 ? q192 * 2_400 / BigInteger.Pow(10, 12) : q192 * BigInteger.Pow(10, 12) / 2_400;
        ref V3PoolState state = ref graph.V3(v3).State;
        state.SqrtPriceX96 = UInt256.Parse(Sqrt(ratioX192).ToString(CultureInfo.InvariantCulture));
        state.Liquidity = (UInt128)3e19;
        graph.SetChainGas(0, new ChainGas { BaseFeeWei = 20e9, PriorityFeeWei = 1e9 });
        return (graph, new UsdcWethPools(0, v2, v3, wethIsToken0));
    }

    private static BigInteger Sqrt(BigInteger n)
    {
        BigInteger x = BigInteger.One << (int)((n.GetBitLength() / 2) + 1);
        while (true)
        {
            BigInteger next = (x + (n / x)) / 2;
            if (next >= x)
            {
                return x;
            }

            x = next;
        }
    }

    [Fact]
    public void The_ensemble_step_allocates_nothing_per_tick()
    {
        using var chain = new Chain(FastBlocks(), Load(enabled: true), measure: true);
        chain.Run(3000); // warm-up: every path compiled, several steps taken
        long before = chain.Agents!.Live.Steps;
        chain.Measured!.On = true;
        chain.Run(20_000);
        long steps = chain.Agents.Live.Steps - before;
        Assert.True(steps > 50, $"{steps} steps measured");
        Assert.True(chain.Measured.Calls > 20_000, $"{chain.Measured.Calls} calls measured");
        Assert.Equal(0, chain.Measured.Bytes);
    }

    [Fact]
    public void The_live_observation_is_the_training_environments_for_the_same_blocks()
    {
        BlockState[] blocks = Blocks(45);
        OnchainDay day = OnchainDay.FromBlocks(blocks);
        AgentEnsemble ensemble = Load(enabled: true);
        var live = new LiveAgents(ensemble);
        int t = blocks.Length - 1;
        for (int i = 0; i < t; i++)
        {
            live.Push(in blocks[i]);
            Assert.True(live.Step());
        }

        float[] before = live.Signals.ToArray();
        int whaleActed = ensemble.ActedActions[3];
        live.Push(in blocks[t]);
        Assert.True(live.Step());

        // The board as training reads it: step t − 1's signals for the specialists, step t's for the risk manager.
        var board = new SignalBoard(day.Count);
        for (int k = 0; k < AgentDesk.Agents; k++)
        {
            board.Set(t - 1, k + 1, before[k]);
            board.Set(t, k + 1, live.Signals[k]);
        }

        var whale = new WhaleDesk(day);
        whale.Act(t - 1, whaleActed, 1); // the same position as the live book's
        AgentDesk[] desks = [new CexDexDesk(day), null!, new FlashLoanDesk(day), whale, new RiskDesk(day)];
        foreach (int k in new[] { 0, 2, 3, 4 })
        {
            var expected = new float[desks[k].FeatureCount + AgentDesk.Agents];
            AgentEnvironment.Observation(desks[k], board, t, before[k], expected);
            Assert.Equal(expected, ensemble.Observations[k]);
            Assert.Contains(expected.AsSpan(0, desks[k].FeatureCount).ToArray(), v => v != 0);
        }
    }

    /// <summary>Seeded blocks: a random walk of the V3 price, V2 off it by up to ±60 bps, gas, three whale swaps.</summary>
    private static BlockState[] Blocks(int n)
    {
        var random = new Random(11);
        var blocks = new BlockState[n];
        double price = 2300;
        for (int i = 0; i < n; i++)
        {
            price *= Math.Exp(random.NextDouble() * 0.004 - 0.002);
            double v2Price = price * (1 + ((random.NextDouble() - 0.5) * 0.012));
            double usdc = 15_000_000;
            double sqrtX96 = Math.Sqrt(1e12 / price) * Math.Pow(2, 96);
            blocks[i] = new BlockState
            {
                Block = 18_000_000 + i,
                TimeNs = 1_700_000_000_000_000_000 + (i * 12_000_000_000L),
                V2Usdc = usdc,
                V2Weth = usdc / v2Price,
                SqrtPriceX96 = UInt256.Parse(new BigInteger(sqrtX96).ToString(CultureInfo.InvariantCulture)),
                Liquidity = (UInt128)3e19,
                WhaleFlowUsdc = i is 5 or 30 ? 400_000 : i == 38 ? -350_000 : 0,
                GasGwei = 10 + (random.NextDouble() * 20),
            };
        }

        return blocks;
    }

    /// <summary>The run's strategy chain with its venue graph and gate, driven tick by tick on the calling thread (recorded time).</summary>
    private sealed class Chain : IDisposable
    {
        private readonly SimulatedMarket _market;
        private readonly RingBuffer<TickEvent> _ring;
        private readonly BatchEventProcessor<TickEvent, StrategyHandler> _strategy;
        private readonly RingBuffer<Opportunity> _opportunities;
        private readonly Sequence _read = new();
        private readonly StrategyRiskGate _gate;
        private readonly GraphWiring _graph;

        public Chain(EngineOptions options, AgentEnsemble? ensemble, bool measure = false)
        {
            SimulatedMarketOptions market = GraphWiring.WithChainBlockTimes(options.Market, options.Chains);
            _market = new SimulatedMarket(market);
            int venues = _market.VenueCount;
            int instruments = _market.InstrumentCount;
            int[] priceDecimals = Enumerable.Range(0, instruments).Select(_market.PriceDecimals).ToArray();
            int[] quantityDecimals = Enumerable.Range(0, instruments).Select(_market.QuantityDecimals).ToArray();
            List<BookSpec> specs = GraphWarmup.BookSpecs(venues, instruments, priceDecimals, quantityDecimals);

            _opportunities = new RingBuffer<Opportunity>(1 << 14, ProducerType.Single, WaitStrategyKind.Yielding);
            _opportunities.AddGatingSequences(_read);
            var pipeline = new StrategyPipeline(specs, instruments, venues, priceDecimals, market.Venues.Select(v => v.TakerFee).ToArray(), options.ThresholdBps,
                _opportunities, null, int.MaxValue, 1 << 10, WaitStrategyKind.Yielding);
            _gate = new StrategyRiskGate(options.Execution.Risk with { Assets = instruments, Venues = venues }, new KillSwitch(), priceDecimals, quantityDecimals);
            pipeline.Strategy.Risk = _gate;
            pipeline.Strategy.UseRecordedTime = true;
            _graph = GraphWiring.Compose(options, market, pipeline, priceDecimals, quantityDecimals, TextWriter.Null, logs: null)!;
            Agents = RunAgents.TryCreate(ensemble, null, _graph, out _);
            Measured = measure && Agents is not null ? new MeasuredAgents(Agents) : null;
            pipeline.Strategy.Agents = (IOpportunityAgents?)Measured ?? Agents;
            _ring = pipeline.MarketRing;
            _strategy = new BatchEventProcessor<TickEvent, StrategyHandler>(_ring, _ring.NewBarrier(), new StrategyHandler(pipeline.Strategy));
            _ring.AddGatingSequences(_strategy.Sequence);
        }

        public RunAgents? Agents { get; }

        public MeasuredAgents? Measured { get; }

        /// <summary>Opportunities that carried votes.</summary>
        public long Voted { get; private set; }

        /// <summary>Every opportunity published, as its slot read after the gate.</summary>
        public List<Opportunity> Seen { get; } = [];

        /// <summary>Feeds <paramref name="events"/> events, each its own batch; returns what each opportunity was acted as (votes left out).</summary>
        public List<string> Run(int events)
        {
            var acted = new List<string>();
            void Record(Opportunity o)
            {
                Voted += o.Agents.Step != 0 ? 1 : 0;
                Seen.Add(o);
                acted.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{o.Kind} {o.Instrument.Value} {o.BuyVenue.Value}->{o.SellVenue.Value} {o.BuyPrice.Raw}/{o.SellPrice.Raw} q{o.Quantity.Raw} size {o.Size:R} {o.SizeQuote:R} net {o.NetProfitQuote:R} at {o.DecisionTimeNs} risk {o.Risk.Checked} {o.Risk.Approved} {o.Risk.Reason} {o.Risk.Legs} {o.Risk.NotionalUsd:R}"));
            }

            for (int n = 0; n < events; n++)
            {
                Assert.True(GraphWarmup.Pump(_market, _strategy, _ring, _opportunities, _read, _gate, _graph, Record));
            }

            return acted;
        }

        public void Dispose() => _graph.Dispose();
    }

    /// <summary>The ensemble's two strategy-thread calls, with the bytes they allocate on this thread counted while <see cref="On"/>.</summary>
    private sealed class MeasuredAgents(IOpportunityAgents inner) : IOpportunityAgents
    {
        public bool On { get; set; }

        public long Bytes { get; private set; }

        public long Calls { get; private set; }

        public void OnBatch(long decisionTimeNs)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            inner.OnBatch(decisionTimeNs);
            Count(before);
        }

        public bool Decide(ref Opportunity opportunity)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            bool acted = inner.Decide(ref opportunity);
            Count(before);
            return acted;
        }

        private void Count(long before)
        {
            if (On)
            {
                Bytes += GC.GetAllocatedBytesForCurrentThread() - before;
                Calls++;
            }
        }
    }
}
