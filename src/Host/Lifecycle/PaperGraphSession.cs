using System.Globalization;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Adapters.Paper;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using Microsoft.Extensions.Logging;

namespace LowLatency.Host.Lifecycle;

/// <summary>
/// Paper mode's venue-graph side of <c>run</c>: the paper DEX venue (the simulated chains and pools, balances from a
/// share of <c>INITIAL_CASH</c>), fed on the host thread with the pool and gas events the strategy thread applied
/// (through a <see cref="PoolEventRelay"/>), and the <see cref="PaperGraphTrader"/> that trades every graph opportunity
/// the gate approved; its reservation is held until the trade closes. Each trade is a <c>paper graph trade</c> line,
/// each book fill a <c>paper fill</c> line, and the summary and done lines get the totals per kind. Host thread only.
/// </summary>
internal sealed class PaperGraphSession
{
    /// <summary>Of each chain's share of the cash, the part kept in its native token for gas.</summary>
    private const double GasReserveShare = 0.02;

    private static readonly OpportunityKind[] s_kinds = [OpportunityKind.CexDex, OpportunityKind.DexDex, OpportunityKind.Cycle, OpportunityKind.CrossChain];

    private readonly PaperDexVenue _dex;
    private readonly PaperGraphTrader _trader;
    private readonly PaperSession _paper;
    private readonly RiskSession _risk;
    private readonly ILogger _log;
    private readonly GraphWiring _graph;
    private readonly PoolEventRelay _relay;
    private readonly BatchEventProcessor<TickEvent, RelayHandler> _relayDrain;
    private readonly Dictionary<string, RiskHold> _holds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);
    private readonly Func<string, double> _price;
    private long _latestNs;

    /// <param name="chainShare">The share of <c>INITIAL_CASH</c> the chains get, equally (the exchanges have the rest).</param>
    public PaperGraphSession(EngineOptions options, SimulatedMarketOptions market, GraphWiring graph, StrategyState strategy, PaperSession paper, RiskSession risk, ILogger log, double chainShare)
    {
        _graph = graph;
        _paper = paper;
        _risk = risk;
        _log = log;
        GraphTopology topology = graph.Topology;
        SimulatedDexOptions dex = market.Dex!;
        long latencyNs = (long)(options.Execution.PaperChainLatencyMs * 1_000_000);
        var chains = new List<PaperChainSpec>();
        for (int c = 0; c < dex.Chains.Count; c++)
        {
            chains.Add(new PaperChainSpec(c, dex.Chains[c].Name, topology.ChainNatives[c], latencyNs)); // the tip comes with each block's gas
        }

        var pools = new List<PaperPoolSpec>();
        var v3 = new Dictionary<int, V3Pool>();
        var graphPools = new Dictionary<(GraphEdgeKind Kind, int Source), int>();
        ChainGas units = topology.GasUnits;
        foreach (GraphPoolSpec p in topology.Pools)
        {
            bool isV3 = p.Kind == GraphEdgeKind.V3Pool;
            pools.Add(new PaperPoolSpec(p.Pool, p.Chain, isV3 ? PaperPoolKind.V3 : PaperPoolKind.V2, p.Token0, p.Decimals0, p.Token1, p.Decimals1,
                isV3 ? units.V3SwapGas : units.V2SwapGas, isV3 ? units.V3TickCrossGas : 0, isV3 ? 0 : p.Fee));
            if (isV3)
            {
                v3[p.Pool] = new V3Pool(p.Fee, p.TickSpacing);
            }

            graphPools[(p.Kind, p.GraphIndex)] = p.Pool;
        }

        _dex = new PaperDexVenue(chains, pools, v3);

        // Prices in quote units: a token whose asset has no instrument is a stablecoin (1), the rest the exchanges' mid.
        var instrumentOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < market.Instruments.Count; i++)
        {
            string symbol = market.Instruments[i].Symbol;
            int cut = symbol.IndexOfAny(['-', '/']);
            instrumentOf.TryAdd(cut > 0 ? symbol[..cut] : symbol, i);
        }

        IReadOnlyDictionary<string, string> tokenAssets = topology.TokenAssets;
        int venueCount = market.Venues.Count;
        _price = key =>
        {
            string asset = tokenAssets.TryGetValue(key, out string? a) ? a : key;
            if (!instrumentOf.TryGetValue(asset, out int instrument))
            {
                return 1;
            }

            var id = InstrumentId.FromIndex(instrument);
            double mid = BookMid(paper.Books, venueCount, id) / Math.Pow(10, paper.Exchange.Instrument(id)?.PriceDecimals ?? 0);
            double mark = mid > 0 ? mid : paper.Mark(id);
            return mark > 0 ? mark : market.Instruments[instrument].StartPrice;
        };

        double chainsCash = options.Execution.InitialCash * chainShare;
        _dex.SeedFromInitialCash(chainsCash * (1 - GasReserveShare), _ => false, _price, 0);
        for (int c = 0; c < chains.Count; c++)
        {
            double native = _price(chains[c].NativeAsset);
            _dex.SetBalance(c, chains[c].NativeAsset, _dex.Balance(c, chains[c].NativeAsset) + (chainsCash * GasReserveShare / chains.Count / (native > 0 ? native : 1)));
        }

        _trader = new PaperGraphTrader(graph.Graph, paper.Exchange, _dex, risk, topology.Books, graphPools, n => topology.NodeKeys[n], _price,
            options.Execution.PaperSlippageBps, MaxVenueLatencyNs(market))
        {
            Books = paper.Books,
            Fill = (kind, f) => paper.LogFill(KindName(kind), f),
            Closed = OnClosed,
        };
        for (int c = 0; c < chains.Count; c++)
        {
            _trader.SetChainTerms(c, new PaperChainTerms { TxBaseGas = units.TxBaseGas, FlashLoanGas = units.FlashLoanGas, FlashLoanPremiumBps = dex.Chains[c].FlashLoanPremiumBps });
        }

        _relay = new PoolEventRelay();
        _relayDrain = new BatchEventProcessor<TickEvent, RelayHandler>(_relay.Ring, _relay.Ring.NewBarrier(), new RelayHandler(this));
        _relay.Ring.AddGatingSequences(_relayDrain.Sequence);
        strategy.PoolRelay = _relay;
    }

    /// <summary>Each closed graph trade as a trade outcome (P&amp;L ledger, SQLite, metrics); null: nobody listens.</summary>
    public Action<TradeOutcome>? Trade { get; init; }

    /// <summary>Trade lines and summary lines this session logged (fills are counted by <see cref="PaperSession"/>).</summary>
    public long LinesLogged { get; private set; }

    /// <summary>The paper DEX venue (balances per chain, gas paid).</summary>
    public PaperDexVenue Dex => _dex;

    /// <summary>The trader (totals per kind).</summary>
    public PaperGraphTrader Trader => _trader;

    /// <summary>The drain's observer for graph opportunities (inside the risk reservation <see cref="RiskSession.Begin"/> opened).</summary>
    public void OnOpportunity(Opportunity o)
    {
        _latestNs = Math.Max(_latestNs, o.DecisionTimeNs);
        if (_trader.OnOpportunity(in o) is { } id)
        {
            _holds[id] = _risk.Hold();
            _paths[id] = _graph.DescribePath(in o.Path);
        }
    }

    /// <summary>Host loop: applies the relayed pool and gas events (settling the swaps that land), then closes what landed.</summary>
    public void Poll()
    {
        _relayDrain.Poll();
        _trader.Poll(_latestNs);
    }

    /// <summary>"paper graph: cex-dex trades=… | dex-dex …; relay dropped=N".</summary>
    public string Describe()
    {
        var text = new System.Text.StringBuilder("paper graph:");
        foreach (OpportunityKind kind in s_kinds)
        {
            text.Append(' ').Append(KindName(kind)).Append(' ').Append(_trader.Describe(kind)).Append(';');
        }

        text.Append(CultureInfo.InvariantCulture, $" pool-events relayed={_relay.Relayed} dropped={_relay.Dropped}");
        return text.ToString();
    }

    /// <summary>End of run: the last events applied, then one summary line per kind (trades still waiting for a block stay open).</summary>
    public void Finish()
    {
        Poll();
        foreach (OpportunityKind kind in s_kinds)
        {
            var t = _trader.TotalsOf(kind);
            LinesLogged++;
            (long unwound, long unwindShort) = _trader.UnwindsOf(kind);
            EngineLogs.PaperGraphSummary(_log, KindName(kind), t.Trades, t.Filled, t.LegFailed, unwound, unwindShort, t.Reverted, _trader.OpenOf(kind), t.Unfunded, t.Unplanned, t.Busy, t.Denied,
                Math.Round(t.Gas, 6), Math.Round(t.Fees, 6), Math.Round(t.Pnl, 6));
        }
    }

    private void OnClosed(PaperGraphTrade t)
    {
        if (_holds.Remove(t.Id, out RiskHold hold))
        {
            _risk.Release(in hold);
        }

        _paths.Remove(t.Id, out string? path);
        LinesLogged++;
        EngineLogs.PaperGraphTrade(_log, KindName(t.Kind), t.Id, t.Outcome.ToString(), path ?? "", t.LegsFilled, t.Legs, Math.Round(t.PnlQuote, 6), Math.Round(t.GasQuote, 6),
            Math.Round(t.FeesQuote, 6), t.Block, t.Failure ?? "", t.Unwind ?? "", t.DecisionTimeNs, t.ClosedTimeNs);
        double eth = _price("ETH") is > 0 and double mark && mark != 1 ? t.PnlQuote / mark : 0;
        Trade?.Invoke(new TradeOutcome(t.DecisionTimeNs, KindName(t.Kind), PathName(t), path ?? "", t.Outcome == PaperGraphOutcome.Filled, t.PnlQuote, eth));
    }

    private void OnRelayed(ref TickEvent evt)
    {
        ref PoolUpdate u = ref PoolUpdate.Of(ref evt);
        switch (u.Kind)
        {
            case PoolUpdateKind.ChainGas:
                // Our transaction pays this block's base fee plus the tip we would bid, and a rollup's L1 data fee.
                _dex.ObserveBlock(u.Pool, u.Block, evt.ReceiveTimeNs, Amounts.ToDouble(u.A) + Amounts.ToDouble(u.B), u.L1DataFeeWei);
                _latestNs = Math.Max(_latestNs, evt.ReceiveTimeNs);
                break;
            case PoolUpdateKind.V2Reserves:
                _dex.ObserveV2(u.Pool, u.Block, new V2PoolState { Reserve0 = u.A, Reserve1 = u.B }); // the pair keeps its configured fee
                break;
            case PoolUpdateKind.V3State:
                var state = new V3PoolState { SqrtPriceX96 = u.A, Tick = u.Tick, Liquidity = u.Liquidity };
                _dex.ObserveV3(u.Pool, u.Block, in state);
                break;
        }
    }

    /// <summary>The mid, fixed-point, of the first venue whose book has both sides now (0 when none has, or there are no books).</summary>
    private static double BookMid(IPaperBooks? books, int venues, InstrumentId instrument)
    {
        if (books is null)
        {
            return 0;
        }

        for (int v = 0; v < venues; v++)
        {
            ReadOnlySpan<BookLevel> bids = books.Levels(VenueId.FromIndex(v), instrument, Side.Bid);
            ReadOnlySpan<BookLevel> asks = books.Levels(VenueId.FromIndex(v), instrument, Side.Ask);
            if (!bids.IsEmpty && !asks.IsEmpty)
            {
                return (bids[0].Price.Raw + (double)asks[0].Price.Raw) / 2;
            }
        }

        return 0;
    }

    private static long MaxVenueLatencyNs(SimulatedMarketOptions market)
    {
        long max = 0;
        foreach (SimulatedVenueOptions v in market.Venues)
        {
            max = Math.Max(max, (long)(v.LatencyMs * 1_000_000));
        }

        return max;
    }

    private static string KindName(OpportunityKind kind) => kind switch
    {
        OpportunityKind.CexDex => "cex-dex",
        OpportunityKind.DexDex => "dex-dex",
        OpportunityKind.Cycle => "cycle",
        OpportunityKind.CrossChain => "cross-chain",
        _ => "cex-cex",
    };

    // The dashboard's execution paths: a cycle through pools only is a flash loan, one with a book leg trades like cex-dex.
    private static string PathName(PaperGraphTrade t) => t.Kind switch
    {
        OpportunityKind.Cycle => t.Atomic ? "flash-loan" : "cex-dex",
        _ => KindName(t.Kind),
    };

    private readonly struct RelayHandler(PaperGraphSession session) : IEventHandler<TickEvent>
    {
        public void OnEvent(ref TickEvent evt, long sequence, bool endOfBatch) => session.OnRelayed(ref evt);
    }
}
