using System.Globalization;
using System.Runtime.InteropServices;
using LowLatency.Host.Configuration;
using LowLatency.Host.Dashboard;
using LowLatency.Host.Diagnostics;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;
using Microsoft.Extensions.Logging;

namespace LowLatency.Host.Lifecycle;

/// <summary>An approval's reservation carried past its opportunity (legs and notional on an asset), freed by <see cref="RiskSession.Release(in RiskHold)"/>.</summary>
internal readonly record struct RiskHold(bool Held, InstrumentId Asset, int Legs, double NotionalUsd, VenueId BuyVenue = default, VenueId SellVenue = default);

/// <summary>
/// The host's side of the risk gate that runs on the strategy thread (<see cref="StrategyRiskGate"/>), in every mode:
/// the kill switch's file (polled every 100 ms here, never on the hot path) and signal (<c>SIGQUIT</c>), the alert
/// drain (each trip and reset a <c>risk</c> line in the log, and the breaker table the dashboard shows), and the
/// feedback each executed action owes the gate (its release, its realised P&amp;L). Host thread only, except the
/// signal handler and <see cref="RequestReset"/> (any thread).
/// </summary>
internal sealed class RiskSession : IRiskLink, IDisposable
{
    /// <summary>The signal that engages the kill switch (SIGINT/SIGTERM stop the run, SIGHUP reopens the log).</summary>
    public const PosixSignal KillSignal = PosixSignal.SIGQUIT;

    private const long KillFilePollMs = 100;

    private readonly StrategyRiskGate _strategyGate;
    private readonly ILogger _log;
    private readonly string[] _venueNames;
    private readonly string[] _instrumentNames;
    private readonly string _killFile;
    private readonly RiskAlert[] _alerts = new RiskAlert[256];
    private readonly Queue<RiskFeedback> _pending = new();
    private readonly Dictionary<(RiskReason Breaker, int Subject), BreakerView> _tripped = [];
    private readonly PosixSignalRegistration? _signal;
    private readonly List<string> _chainNames = [];
    private long _nextKillCheck;
    private RiskVerdict _current;
    private InstrumentId _currentAsset;
    private VenueId _currentBuy;
    private VenueId _currentSell;
    private bool _currentReleased;

    public RiskSession(ExecutionOptions execution, string[] venueNames, string[] instrumentNames, int[] priceDecimals, int[] quantityDecimals, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(execution);
        RiskOptions risk = execution.Risk with { Assets = Math.Max(1, instrumentNames.Length), Venues = Math.Max(1, venueNames.Length) };
        _strategyGate = new StrategyRiskGate(risk, new KillSwitch(), priceDecimals, quantityDecimals);
        Options = risk;
        _log = log;
        _venueNames = venueNames;
        _instrumentNames = instrumentNames;
        _killFile = execution.KillSwitchFile;
        _signal = RegisterKillSignal(_strategyGate.Gate.KillSwitch);
        PollKillFile(); // a kill file present at start stops the first action, not one 100 ms later
    }

    /// <summary>The gate's options as built (assets and venues sized from the market).</summary>
    public RiskOptions Options { get; }

    /// <summary>For <see cref="StrategyState.Risk"/>, before the strategy thread starts.</summary>
    public StrategyRiskGate StrategyGate => _strategyGate;

    public RiskGate Gate => _strategyGate.Gate;

    public KillSwitch KillSwitch => _strategyGate.Gate.KillSwitch;

    /// <summary>Host thread: each trip or reset as it is drained (cluster mode publishes them); null: nobody else listens.</summary>
    public Action<RiskAlert>? OnAlert { get; set; }

    /// <summary>Alerts drained so far (trips and resets).</summary>
    public long Alerts { get; private set; }

    /// <summary>Host loop: the kill file, the alert drain, feedback that found the ring full.</summary>
    public void Poll()
    {
        PollKillFile();
        Flush();
        DrainAlerts();
    }

    /// <summary>
    /// Any thread (the operator): releases the kill switch, or asks the strategy thread to reset a latched breaker
    /// (daily loss, consecutive losses, volatility, venue quarantine). Null when done; otherwise why not.
    /// </summary>
    public string? RequestReset(RiskReason breaker)
    {
        if (breaker == RiskReason.KillSwitch)
        {
            if (File.Exists(_killFile))
            {
                return "the kill file is present: remove it first";
            }

            KillSwitch.Release();
            return null;
        }

        if (breaker is not (RiskReason.DailyLossLimit or RiskReason.ConsecutiveLosses or RiskReason.Volatility or RiskReason.VenueQuarantined))
        {
            return $"{RiskText.Reason(breaker)} resets by its rule only";
        }

        Gate.RequestReset(breaker);
        return null;
    }

    /// <summary>Host thread: an opportunity drained from the ring is about to be executed (or shown only).</summary>
    public void Begin(in Opportunity o)
    {
        _current = o.Risk;
        _currentAsset = o.Instrument;
        _currentBuy = o.BuyVenue;
        _currentSell = o.SellVenue;
        _currentReleased = false;
    }

