using LowLatency.Kernels;
using LowLatency.Kernels.NegativeCycle;
using LowLatency.Adapters.Flashbots;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing.Graph;

namespace LowLatency.Host.Tests.Lifecycle;

/// <summary>The rig GraphBundleBenchmarks measures: one pool tick through the strategy step signs one bundle, 0 B.</summary>
public sealed class GraphBundleStepTests
{
    [Fact]
    public void Each_pool_tick_signs_one_bundle_with_its_own_nonce_and_allocates_nothing()
    {
        using var rig = new GraphBundleRig((nodes, edges) => new NegativeCycleHost(nodes, edges, KernelBackendPreference.Simd));
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(1, rig.PoolTick());
        }

        ulong nonce = rig.LastBundle.Nonce;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            rig.PoolTick();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(208, rig.Bundler.Built);
        Assert.Equal(nonce + 200, rig.LastBundle.Nonce);
        Assert.True(rig.LastBundle.TriggerTimestamp > 0 && rig.LastBundle.SignedTimestamp >= rig.LastBundle.TriggerTimestamp);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void The_bundle_is_built_from_what_the_agents_decided_their_votes_and_an_active_shrink()
    {
        // Two rigs, one tick each: the same dislocation. With an active agent that halves what is acted, the bundle
        // borrows about half as much and carries the votes of the step it was decided on.
        using var rules = new GraphBundleRig(null);
        using var agents = new GraphBundleRig(null);
        agents.Pipeline.Strategy.Agents = new HalvingAgents();
        Assert.Equal(1, rules.PoolTick());
        Assert.Equal(1, agents.PoolTick());

        ref BuiltBundle acted = ref agents.LastBundle;
        Assert.Equal(0, rules.LastBundle.Agents.Step);
        Assert.Equal(HalvingAgents.Step, acted.Agents.Step);
        Assert.Equal(2, acted.Agents.Votes[2].Mode);
        Assert.Equal(1, acted.Agents.Votes[2].Acted);
        Assert.InRange(acted.Amount / rules.LastBundle.Amount, 0.49, 0.51);
    }

    [Fact]
    public void A_cycle_rotated_to_borrow_weth_carries_its_own_amount_premium_and_profit_not_the_opportunitys()
    {
        using var rig = new GraphBundleRig(null);
        VenueGraph g = rig.Graph;
        // The rig's pair prices WETH 1 % under the V3 pool: USDC → pair → WETH → V3 → USDC pays, starting in USDC.
        var path = default(OpportunityPath);
        Assert.True(path.TryAdd(Edge(g, from: 0, to: 1, GraphEdgeKind.V2Pool)));
        Assert.True(path.TryAdd(Edge(g, from: 1, to: 0, GraphEdgeKind.V3Pool)));
        var opportunity = new Opportunity { Path = path, Size = 20_000, NetProfitQuote = -1, TriggerTimestamp = 1 };
        opportunity.Costs.FlashLoanPremium = -1;

        rig.Bundler.OnAtomic(in opportunity, 0);

        Assert.Equal(1, rig.Bundler.Built);
        ref BuiltBundle b = ref rig.Bundles[rig.Bundles.Cursor];
        Assert.True(b.StartsInWrappedNative);
        Assert.Equal(1, g.EdgeFrom(b.Path[0]));
        // The WETH the cycle held after its first leg: 20,000 USDC at about 2,970 USDC per WETH, less the pair's fee.
        Assert.InRange(b.Amount, 6.6, 6.75);
        Assert.True(b.ExpectedReturn > b.Amount);
        // Aave's 5 bps on the WETH borrowed, at 3,000 USD per WETH; the net from the exact return, less gas and premium.
        Assert.Equal(b.Amount * 0.0005 * 3_000, b.Costs.FlashLoanPremium, 9);
        Assert.True(b.Costs.Gas > 0 && b.Costs.PoolFees > 0);
        Assert.Equal(((b.ExpectedReturn - b.Amount) * 3_000) - b.Costs.Gas - b.Costs.L1DataFee - b.Costs.FlashLoanPremium, b.NetProfitQuote, 9);
        Assert.True(b.NetProfitQuote > 0);
    }

    private static int Edge(VenueGraph g, int from, int to, GraphEdgeKind kind)
    {
        for (int e = 0; e < g.EdgeCount; e++)
        {
            if (g.EdgeFrom(e) == from && g.EdgeTo(e) == to && g.EdgeKind(e) == kind)
            {
                return e;
            }
        }

        throw new InvalidOperationException($"no {kind} edge {from} → {to}");
    }

    /// <summary>An active agent that votes and halves every opportunity (the risk manager's "½").</summary>
    private sealed class HalvingAgents : IOpportunityAgents
    {
        public const long Step = 42;

        public void OnBatch(long decisionTimeNs)
        {
        }

        public bool Decide(ref Opportunity opportunity)
        {
            opportunity.Agents.Step = Step;
            opportunity.Agents.Votes[2] = new AgentVote { Mode = 2, Action = 1, RuleAction = 2, Acted = 1 };
            opportunity.Size *= 0.5;
            opportunity.SizeQuote *= 0.5;
            return true;
        }
    }
}
