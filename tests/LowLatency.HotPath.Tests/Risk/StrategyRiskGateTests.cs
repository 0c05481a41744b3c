using LowLatency.HotPath.Book;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Tests.Risk;

/// <summary>
/// The gate on the strategy thread: every opportunity the handler publishes is checked in its ring slot and carries the
/// verdict; the host's releases and realised P&amp;L come back through the feedback ring; 0 B per tick.
/// </summary>
public sealed class StrategyRiskGateTests
{
    private static readonly InstrumentId s_instrument = new(0);
    private static readonly VenueId s_v0 = new(0);
    private static readonly VenueId s_v1 = new(1);

    /// <summary>Two venues, one instrument at 2 price decimals and whole quantities, no fees, 50 bps threshold.</summary>
    private sealed class Market
    {
        private readonly Sequence _consumer = new();
        private long _sequence;
        private long _timeNs = 1_000_000_000;

        public Market(RiskOptions? options = null)
        {
            var books = new BookSet([
                new BookSpec(s_v0, s_instrument, SequenceRule.None, 2, 0, Capacity: 64),
                new BookSpec(s_v1, s_instrument, SequenceRule.None, 2, 0, Capacity: 64),
            ]);
            var edges = new EdgeStage(1, 2, [2], [0.0, 0.0], thresholdBps: 50);
            Ring = new RingBuffer<Opportunity>(64, ProducerType.Single, WaitStrategyKind.Yielding);
            Ring.AddGatingSequences(_consumer);
            Risk = new StrategyRiskGate(options ?? new RiskOptions { Assets = 1, Venues = 2 }, new KillSwitch(), [2], [0]);
            State = new StrategyState(books, edges, Ring) { UseRecordedTime = true, Risk = Risk };
            Handler = new StrategyHandler(State);
            Tick(s_v0, 9_990, 10_000);
            Tick(s_v1, 9_990, 10_000);
        }

        public RingBuffer<Opportunity> Ring { get; }

        public StrategyRiskGate Risk { get; }

        public StrategyState State { get; }

        public StrategyHandler Handler { get; }

        /// <summary>Edges that did not publish exactly one opportunity.</summary>
        public int Missed { get; private set; }

        /// <summary>One whole snapshot message from <paramref name="venue"/>, its own batch, 1 ms after the last.</summary>
        public void Tick(VenueId venue, long bid, long ask)
        {
            TickEvent e = default;
            e.Kind = TickKind.Snapshot;
            e.Flags = TickFlags.FirstChunk | TickFlags.LastChunk;
            e.Venue = venue;
            e.Instrument = s_instrument;
            e.ReceiveTimeNs = _timeNs += 1_000_000;
            e.Levels[0] = new BookLevel(new Price(bid), new Quantity(1));
            e.Levels[1] = new BookLevel(new Price(ask), new Quantity(1));
            e.BidCount = 1;
            e.AskCount = 1;
            Handler.OnEvent(ref e, _sequence++, endOfBatch: true);
        }

        /// <summary>Venue 0's bid jumps to 101.00 over venue 1's ask at 100.00: one 100 bps edge. Returns its slot.</summary>
        public Opportunity Edge()
        {
            Tick(s_v1, 9_990, 10_000); // fresh: the stale-data guard refuses quotes older than 500 ms
            long before = Ring.Cursor;
            Tick(s_v0, 10_100, 10_110);
            if (Ring.Cursor != before + 1)
            {
                Missed++; // counted, not asserted here: xUnit's Assert allocates, and the 0 B test runs this
            }

            Opportunity o = Ring[Ring.Cursor];
            _consumer.Value = Ring.Cursor;
            Tick(s_v0, 9_990, 10_000);
            return o;
        }
    }

    [Fact]
    public void Every_published_opportunity_carries_the_verdict_and_a_release_from_the_host_frees_its_legs()
    {
        var m = new Market();
        Opportunity o = m.Edge();
        Assert.Equal(0, m.Missed);
        Assert.True(o.Risk.Checked);
        Assert.True(o.Risk.Approved);
        Assert.Equal(RiskReason.None, o.Risk.Reason);
        Assert.Equal(2, o.Risk.Legs);
        Assert.Equal(100.0, o.Risk.NotionalUsd, 9); // 1 unit at the 100.00 ask
        Assert.True(o.Risk.Timestamp >= o.TriggerTimestamp);
        Assert.Equal(2, m.Risk.Gate.OpenLegs);

        Assert.True(m.Risk.TryPost(new RiskFeedback { Kind = RiskFeedbackKind.Release, Asset = s_instrument, Legs = o.Risk.Legs, NotionalUsd = o.Risk.NotionalUsd }));
        Assert.Equal(2, m.Risk.Gate.OpenLegs); // applied by the strategy thread, at its next batch
        m.Tick(s_v1, 9_990, 10_000);
        Assert.Equal(0, m.Risk.Gate.OpenLegs);
        Assert.Equal(0, m.Risk.Gate.AssetOpenUsd(s_instrument));
        Assert.Equal(1, m.Risk.FeedbackApplied);
    }

