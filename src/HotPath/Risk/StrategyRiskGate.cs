using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Risk;

/// <summary>What the host tells the strategy-thread gate about an action it executed.</summary>
public enum RiskFeedbackKind : byte
{
    /// <summary>An approved action is finished (executed, failed or never sent): free what it reserved.</summary>
    Release = 1,

    /// <summary>A trade closed with a realised P&amp;L (daily loss, consecutive losses).</summary>
    TradeClosed,
}

/// <summary>One message host → strategy thread (a ring slot, no references).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RiskFeedback
{
    public RiskFeedbackKind Kind;
    public InstrumentId Asset;
    public VenueId BuyVenue;
    public VenueId SellVenue;
    public int Legs;
    public double NotionalUsd;
    public double PnlUsd;
    public long TimeNs;

    /// <summary>Release only: the action traded (its notional stays spent for the day); false: it never did (dry run, unfunded).</summary>
    public bool Traded;
}

/// <summary>
/// The <see cref="RiskGate"/> as the strategy thread runs it: every opportunity the strategy publishes is turned into a
/// <see cref="RiskAction"/> and checked in its ring slot before it leaves (<see cref="Stamp"/>), and the verdict travels
/// with it (<see cref="Opportunity.Risk"/>). What the host learns afterwards (releases, realised P&amp;L) comes back through
/// a single-producer ring drained at each batch (<see cref="OnBatch"/>), so the gate keeps one writer and no locks.
/// </summary>
/// <remarks>
/// Strategy thread: <see cref="Stamp"/>, <see cref="OnBatch"/>. One host thread: <see cref="TryPost"/> and the gate's
/// <see cref="RiskGate.DrainAlerts"/>. Any thread: the kill switch, <see cref="RiskGate.RequestReset"/>. Only construction
/// allocates.
/// </remarks>
public sealed class StrategyRiskGate
{
    private readonly RiskGate _gate;
    private readonly RingBuffer<RiskFeedback> _feedback;
    private readonly Sequence _feedbackRead = new();
    private readonly double[] _priceScale;
    private readonly double[] _quantityScale;
    private readonly double _maxTradeUsd;

    /// <param name="priceDecimals">Per instrument id, the fixed-point scale of its prices.</param>
    /// <param name="quantityDecimals">Per instrument id, the scale of its quantities.</param>
    /// <param name="feedbackCapacity">Host → strategy ring size (a power of two).</param>
    public StrategyRiskGate(RiskOptions options, KillSwitch killSwitch, ReadOnlySpan<int> priceDecimals, ReadOnlySpan<int> quantityDecimals, int feedbackCapacity = 4096)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (priceDecimals.Length != quantityDecimals.Length)
        {
            throw new ArgumentException("one price and one quantity scale per instrument", nameof(quantityDecimals));
        }