    /// <summary>Host thread: the opportunity is done with; an approval nobody executed (dry run, unfunded, vetoed) is released.</summary>
    public void End()
    {
        if (_current.Approved && !_currentReleased)
        {
            Post(new RiskFeedback { Kind = RiskFeedbackKind.Release, Legs = _current.Legs, NotionalUsd = _current.NotionalUsd, Asset = _currentAsset, BuyVenue = _currentBuy, SellVenue = _currentSell });
        }

        _current = default;
        _currentReleased = true;
    }

    /// <summary>
    /// Host thread: hands the current approval to an executor that finishes later (live orders): <see cref="End"/> then
    /// leaves it reserved, and <see cref="Release(in RiskHold)"/> frees it once the pair is done. Nothing when the current
    /// opportunity was not approved or is already released.
    /// </summary>
    public RiskHold Hold()
    {
        if (!_current.Approved || _currentReleased)
        {
            return default;
        }

        _currentReleased = true;
        return new RiskHold(true, _currentAsset, _current.Legs, _current.NotionalUsd, _currentBuy, _currentSell);
    }

    /// <summary>Host thread: frees a reservation <see cref="Hold"/> handed out (once; a default hold frees nothing).</summary>
    public void Release(in RiskHold hold)
    {
        if (hold.Held)
        {
            Post(new RiskFeedback { Kind = RiskFeedbackKind.Release, Asset = hold.Asset, Legs = hold.Legs, NotionalUsd = hold.NotionalUsd, BuyVenue = hold.BuyVenue, SellVenue = hold.SellVenue, Traded = true });
        }
    }

    /// <inheritdoc />
    /// <remarks>The strategy thread has already decided: the executor gets that verdict, never a second opinion.</remarks>
    public RiskDecision Check(in RiskAction action, long nowNs) =>
        _current.Approved ? RiskDecision.Approved : RiskDecision.Denied(_current.Checked ? _current.Reason : RiskReason.InvalidAction);

    /// <inheritdoc />
    /// <remarks>The strategy thread feeds mids itself.</remarks>
    public void OnMid(InstrumentId asset, double mid, long nowNs)
    {
    }

    /// <inheritdoc />
    public void OnTradeClosed(double pnlUsd, long nowNs) =>
        Post(new RiskFeedback { Kind = RiskFeedbackKind.TradeClosed, PnlUsd = pnlUsd, TimeNs = nowNs });

    /// <inheritdoc />
    /// <remarks>Frees what the strategy thread reserved for the current action, whatever the executor sized it to.</remarks>
    public void Release(InstrumentId asset, int legs, double notionalUsd)
    {
        if (_currentReleased || !_current.Approved)
        {
            return;
        }

        _currentReleased = true;
        Post(new RiskFeedback { Kind = RiskFeedbackKind.Release, Asset = asset, Legs = _current.Legs, NotionalUsd = _current.NotionalUsd, BuyVenue = _currentBuy, SellVenue = _currentSell, Traded = true });
    }

    /// <summary>
    /// Host thread: a chain's base fee crossed its cap (<c>chains.NAME.maxBaseFeeGwei</c>) on the on-chain thread, which
    /// holds its own signing at once; the trip or reset is logged, published and shown as the gate's own are.
    /// </summary>
    public void OnChainGasCap(string chain, bool over, double baseFeeWei, double capWei)
    {
        ArgumentNullException.ThrowIfNull(chain);
        int slot = _chainNames.IndexOf(chain);
        if (slot < 0)
        {
            slot = _chainNames.Count;
            _chainNames.Add(chain);
        }

        var alert = new RiskAlert
        {
            Breaker = RiskReason.GasPriceCap,
            Kind = over ? RiskAlertKind.Tripped : RiskAlertKind.ResetByRule,
            Subject = slot,
            Value = baseFeeWei,
            Limit = capWei,
            TimeNs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100,
        };
        Record(in alert);
    }