    [Fact]
    public void Approvals_not_yet_released_hold_their_legs_and_the_open_legs_breaker_denies_the_next()
    {
        var m = new Market(new RiskOptions { Assets = 1, Venues = 2, MaxOpenLegs = 4 });
        Assert.True(m.Edge().Risk.Approved);
        Assert.True(m.Edge().Risk.Approved);
        Opportunity third = m.Edge();
        Assert.True(third.Risk.Checked);
        Assert.False(third.Risk.Approved);
        Assert.Equal(RiskReason.OpenLegs, third.Risk.Reason);
        Assert.Equal(0, third.Risk.Legs);
        Assert.Equal(1, m.Risk.Gate.Denied(RiskReason.OpenLegs));
    }

    [Fact]
    public void The_kill_switch_denies_on_the_strategy_thread_and_its_trip_is_an_alert()
    {
        var m = new Market();
        m.Risk.Gate.KillSwitch.Engage(KillSwitchSource.Signal);
        Opportunity o = m.Edge();
        Assert.False(o.Risk.Approved);
        Assert.Equal(RiskReason.KillSwitch, o.Risk.Reason);
        var alerts = new RiskAlert[8];
        int n = m.Risk.Gate.DrainAlerts(alerts);
        Assert.Equal(1, n);
        Assert.Equal(RiskReason.KillSwitch, alerts[0].Breaker);
        Assert.Equal(RiskAlertKind.Tripped, alerts[0].Kind);
        Assert.Equal((int)KillSwitchSource.Signal, alerts[0].Subject);
    }

    [Fact]
    public void Losses_the_host_reports_trip_the_consecutive_loss_breaker_for_the_next_action()
    {
        var m = new Market(new RiskOptions { Assets = 1, Venues = 2, MaxConsecutiveLosses = 3 });
        for (int i = 0; i < 3; i++)
        {
            Assert.True(m.Risk.TryPost(new RiskFeedback { Kind = RiskFeedbackKind.TradeClosed, PnlUsd = -1, TimeNs = 1_000_000_000 }));
        }

        Opportunity o = m.Edge();
        Assert.False(o.Risk.Approved);
        Assert.Equal(RiskReason.ConsecutiveLosses, o.Risk.Reason);
    }

    [Fact]
    public void A_full_feedback_ring_refuses_the_post_and_keeps_what_it_holds()
    {
        var m = new Market();
        int posted = 0;
        while (m.Risk.TryPost(new RiskFeedback { Kind = RiskFeedbackKind.TradeClosed, PnlUsd = 1, TimeNs = 1_000_000_000 }))
        {
            posted++;
        }

        Assert.Equal(4096, posted);
        m.Tick(s_v1, 9_990, 10_000);
        Assert.Equal(4096, m.Risk.FeedbackApplied);
        Assert.True(m.Risk.TryPost(new RiskFeedback { Kind = RiskFeedbackKind.TradeClosed, PnlUsd = 1, TimeNs = 1_000_000_000 }));
    }

