using System.Globalization;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Adapters.Paper;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Persistence;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;
using Microsoft.Extensions.Logging;

namespace LowLatency.Host.Lifecycle;

/// <summary>
/// Paper mode of <c>run</c>: the paper exchange (venues' fees and latencies from the market, balances
/// from <c>INITIAL_CASH</c>) and the trader that turns each opportunity into two legs; fills and risk alerts go to the
/// arbitrage log; the summary and done lines get the fills, fees and P&amp;L per strategy. Host thread only.
/// </summary>
internal sealed class PaperSession
{
    private readonly PaperTrader _trader;
    private readonly RiskSession _risk;
    private readonly ILogger _log;
    private readonly string[] _venueNames;
    private readonly string[] _instrumentNames;
    private readonly int _ethInstrument;
    private double _lastPnl;
    private bool _closed;

    /// <param name="risk">The strategy thread's gate, host side: its verdicts are the trader's, its feedback goes back.</param>
    /// <param name="cashShare">The share of <c>INITIAL_CASH</c> the exchanges get (the chains of a DEX side get the rest).</param>
    public PaperSession(EngineOptions options, SimulatedMarketOptions market, string[] venueNames, string[] instrumentNames,
        int[] priceDecimals, int[] quantityDecimals, ILogger log, RiskSession risk, IPaperBooks? books = null, double cashShare = 1)
    {
        ExecutionOptions execution = options.Execution;
        _risk = risk;
        _log = log;
        _venueNames = venueNames;
        _instrumentNames = instrumentNames;
        var venues = new List<PaperVenueSpec>();
        long maxLatencyNs = 0;
        for (int v = 0; v < market.Venues.Count; v++)
        {
            SimulatedVenueOptions sv = market.Venues[v];
            long latency = (long)(sv.LatencyMs * 1_000_000);
            maxLatencyNs = Math.Max(maxLatencyNs, latency);
            venues.Add(new PaperVenueSpec(VenueId.FromIndex(v), venueNames[v], sv.TakerFee, sv.TakerFee / 2, latency));
        }

        var instruments = new List<PaperInstrumentSpec>();
        for (int i = 0; i < market.Instruments.Count; i++)
        {
            (string b, string q) = SplitSymbol(market.Instruments[i].Symbol);
            instruments.Add(new PaperInstrumentSpec(InstrumentId.FromIndex(i), b, q, priceDecimals[i], quantityDecimals[i]));
        }

        var exchange = new PaperExchange(venues, instruments);
        exchange.SeedFromInitialCash(execution.InitialCash * cashShare, id => market.Instruments[id.Value].StartPrice);
        RiskOptions limits = risk.Options;
        var exposure = new UnhedgedExposure(limits.Assets, limits.Venues, execution.MaxUnhedgedAssetUsd, execution.MaxUnhedgedVenueUsd);
        _trader = new PaperTrader(exchange, new OutcomeLink(this), execution.ParsedLegPolicy, exposure, priceDecimals, quantityDecimals, limits.MaxTradeNotionalUsd, maxLatencyNs)
        {
            Fill = LogFill,
            Books = books, // the strategy thread's depth snapshot; null: the opportunities' tops
        };
        _ethInstrument = instruments.FindIndex(i => i.Base is "ETH" or "WETH");
    }

    /// <summary>The paper exchange (the graph's book legs trade on it too).</summary>
    public PaperExchange Exchange => _trader.Exchange;

    /// <summary>The books fills walk (the strategy thread's depth), or null: the opportunities' tops.</summary>
    public IPaperBooks? Books => _trader.Books;

    /// <summary>The last mid the trader saw for an instrument (0 before any).</summary>
    public double Mark(InstrumentId instrument) => _trader.Mark(instrument);

    /// <summary>Each closed pair as a trade outcome (P&amp;L ledger, SQLite, metrics); null: nobody listens.</summary>
    public Action<TradeOutcome>? Trade { get; init; }

    /// <summary>Each paper fill as a row for SQLite; null: none.</summary>
    public Action<FillRecord>? FillRow { get; init; }

    /// <summary>
    /// Cluster mode: each paper fill for the cluster's fill stream, the pair's realised P&amp;L on the fill that closed it
    /// (a fill is held back until the next one, the pair's close or the end, to learn whether it closed the pair).
    /// </summary>
    public Action<Adapters.Cluster.Streams.FillRecord>? ClusterFill { get; init; }

    private Adapters.Cluster.Streams.FillRecord? _heldClusterFill;

