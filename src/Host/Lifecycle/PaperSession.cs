using System.Globalization;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Adapters.Paper;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;
using Microsoft.Extensions.Logging;

namespace LowLatency.Host.Lifecycle;

/// <summary>
/// Paper mode of <c>run</c>: the risk gate, the paper exchange (venues' fees and latencies from the market, balances
/// from <c>INITIAL_CASH</c>) and the trader that turns each opportunity into two legs; fills and risk alerts go to the
/// arbitrage log; the summary and done lines get the fills, fees and P&amp;L per strategy. Host thread only.
/// </summary>
internal sealed class PaperSession
{
    private readonly PaperTrader _trader;
    private readonly RiskGate _gate;
    private readonly ILogger _log;
    private readonly string[] _venueNames;
    private readonly string[] _instrumentNames;
    private readonly RiskAlert[] _alerts = new RiskAlert[256];
    private readonly string _killSwitchFile;
    private long _nextKillCheck;

    public PaperSession(EngineOptions options, SimulatedMarketOptions market, string[] venueNames, string[] instrumentNames,
        int[] priceDecimals, int[] quantityDecimals, ILogger log, IPaperBooks? books = null)
    {
        ExecutionOptions execution = options.Execution;
        _killSwitchFile = execution.KillSwitchFile;
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
        exchange.SeedFromInitialCash(execution.InitialCash, id => market.Instruments[id.Value].StartPrice);
        RiskOptions risk = execution.Risk with { Assets = Math.Max(1, instruments.Count), Venues = Math.Max(1, venues.Count) };
        _gate = new RiskGate(risk, new KillSwitch());
        var exposure = new UnhedgedExposure(risk.Assets, risk.Venues, execution.MaxUnhedgedAssetUsd, execution.MaxUnhedgedVenueUsd);
        _trader = new PaperTrader(exchange, _gate, execution.ParsedLegPolicy, exposure, priceDecimals, quantityDecimals, risk.MaxTradeNotionalUsd, maxLatencyNs)
        {
            Fill = LogFill,
            Books = books, // the strategy thread's depth snapshot; null: the opportunities' tops
        };
    }

    public KillSwitch KillSwitch => _gate.KillSwitch;

    /// <summary>The observer for the opportunity drain.</summary>
    public void OnOpportunity(Opportunity o)
    {
        PollKillSwitch();
        _trader.OnOpportunity(in o);
        DrainAlerts();
    }

    /// <summary>The per-second summary's paper part.</summary>
    public string Describe()
    {
        (double pnl, double fees, int fills) = _trader.Exchange.StrategyPnl(PaperTrader.CrossVenueStrategy, _trader.Mark);
        return string.Create(CultureInfo.InvariantCulture,
            $"paper: cross-venue fills={fills} fees={fees:0.00} pnl={pnl:0.00} pairs={_trader.Pairs} hedged={_trader.Hedged} unwound={_trader.Unwound} held={_trader.Held} unhedged={_trader.Unhedged} unfunded={_trader.Unfunded} denied={_trader.Denied}{DescribeDenials()}");
    }

    private string DescribeDenials()
    {
        var parts = new List<string>();
        foreach (RiskReason r in Enum.GetValues<RiskReason>())
        {
            if (_gate.Denied(r) is > 0 and long n)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{r}={n}"));
            }
        }

        return parts.Count == 0 ? "" : " (" + string.Join(" ", parts) + ")";
    }

    /// <summary>End of run: the per-strategy totals into the log.</summary>
    public void Finish()
    {
        DrainAlerts();
        (double pnl, double fees, int fills) = _trader.Exchange.StrategyPnl(PaperTrader.CrossVenueStrategy, _trader.Mark);
        EngineLogs.PaperSummary(_log, "cross-venue", fills, Math.Round(fees, 6), Math.Round(pnl, 6), _trader.Pairs, _trader.Hedged, _trader.Unwound, _trader.Held, _trader.Unfilled, _trader.Denied);
    }

    // The file is the switch: present engages it, gone releases it (the operator's act). A stat at most every 100 ms.
    private void PollKillSwitch()
    {
        long now = Environment.TickCount64;
        if (now < _nextKillCheck)
        {
            return;
        }

        _nextKillCheck = now + 100;
        if (File.Exists(_killSwitchFile))
        {
            _gate.KillSwitch.Engage(KillSwitchSource.File);
        }
        else if (_gate.KillSwitch.Source == KillSwitchSource.File)
        {
            _gate.KillSwitch.Release();
        }
    }

    private void LogFill(PaperFill f) =>
        EngineLogs.PaperFill(_log, "cross-venue", f.ClientOrderId, f.Side == Side.Bid ? "buy" : "sell", f.Quantity,
            _instrumentNames[f.Instrument.Value], f.Price, _venueNames[f.Venue.Value], Math.Round(f.Fee, 8), f.Maker ? "maker" : "taker", f.TimeNs);

    private void DrainAlerts()
    {
        int n;
        while ((n = _gate.DrainAlerts(_alerts)) > 0)
        {
            for (int k = 0; k < n; k++)
            {
                RiskAlert a = _alerts[k];
                EngineLogs.RiskAlert(_log, a.Breaker.ToString(), a.Kind.ToString(), Subject(a), a.Value, a.Limit, a.TimeNs);
            }
        }
    }

    private string Subject(in RiskAlert a) => a.Breaker switch
    {
        RiskReason.VenueQuarantined when (uint)a.Subject < (uint)_venueNames.Length => _venueNames[a.Subject],
        RiskReason.Volatility when (uint)a.Subject < (uint)_instrumentNames.Length => _instrumentNames[a.Subject],
        _ => a.Subject.ToString(CultureInfo.InvariantCulture),
    };

    private static (string Base, string Quote) SplitSymbol(string symbol)
    {
        int cut = symbol.IndexOfAny(['-', '/', '_']);
        return cut > 0 && cut < symbol.Length - 1 ? (symbol[..cut], symbol[(cut + 1)..]) : (symbol, "USD");
    }
}