    /// <summary>True while <paramref name="breaker"/> is tripped for any subject (host thread).</summary>
    public bool IsTripped(RiskReason breaker)
    {
        foreach ((RiskReason Breaker, int Subject) key in _tripped.Keys)
        {
            if (key.Breaker == breaker)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every breaker: ok, or one row per tripped subject, with its reason, value, limit, since when and its denials.</summary>
    public IReadOnlyList<BreakerView> Breakers()
    {
        var list = new List<BreakerView>();
        foreach (RiskReason r in Enum.GetValues<RiskReason>())
        {
            if (r == RiskReason.None)
            {
                continue;
            }

            long denied = Gate.Denied(r);
            bool any = false;
            foreach (KeyValuePair<(RiskReason Breaker, int Subject), BreakerView> kv in _tripped)
            {
                if (kv.Key.Breaker == r)
                {
                    list.Add(kv.Value with { Denied = denied });
                    any = true;
                }
            }

            if (!any)
            {
                list.Add(new BreakerView(RiskText.Reason(r), "ok", null, null, null, null, null, denied));
            }
        }

        return list;
    }

    /// <summary>" (KillSwitch=12 StaleData=3)" or "".</summary>
    public string DescribeDenials()
    {
        var parts = new List<string>();
        foreach (RiskReason r in Enum.GetValues<RiskReason>())
        {
            if (Gate.Denied(r) is > 0 and long n)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{r}={n}"));
            }
        }

        return parts.Count == 0 ? "" : " (" + string.Join(" ", parts) + ")";
    }

    public void Dispose() => _signal?.Dispose();

    private void Post(in RiskFeedback f)
    {
        // Order matters (a release before the trade that follows it): once one waits, all after it wait too.
        if (_pending.Count > 0 || !_strategyGate.TryPost(in f))
        {
            _pending.Enqueue(f);
        }
    }

    private void Flush()
    {
        while (_pending.TryPeek(out RiskFeedback f) && _strategyGate.TryPost(in f))
        {
            _pending.Dequeue();
        }
    }

    // The file is the switch: present engages it, gone releases a file engagement (the operator's act). A stat per 100 ms.
    private void PollKillFile()
    {
        long now = Environment.TickCount64;
        if (now < _nextKillCheck)
        {
            return;
        }

        _nextKillCheck = now + KillFilePollMs;
        if (File.Exists(_killFile))
        {
            KillSwitch.Engage(KillSwitchSource.File);
        }
        else if (KillSwitch.Source == KillSwitchSource.File)
        {
            KillSwitch.Release();
        }
    }

    private void DrainAlerts()
    {
        int n;
        while ((n = Gate.DrainAlerts(_alerts)) > 0)
        {
            for (int k = 0; k < n; k++)
            {
                Record(in _alerts[k]);
            }
        }
    }

    private void Record(in RiskAlert a)
    {
        string subject = Subject(in a);
        EngineLogs.RiskAlert(_log, a.Breaker.ToString(), a.Kind.ToString(), subject, a.Value, a.Limit, a.TimeNs);
        Alerts++;
        OnAlert?.Invoke(a);
        // The kill switch's trip names its source and its release none: one row either way.
        var key = (a.Breaker, a.Breaker == RiskReason.KillSwitch ? -1 : a.Subject);
        if (a.Kind == RiskAlertKind.Tripped)
        {
            _tripped[key] = new BreakerView(RiskText.Reason(a.Breaker), "tripped", Reason(in a, subject), subject, Finite(a.Value), Finite(a.Limit), a.TimeNs, 0);
        }
        else
        {
            _tripped.Remove(key);
        }
    }

    private static double? Finite(double v) => double.IsFinite(v) ? Math.Round(v, 6) : null;

    private static string Reason(in RiskAlert a, string subject) => a.Breaker switch
    {
        RiskReason.KillSwitch => $"engaged by {(KillSwitchSource)a.Subject}".ToLowerInvariant(),
        RiskReason.DailyLossLimit => string.Create(CultureInfo.InvariantCulture, $"day's loss {a.Value:0.##} USD reached the limit {a.Limit:0.##}"),
        RiskReason.ConsecutiveLosses => string.Create(CultureInfo.InvariantCulture, $"{a.Value:0} losing trades in a row (limit {a.Limit:0})"),
        RiskReason.Volatility => string.Create(CultureInfo.InvariantCulture, $"{subject}: realised volatility {a.Value:0.##} bps above {a.Limit:0.##}"),
        RiskReason.GasPriceCap => string.Create(CultureInfo.InvariantCulture, $"{subject}: base fee {a.Value / 1e9:0.####} gwei above the cap {a.Limit / 1e9:0.####} gwei"),
        RiskReason.VenueQuarantined => string.Create(CultureInfo.InvariantCulture, $"{subject}: integrity {a.Value:0.###} below {a.Limit:0.###}"),
        _ => a.Breaker.ToString(),
    };

    private string Subject(in RiskAlert a) => a.Breaker switch
    {
        RiskReason.VenueQuarantined when (uint)a.Subject < (uint)_venueNames.Length => _venueNames[a.Subject],
        RiskReason.Volatility when (uint)a.Subject < (uint)_instrumentNames.Length => _instrumentNames[a.Subject],
        RiskReason.GasPriceCap when (uint)a.Subject < (uint)_chainNames.Count => _chainNames[a.Subject],
        RiskReason.KillSwitch => ((KillSwitchSource)a.Subject).ToString().ToLowerInvariant(),
        _ => a.Subject.ToString(CultureInfo.InvariantCulture),
    };

    private static PosixSignalRegistration? RegisterKillSignal(KillSwitch killSwitch)
    {
        try
        {
            return PosixSignalRegistration.Create(KillSignal, context =>
            {
                context.Cancel = true; // engage, never terminate
                killSwitch.Engage(KillSwitchSource.Signal);
            });
        }
        catch (Exception e) when (e is PlatformNotSupportedException or IOException)
        {
            return null; // no signals here (Windows): the file and the operator still work
        }
    }
}