    [Fact]
    public void The_strategy_thread_with_the_gate_allocates_nothing_per_tick()
    {
        var m = new Market();
        long before = 0;
        long approved = 0;
        for (int i = 0; i < 2_000; i++)
        {
            if (i == 200)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
            }

            Opportunity o = m.Edge();
            approved += o.Risk.Approved ? 1 : 0;
            m.Risk.TryPost(new RiskFeedback { Kind = RiskFeedbackKind.Release, Asset = s_instrument, Legs = o.Risk.Legs, NotionalUsd = o.Risk.NotionalUsd });
            m.Risk.TryPost(new RiskFeedback { Kind = RiskFeedbackKind.TradeClosed, PnlUsd = 0.5, TimeNs = o.DecisionTimeNs });
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, m.Missed);
        Assert.True(approved == 2_000, string.Join(" ", Enum.GetValues<RiskReason>().Select(r => $"{r}={m.Risk.Gate.Denied(r)}")));
        Assert.Equal(2_000, m.Risk.Gate.Approved);
    }

    [Fact]
    public void In_cluster_mode_an_expired_lease_denies_what_the_gate_approved_and_undoes_the_gates_reservation()
    {
        var m = new Market();
        var lease = new ClusterLease(assets: 1, venues: 2); // never confirmed: expired from the start
        m.Risk.Lease = lease;

        Opportunity o = m.Edge();

        Assert.True(o.Risk.Checked);
        Assert.False(o.Risk.Approved);
        Assert.Equal(RiskReason.ClusterLimit, o.Risk.Reason);
        Assert.Equal(0, o.Risk.Legs);
        Assert.Equal(0, m.Risk.Gate.OpenLegs); // the gate's own reservation was given back
        Assert.Equal(0, m.Risk.Gate.AssetOpenUsd(s_instrument));
        Assert.Equal(1, m.Risk.ClusterDenied);
        Assert.Equal(1, lease.Denied(LeaseDenial.Expired));
    }

    [Fact]
    public void In_cluster_mode_an_approval_takes_from_the_nodes_share_and_the_hosts_release_gives_the_exposure_back_and_the_notional_only_if_it_never_traded()
    {
        var m = new Market();
        var lease = new ClusterLease(assets: 1, venues: 2);
        lease.Extend(long.MaxValue);
        long share = ClusterLease.ToMicros(150);
        lease.Grant(lease.ExposureSlot(0, 0), share);
        lease.Grant(lease.ExposureSlot(0, 1), share);
        lease.Grant(lease.NotionalSlot, ClusterLease.ToMicros(1_000));
        lease.Grant(lease.LossSlot, ClusterLease.ToMicros(10));
        m.Risk.Lease = lease;

        Opportunity first = m.Edge();
        Assert.True(first.Risk.Approved);
        Assert.Equal(share - ClusterLease.ToMicros(100), lease.Left(lease.ExposureSlot(0, 0)));
        Assert.Equal(share - ClusterLease.ToMicros(100), lease.Left(lease.ExposureSlot(0, 1)));

        // 150 of exposure per venue is one 100 trade, not two: the second is the lease's to refuse.
        Opportunity second = m.Edge();
        Assert.False(second.Risk.Approved);
        Assert.Equal(RiskReason.ClusterLimit, second.Risk.Reason);
        Assert.Equal(1, lease.Denied(LeaseDenial.Exposure));
        Assert.Equal(2, m.Risk.Gate.OpenLegs); // only the first holds the gate's legs

        Assert.True(m.Risk.TryPost(new RiskFeedback
        {
            Kind = RiskFeedbackKind.Release, Asset = s_instrument, BuyVenue = first.BuyVenue, SellVenue = first.SellVenue,
            Legs = first.Risk.Legs, NotionalUsd = first.Risk.NotionalUsd, Traded = true,
        }));
        m.Tick(s_v1, 9_990, 10_000);
        Assert.Equal(share, lease.Left(lease.ExposureSlot(0, 0)));
        Assert.Equal(share, lease.Left(lease.ExposureSlot(0, 1)));
        Assert.Equal(ClusterLease.ToMicros(900), lease.Left(lease.NotionalSlot)); // it traded: the day's notional stays spent; the refused one took none

        // An approval that never traded (a dry run's decision) gives its day's notional back too.
        Opportunity untraded = m.Edge();
        Assert.True(untraded.Risk.Approved);
        Assert.Equal(ClusterLease.ToMicros(800), lease.Left(lease.NotionalSlot));
        Assert.True(m.Risk.TryPost(new RiskFeedback
        {
            Kind = RiskFeedbackKind.Release, Asset = s_instrument, BuyVenue = untraded.BuyVenue, SellVenue = untraded.SellVenue,
            Legs = untraded.Risk.Legs, NotionalUsd = untraded.Risk.NotionalUsd,
        }));
        m.Tick(s_v1, 9_990, 10_000);
        Assert.Equal(ClusterLease.ToMicros(900), lease.Left(lease.NotionalSlot));
        Assert.Equal(share, lease.Left(lease.ExposureSlot(0, 0)));
    }
    [Fact]
    public void A_graph_action_reserves_its_trade_legs_not_the_inventory_links_between_them()
    {
        // A CEX-DEX path: book ask, inventory to the chain, pool, inventory back: two trades, four edges.
        var graph = new VenueGraph(maxNodes: 4, maxEdges: 16, maxAssets: 2, maxChains: 1);
        int usdX = graph.AddNode(0, GraphLocationKind.Exchange, 0);
        int ethX = graph.AddNode(1, GraphLocationKind.Exchange, 0);
        int usdC = graph.AddNode(0, GraphLocationKind.Chain, 0, 6);
        int ethC = graph.AddNode(1, GraphLocationKind.Chain, 0, 18);
        graph.AddCexBook(ethX, usdX, 0.001, 2, 4);
        graph.AddV2Pool(usdC, ethC, 30);
        graph.AddInventoryLink(ethX, ethC);
        graph.AddInventoryLink(usdC, usdX);
        graph.Freeze();
        var o = new Opportunity { Kind = OpportunityKind.CexDex, Size = 1, SizeQuote = 100, DecisionTimeNs = 1_000_000_000 };
        foreach (int e in new[] { 1, 4, 3, 6 }) // ask, ETH inventory, pool ETH → USD, USD inventory
        {
            Assert.True(o.Path.TryAdd(e));
        }

        var gate = new StrategyRiskGate(new RiskOptions { Assets = 1, Venues = 1, MaxOpenLegs = 8 }, new KillSwitch(), [2], [0]);
        gate.Stamp(ref o);
        Assert.Equal(4, o.Risk.Legs); // without the graph every edge counts

        gate.Graph = graph;
        o.Risk = default;
        gate.Stamp(ref o);
        Assert.True(o.Risk.Approved);
        Assert.Equal(2, o.Risk.Legs);
        Assert.Equal(6, gate.Gate.OpenLegs);
    }
}