        _gate = new RiskGate(options, killSwitch);
        _feedback = new RingBuffer<RiskFeedback>(feedbackCapacity, ProducerType.Single, WaitStrategyKind.Yielding);
        _feedback.AddGatingSequences(_feedbackRead);
        _maxTradeUsd = options.MaxTradeNotionalUsd;
        _priceScale = new double[priceDecimals.Length];
        _quantityScale = new double[priceDecimals.Length];
        for (int i = 0; i < priceDecimals.Length; i++)
        {
            _priceScale[i] = Math.Pow(10, priceDecimals[i]);
            _quantityScale[i] = Math.Pow(10, quantityDecimals[i]);
        }
    }

    /// <summary>The gate (its counters, alerts and resets; its feeds belong to the strategy thread).</summary>
    public RiskGate Gate => _gate;

    /// <summary>Feedback messages applied so far (strategy thread writes; a little stale elsewhere).</summary>
    public long FeedbackApplied => Volatile.Read(ref _feedbackApplied);

    private long _feedbackApplied;
    private long _clusterDenied;

    /// <summary>
    /// Cluster mode: this node's share of the global limits, checked after the gate approved (set before the strategy
    /// thread starts; null on a single box). A refusal undoes the gate's reservation and denies with
    /// <see cref="RiskReason.ClusterLimit"/>; releases and closed trades reach it through the same feedback as the gate.
    /// </summary>
    public ClusterLease? Lease { get; set; }

    /// <summary>Approvals of the gate that the cluster lease refused (strategy thread writes).</summary>
    public long ClusterDenied => Volatile.Read(ref _clusterDenied);

    /// <summary>
    /// Strategy thread, per published opportunity, in its ring slot; allocation-free. Feeds the mid to the volatility
    /// breaker, checks the action and writes the verdict (and what it reserved) into <see cref="Opportunity.Risk"/>.
    /// </summary>
    public void Stamp(ref Opportunity o)
    {
        long nowNs = o.DecisionTimeNs;
        RiskAction action = ActionOf(in o);
        int i = o.Instrument.Value;
        if ((uint)i < (uint)_priceScale.Length && o.BuyPrice.Raw > 0 && o.SellPrice.Raw > 0)
        {
            _gate.OnMid(o.Instrument, (o.BuyPrice.Raw + (double)o.SellPrice.Raw) / (2 * _priceScale[i]), nowNs);
        }

        RiskDecision decision = _gate.Check(in action, nowNs);
        if (decision.IsApproved && Lease is { } lease && lease.TryReserve(in action, nowNs) != LeaseDenial.None)
        {
            _gate.Release(action.Asset, action.Legs, action.NotionalUsd); // nothing was approved: the gate's reservation goes
            Volatile.Write(ref _clusterDenied, _clusterDenied + 1);
            decision = RiskDecision.Denied(RiskReason.ClusterLimit);
        }

        o.Risk = new RiskVerdict
        {
            Checked = true,
            Approved = decision.IsApproved,
            Reason = decision.Reason,
            Legs = decision.IsApproved ? action.Legs : 0,
            NotionalUsd = decision.IsApproved ? action.NotionalUsd : 0,
            Timestamp = Stopwatch.GetTimestamp(),
        };
    }

    /// <summary>
    /// Strategy thread, at every batch end (before its opportunities): applies the host's feedback, then the gate's time
    /// rules and the kill switch, so a trip is an alert even when no action is pending. Allocation-free.
    /// </summary>
    public void OnBatch(long nowNs)
    {
        long next = _feedbackRead.Value + 1;
        long last = _feedback.Cursor;
        if (last >= next)
        {
            for (long s = next; s <= last; s++)
            {
                ref RiskFeedback f = ref _feedback[s];
                if (f.Kind == RiskFeedbackKind.Release)
                {
                    _gate.Release(f.Asset, f.Legs, f.NotionalUsd);
                    if (Lease is { } lease)
                    {
                        var action = new RiskAction { Asset = f.Asset, BuyVenue = f.BuyVenue, SellVenue = f.SellVenue, Legs = f.Legs, NotionalUsd = f.NotionalUsd };
                        if (f.Traded)
                        {
                            lease.Release(in action);
                        }
                        else
                        {
                            lease.Cancel(in action);
                        }
                    }
                }
                else if (f.Kind == RiskFeedbackKind.TradeClosed)
                {
                    _gate.OnTradeClosed(f.PnlUsd, f.TimeNs);
                    Lease?.OnTradeClosed(f.PnlUsd);
                }
            }

            _feedbackRead.Value = last;
            Volatile.Write(ref _feedbackApplied, _feedbackApplied + (last - next + 1));
        }

        _gate.ApplyRules(nowNs);
    }

    /// <summary>One host thread: queues feedback for the strategy thread. False when the ring is full (keep it and retry).</summary>
    public bool TryPost(in RiskFeedback feedback) => _feedback.TryPublish(in feedback);

    /// <summary>
    /// The venue graph whose opportunities this gate checks: a graph action's legs are its trades (book and pool edges),
    /// not the inventory links and bridges between them. Null: every edge of a path counts. Start-up thread.
    /// </summary>
    public Graph.VenueGraph? Graph { get; set; }

    private int TradeLegs(in OpportunityPath path)
    {
        if (Graph is not { } graph)
        {
            return path.Count;
        }

        int trades = 0;
        for (int i = 0; i < path.Count; i++)
        {
            trades += graph.IsTrade(path[i]) ? 1 : 0;
        }

        return trades;
    }

    /// <summary>
    /// The action an opportunity stands for. A CEX pair is two legs sized to the top and the per-trade limit; a graph
    /// opportunity (sized by the graph) is its quote-valued size over its trade legs. Graph opportunities carry no tick
    /// receive times, so their quote age is taken as their decision time (the graph guards its own pool freshness).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RiskAction ActionOf(in Opportunity o)
    {
        int i = o.Instrument.Value;
        double notional;
        int legs;
        if (o.Kind == OpportunityKind.CexCex)
        {
            double ask = (uint)i < (uint)_priceScale.Length ? o.BuyPrice.Raw / _priceScale[i] : 0;
            double qty = (uint)i < (uint)_quantityScale.Length ? o.Quantity.Raw / _quantityScale[i] : 0;
            notional = Math.Min(ask * qty, _maxTradeUsd);
            legs = 2;
        }
        else
        {
            notional = o.SizeQuote;
            legs = Math.Max(1, TradeLegs(in o.Path));
        }

        long oldest = Math.Min(o.BuyTickReceiveTimeNs, o.SellTickReceiveTimeNs);
        return new RiskAction
        {
            Asset = o.Instrument,
            BuyVenue = o.BuyVenue,
            SellVenue = o.SellVenue,
            ChainSlot = -1,
            Legs = legs,
            NotionalUsd = notional,
            OldestQuoteNs = oldest > 0 ? oldest : o.DecisionTimeNs,
        };
    }
}