    /// <summary>The observer for the opportunity drain (after <see cref="RiskSession.Begin"/>).</summary>
    public void OnOpportunity(Opportunity o)
    {
        long hedged = _trader.Hedged;
        long unwound = _trader.Unwound;
        _closed = false;
        _trader.OnOpportunity(in o);
        if (_closed && Trade is { } trade)
        {
            // Hedged, or residual traded out: the attempt did what it set out to. Held, unhedged or unfilled did not.
            bool succeeded = _trader.Hedged > hedged || _trader.Unwound > unwound;
            double eth = _ethInstrument >= 0 && _trader.Mark(InstrumentId.FromIndex(_ethInstrument)) is > 0 and double mark ? _lastPnl / mark : 0;
            trade(new TradeOutcome(o.DecisionTimeNs, "cross-venue", "cex-cex", _venueNames[o.BuyVenue.Value] + "→" + _venueNames[o.SellVenue.Value], succeeded, _lastPnl, eth));
        }
    }

    /// <summary>The per-second summary's paper part.</summary>
    public string Describe()
    {
        (double pnl, double fees, int fills) = _trader.Exchange.StrategyPnl(PaperTrader.CrossVenueStrategy, _trader.Mark);
        return string.Create(CultureInfo.InvariantCulture,
            $"paper: cross-venue fills={fills} fees={fees:0.00} pnl={pnl:0.00} pairs={_trader.Pairs} hedged={_trader.Hedged} unwound={_trader.Unwound} held={_trader.Held} unhedged={_trader.Unhedged} unfunded={_trader.Unfunded} denied={_trader.Denied}{_risk.DescribeDenials()}");
    }

    /// <summary>Fill and summary lines this session logged (the done line accounts for every line of the log).</summary>
    public long LinesLogged { get; private set; }

    /// <summary>End of run: the per-strategy totals into the log.</summary>
    public void Finish()
    {
        ReleaseClusterFill(0);
        _risk.Poll();
        (double pnl, double fees, int fills) = _trader.Exchange.StrategyPnl(PaperTrader.CrossVenueStrategy, _trader.Mark);
        LinesLogged++;
        EngineLogs.PaperSummary(_log, "cross-venue", fills, Math.Round(fees, 6), Math.Round(pnl, 6), _trader.Pairs, _trader.Hedged, _trader.Unwound, _trader.Held, _trader.Unfilled, _trader.Denied);
    }

    private void LogFill(PaperFill f) => LogFill("cross-venue", f);

    /// <summary>One paper fill into the log, SQLite and the cluster's stream, under <paramref name="strategy"/>.</summary>
    public void LogFill(string strategy, PaperFill f)
    {
        LinesLogged++;
        EngineLogs.PaperFill(_log, strategy, f.ClientOrderId, f.Side == Side.Bid ? "buy" : "sell", f.Quantity,
            _instrumentNames[f.Instrument.Value], f.Price, _venueNames[f.Venue.Value], Math.Round(f.Fee, 8), f.Maker ? "maker" : "taker", f.TimeNs);
        FillRow?.Invoke(new FillRecord(f.TimeNs, f.ClientOrderId, _venueNames[f.Venue.Value],
            f.Price.ToString("R", CultureInfo.InvariantCulture), f.Quantity.ToString("R", CultureInfo.InvariantCulture), f.Fee.ToString("R", CultureInfo.InvariantCulture)));
        if (ClusterFill is not null)
        {
            ReleaseClusterFill(0);
            // Quotes are USD stablecoins on the paper venues: price × quantity is the fill's USD notional.
            _heldClusterFill = new Adapters.Cluster.Streams.FillRecord(_instrumentNames[f.Instrument.Value], _venueNames[f.Venue.Value],
                f.Side == Side.Bid ? "buy" : "sell", f.Quantity, f.Price, f.Price * f.Quantity, f.Fee, 0, f.TimeNs);
        }
    }

    private void ReleaseClusterFill(double pairPnlUsd)
    {
        if (_heldClusterFill is { } held)
        {
            _heldClusterFill = null;
            ClusterFill!(pairPnlUsd == 0 ? held : held with { PnlUsd = pairPnlUsd });
        }
    }

    /// <summary>The trader's gate: the strategy thread's verdicts, and each closed pair's P&amp;L noted on the way back.</summary>
    private sealed class OutcomeLink(PaperSession session) : IRiskLink
    {
        public RiskDecision Check(in RiskAction action, long nowNs) => session._risk.Check(in action, nowNs);

        public void OnMid(InstrumentId asset, double mid, long nowNs) => session._risk.OnMid(asset, mid, nowNs);

        public void OnTradeClosed(double pnlUsd, long nowNs)
        {
            session._lastPnl = pnlUsd;
            session._closed = true;
            session.ReleaseClusterFill(pnlUsd);
            session._risk.OnTradeClosed(pnlUsd, nowNs);
        }

        public void Release(InstrumentId asset, int legs, double notionalUsd) => session._risk.Release(asset, legs, notionalUsd);
    }

    private static (string Base, string Quote) SplitSymbol(string symbol)
    {
        int cut = symbol.IndexOfAny(['-', '/', '_']);
        return cut > 0 && cut < symbol.Length - 1 ? (symbol[..cut], symbol[(cut + 1)..]) : (symbol, "USD");
    }
}
