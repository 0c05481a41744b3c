using System.Runtime.CompilerServices;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;

namespace LowLatency.HotPath.Risk;

/// <summary>
/// The safety guard every action passes (CEX pairs, CEX-DEX pairs, bundles): kill switch, daily loss limit,
/// consecutive-loss breaker, per-asset realised-volatility breaker, per-chain gas cap, notional per trade and per asset,
/// open legs, stale quotes and venue-integrity quarantine. Each breaker trip and reset is a <see cref="RiskAlert"/> in
/// <see cref="DrainAlerts"/>; each denial is counted by reason.
/// </summary>
/// <remarks>
/// Strategy thread: <see cref="Check"/> and the <c>On*</c> feeds, in time order (the clock is the caller's
/// <c>nowNs</c>, so replay and tests are deterministic). Any thread: <see cref="RequestReset"/> and the
/// <see cref="KillSwitch"/>. One host thread: <see cref="DrainAlerts"/>. Only construction allocates.
/// </remarks>
public sealed class RiskGate : IRiskLink
{
    private const long DayNs = 86_400L * 1_000_000_000;
    private const int ReasonCount = (int)RiskReason.ClusterLimit + 1;

    private readonly KillSwitch _killSwitch;
    private readonly RingBuffer<RiskAlert> _alerts;
    private readonly Sequence _alertsRead = new();

    private readonly int _assets;
    private readonly int _venues;
    private readonly double _dailyLossLimit;
    private readonly int _maxLosses;
    private readonly long _lossCooldownNs;
    private readonly int _volWindow;
    private readonly long _volSampleNs;
    private readonly double _maxVolBps;
    private readonly double _volResumeBps;
    private readonly ulong[] _gasCap;
    private readonly double _maxTradeUsd;
    private readonly double _maxAssetUsd;
    private readonly int _maxOpenLegs;
    private readonly long _maxQuoteAgeNs;
    private readonly double _quarantineBelow;
    private readonly double _releaseScore;
    private readonly long _releaseNs;

    // Engine-wide breakers.
    private bool _killTripped;
    private long _day = long.MinValue;
    private double _dailyPnl;
    private bool _dailyTripped;
    private int _lossStreak;
    private bool _streakTripped;
    private long _streakTrippedNs;
    private int _openLegs;

    // Per asset: a ring of the window's log returns (bps) and its running sum of squares.
    private readonly double[] _volReturns;
    private readonly int[] _volCount;
    private readonly int[] _volHead;
    private readonly double[] _volSumSq;
    private readonly double[] _volLastMid;
    private readonly long[] _volLastSampleNs;
    private readonly bool[] _volTripped;
    private readonly double[] _assetOpenUsd;

    // Per chain slot.
    private readonly ulong[] _baseFee;
    private readonly bool[] _gasTripped;

    // Per venue.
    private readonly double[] _score;
    private readonly bool[] _quarantined;
    private readonly long[] _healthySinceNs;

    private readonly long[] _denied = new long[ReasonCount];
    private long _approved;
    private long _alertsDropped;
    private int _resetRequests;

    /// <summary>Builds the gate from validated options (throws on invalid ones: start-up only).</summary>
    public RiskGate(RiskOptions options, KillSwitch killSwitch)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(killSwitch);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        _killSwitch = killSwitch;
        _alerts = new RingBuffer<RiskAlert>(options.AlertCapacity, ProducerType.Single, WaitStrategyKind.Yielding);
        _alerts.AddGatingSequences(_alertsRead);
        _assets = options.Assets;
        _venues = options.Venues;
        _dailyLossLimit = options.DailyLossLimitUsd;
        _maxLosses = options.MaxConsecutiveLosses;
        _lossCooldownNs = options.ConsecutiveLossCooldownNs;
        _volWindow = options.VolatilityWindow;
        _volSampleNs = options.VolatilitySampleNs;
        _maxVolBps = options.MaxVolatilityBps;
        _volResumeBps = options.VolatilityResumeBps;
        _gasCap = (ulong[])options.GasCapWei.Clone();
        _maxTradeUsd = options.MaxTradeNotionalUsd;
        _maxAssetUsd = options.MaxAssetNotionalUsd;
        _maxOpenLegs = options.MaxOpenLegs;
        _maxQuoteAgeNs = options.MaxQuoteAgeNs;
        _quarantineBelow = options.QuarantineBelowScore;
        _releaseScore = options.QuarantineReleaseScore;
        _releaseNs = options.QuarantineReleaseNs;

        _volReturns = new double[_assets * _volWindow];
        _volCount = new int[_assets];
        _volHead = new int[_assets];
        _volSumSq = new double[_assets];
        _volLastMid = new double[_assets];
        _volLastSampleNs = new long[_assets];
        _volTripped = new bool[_assets];
        _assetOpenUsd = new double[_assets];
        _baseFee = new ulong[_gasCap.Length];
        _gasTripped = new bool[_gasCap.Length];
        _score = new double[_venues];
        _quarantined = new bool[_venues];
        _healthySinceNs = new long[_venues];
        Array.Fill(_score, 1.0);
    }

    /// <summary>The kill switch this gate reads.</summary>
    public KillSwitch KillSwitch => _killSwitch;

    /// <summary>Actions approved so far (strategy thread; a little stale elsewhere).</summary>
    public long Approved => Volatile.Read(ref _approved);

    /// <summary>Alerts that found the alert ring full (the count is the record; the host reports it).</summary>
    public long AlertsDropped => Volatile.Read(ref _alertsDropped);

    /// <summary>Actions denied for <paramref name="reason"/>.</summary>
    public long Denied(RiskReason reason) => (uint)reason < ReasonCount ? Volatile.Read(ref _denied[(int)reason]) : 0;

    /// <summary>Legs open now (reserved by approvals, released by <see cref="Release"/>).</summary>
    public int OpenLegs => _openLegs;

    /// <summary>Realised P&amp;L of the current UTC day.</summary>
    public double DailyPnlUsd => _dailyPnl;

    /// <summary>Open notional reserved against <paramref name="asset"/>.</summary>
    public double AssetOpenUsd(InstrumentId asset) => asset.Value < _assets ? _assetOpenUsd[asset.Value] : 0;

    /// <summary>Realised volatility of <paramref name="asset"/> over its window (bps per sample; 0 until two samples).</summary>
    public double VolatilityBps(InstrumentId asset) => asset.Value < _assets ? Rms(asset.Value) : 0;

    /// <summary>Whether <paramref name="venue"/> is quarantined now.</summary>
    public bool IsQuarantined(VenueId venue) => venue.Value < _venues && _quarantined[venue.Value];

    /// <summary>
    /// Strategy thread, per action; allocation-free. Approves or denies; an approval reserves the action's legs and
    /// notional until <see cref="Release"/>.
    /// </summary>
    public RiskDecision Check(in RiskAction action, long nowNs)
    {
        ApplyRules(nowNs);
        RiskReason reason = Evaluate(in action, nowNs);
        if (reason != RiskReason.None)
        {
            _denied[(int)reason]++;
            return RiskDecision.Denied(reason);
        }

        _openLegs += action.Legs;
        _assetOpenUsd[action.Asset.Value] += action.NotionalUsd;
        _approved++;
        return RiskDecision.Approved;
    }

    /// <summary>Strategy thread: an approved action finished (filled and hedged, unwound, or failed); frees what it reserved.</summary>
    public void Release(InstrumentId asset, int legs, double notionalUsd)
    {
        _openLegs = Math.Max(0, _openLegs - legs);
        if (asset.Value < _assets)
        {
            double open = _assetOpenUsd[asset.Value] - notionalUsd;
            _assetOpenUsd[asset.Value] = open > 1e-9 ? open : 0;
        }
    }

    /// <summary>Strategy thread: a trade closed with realised <paramref name="pnlUsd"/> (fees included).</summary>
    public void OnTradeClosed(double pnlUsd, long nowNs)
    {
        if (!double.IsFinite(pnlUsd))
        {
            return;
        }

        RollDay(nowNs);
        _dailyPnl += pnlUsd;
        if (!_dailyTripped && -_dailyPnl >= _dailyLossLimit)
        {
            _dailyTripped = true;
            Alert(RiskReason.DailyLossLimit, RiskAlertKind.Tripped, -1, -_dailyPnl, _dailyLossLimit, nowNs);
        }

        _lossStreak = pnlUsd < 0 ? _lossStreak + 1 : 0;
        if (!_streakTripped && _lossStreak >= _maxLosses)
        {
            _streakTripped = true;
            _streakTrippedNs = nowNs;
            Alert(RiskReason.ConsecutiveLosses, RiskAlertKind.Tripped, -1, _lossStreak, _maxLosses, nowNs);
        }
    }

    /// <summary>
    /// Strategy thread: a mid price of <paramref name="asset"/>. Sampled every <see cref="RiskOptions.VolatilitySampleNs"/>;
    /// each sample adds a log return to the window and re-evaluates the asset's volatility breaker.
    /// </summary>
    public void OnMid(InstrumentId asset, double mid, long nowNs)
    {
        int a = asset.Value;
        if (a >= _assets || !double.IsFinite(mid) || mid <= 0)
        {
            return;
        }

        double last = _volLastMid[a];
        if (last == 0)
        {
            _volLastMid[a] = mid;
            _volLastSampleNs[a] = nowNs;
            return;
        }

        if (nowNs - _volLastSampleNs[a] < _volSampleNs)
        {
            return;
        }

        double r = Math.Log(mid / last) * 10_000;
        _volLastMid[a] = mid;
        _volLastSampleNs[a] = nowNs;
        int slot = (a * _volWindow) + _volHead[a];
        if (_volCount[a] == _volWindow)
        {
            double old = _volReturns[slot];
            _volSumSq[a] -= old * old;
        }
        else
        {
            _volCount[a]++;
        }

        _volReturns[slot] = r;
        _volSumSq[a] = Math.Max(0, _volSumSq[a] + (r * r));
        _volHead[a] = _volHead[a] + 1 == _volWindow ? 0 : _volHead[a] + 1;

        double vol = Rms(a);
        if (!_volTripped[a] && vol > _maxVolBps)
        {
            _volTripped[a] = true;
            Alert(RiskReason.Volatility, RiskAlertKind.Tripped, a, vol, _maxVolBps, nowNs);
        }
        else if (_volTripped[a] && vol <= _volResumeBps)
        {
            _volTripped[a] = false;
            Alert(RiskReason.Volatility, RiskAlertKind.ResetByRule, a, vol, _volResumeBps, nowNs);
        }
    }

    /// <summary>Strategy thread: the latest base fee of a chain slot (a spike above its cap refuses its on-chain legs).</summary>
    public void OnBaseFee(int chainSlot, ulong baseFeeWei, long nowNs)
    {
        if ((uint)chainSlot >= (uint)_gasCap.Length)
        {
            return;
        }

        _baseFee[chainSlot] = baseFeeWei;
        bool over = baseFeeWei > _gasCap[chainSlot];
        if (over != _gasTripped[chainSlot])
        {
            _gasTripped[chainSlot] = over;
            Alert(RiskReason.GasPriceCap, over ? RiskAlertKind.Tripped : RiskAlertKind.ResetByRule, chainSlot, baseFeeWei, _gasCap[chainSlot], nowNs);
        }
    }

    /// <summary>
    /// Strategy thread: a venue's integrity score in [0, 1] (the live-data integrity measure). Below the quarantine level
    /// the venue is quarantined; the rule releases it once the score has held at or above the release level for the
    /// release time.
    /// </summary>
    public void OnVenueIntegrity(VenueId venue, double score, long nowNs)
    {
        int v = venue.Value;
        if (v >= _venues)
        {
            return;
        }

        // A NaN score is not evidence of health: it counts as the worst.
        score = double.IsNaN(score) ? 0 : Math.Clamp(score, 0, 1);
        _score[v] = score;
        if (!_quarantined[v])
        {
            if (score < _quarantineBelow)
            {
                _quarantined[v] = true;
                _healthySinceNs[v] = long.MinValue;
                Alert(RiskReason.VenueQuarantined, RiskAlertKind.Tripped, v, score, _quarantineBelow, nowNs);
            }

            return;
        }

        if (score < _releaseScore)
        {
            _healthySinceNs[v] = long.MinValue;
            return;
        }

        if (_healthySinceNs[v] == long.MinValue)
        {
            _healthySinceNs[v] = nowNs;
        }

        if (nowNs - _healthySinceNs[v] >= _releaseNs)
        {
            _quarantined[v] = false;
            Alert(RiskReason.VenueQuarantined, RiskAlertKind.ResetByRule, v, score, _releaseScore, nowNs);
        }
    }

    /// <summary>
    /// Any thread (the operator): asks the strategy thread to reset a latched breaker (<see cref="RiskReason.DailyLossLimit"/>,
    /// <see cref="RiskReason.ConsecutiveLosses"/>, <see cref="RiskReason.Volatility"/> for every asset,
    /// <see cref="RiskReason.VenueQuarantined"/> for every venue). Applied at the next <see cref="Check"/> or
    /// <see cref="ApplyRules"/>. The kill switch is released through <see cref="KillSwitch"/> itself.
    /// </summary>
    public void RequestReset(RiskReason breaker)
    {
        if (breaker is RiskReason.DailyLossLimit or RiskReason.ConsecutiveLosses or RiskReason.Volatility or RiskReason.VenueQuarantined)
        {
            Interlocked.Or(ref _resetRequests, 1 << (int)breaker);
        }
    }

    /// <summary>
    /// Strategy thread: applies operator resets and the time rules (day roll, loss cooldown, kill switch transitions).
    /// <see cref="Check"/> calls it; call it on idle ticks too so alerts are not held back until the next action.
    /// </summary>
    public void ApplyRules(long nowNs)
    {
        if (Volatile.Read(ref _resetRequests) != 0)
        {
            ApplyOperatorResets(Interlocked.Exchange(ref _resetRequests, 0), nowNs);
        }

        bool killed = _killSwitch.IsEngaged;
        if (killed != _killTripped)
        {
            _killTripped = killed;
            Alert(RiskReason.KillSwitch, killed ? RiskAlertKind.Tripped : RiskAlertKind.ResetByOperator, (int)_killSwitch.Source, killed ? 1 : 0, 0, nowNs);
        }

        RollDay(nowNs);
        if (_streakTripped && nowNs - _streakTrippedNs >= _lossCooldownNs)
        {
            _streakTripped = false;
            _lossStreak = 0;
            Alert(RiskReason.ConsecutiveLosses, RiskAlertKind.ResetByRule, -1, 0, _maxLosses, nowNs);
        }
    }

    /// <summary>One host thread: copies published alerts into <paramref name="into"/> and returns how many. Allocation-free.</summary>
    public int DrainAlerts(Span<RiskAlert> into)
    {
        long next = _alertsRead.Value + 1;
        long last = Math.Min(_alerts.Cursor, next + into.Length - 1);
        int n = 0;
        for (long s = next; s <= last; s++)
        {
            into[n++] = _alerts[s];
        }

        if (n > 0)
        {
            _alertsRead.Value = last;
        }

        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RiskReason Evaluate(in RiskAction action, long nowNs)
    {
        if (_killTripped)
        {
            return RiskReason.KillSwitch;
        }

        if (action.Asset.Value >= _assets || action.BuyVenue.Value >= _venues || action.SellVenue.Value >= _venues
            || action.ChainSlot < -1 || action.ChainSlot >= _gasCap.Length)
        {
            return RiskReason.UnknownSubject;
        }

        if (!(action.NotionalUsd > 0) || !double.IsFinite(action.NotionalUsd) || action.Legs < 1)
        {
            return RiskReason.InvalidAction;
        }

        if (_dailyTripped)
        {
            return RiskReason.DailyLossLimit;
        }

        if (_streakTripped)
        {
            return RiskReason.ConsecutiveLosses;
        }

        if (_quarantined[action.BuyVenue.Value] || _quarantined[action.SellVenue.Value])
        {
            return RiskReason.VenueQuarantined;
        }

        // A quote from the future (clock skew between venues and us) is as untrustworthy as an old one.
        long age = nowNs - action.OldestQuoteNs;
        if (age > _maxQuoteAgeNs || age < -_maxQuoteAgeNs)
        {
            return RiskReason.StaleData;
        }

        if (action.NotionalUsd > _maxTradeUsd)
        {
            return RiskReason.TradeNotional;
        }

        if (_assetOpenUsd[action.Asset.Value] + action.NotionalUsd > _maxAssetUsd)
        {
            return RiskReason.AssetNotional;
        }

        if (_openLegs + action.Legs > _maxOpenLegs)
        {
            return RiskReason.OpenLegs;
        }

        if (action.ChainSlot >= 0 && _gasTripped[action.ChainSlot])
        {
            return RiskReason.GasPriceCap;
        }

        return _volTripped[action.Asset.Value] ? RiskReason.Volatility : RiskReason.None;
    }

    private void RollDay(long nowNs)
    {
        long day = nowNs >= 0 ? nowNs / DayNs : ((nowNs + 1) / DayNs) - 1;
        if (day == _day)
        {
            return;
        }

        bool first = _day == long.MinValue;
        _day = day;
        _dailyPnl = 0;
        if (!first && _dailyTripped)
        {
            _dailyTripped = false;
            Alert(RiskReason.DailyLossLimit, RiskAlertKind.ResetByRule, -1, 0, _dailyLossLimit, nowNs);
        }
    }

    private void ApplyOperatorResets(int requests, long nowNs)
    {
        if ((requests & (1 << (int)RiskReason.DailyLossLimit)) != 0 && _dailyTripped)
        {
            _dailyTripped = false;
            Alert(RiskReason.DailyLossLimit, RiskAlertKind.ResetByOperator, -1, -_dailyPnl, _dailyLossLimit, nowNs);

            // The day's losses stay on record; the operator's reset allows one more limit's worth before it trips again.
            _dailyPnl = 0;
        }

        if ((requests & (1 << (int)RiskReason.ConsecutiveLosses)) != 0 && _streakTripped)
        {
            _streakTripped = false;
            _lossStreak = 0;
            Alert(RiskReason.ConsecutiveLosses, RiskAlertKind.ResetByOperator, -1, 0, _maxLosses, nowNs);
        }

        if ((requests & (1 << (int)RiskReason.Volatility)) != 0)
        {
            for (int a = 0; a < _assets; a++)
            {
                if (_volTripped[a])
                {
                    _volTripped[a] = false;
                    Alert(RiskReason.Volatility, RiskAlertKind.ResetByOperator, a, Rms(a), _maxVolBps, nowNs);
                }
            }
        }

        if ((requests & (1 << (int)RiskReason.VenueQuarantined)) != 0)
        {
            for (int v = 0; v < _venues; v++)
            {
                if (_quarantined[v])
                {
                    _quarantined[v] = false;
                    Alert(RiskReason.VenueQuarantined, RiskAlertKind.ResetByOperator, v, _score[v], _quarantineBelow, nowNs);
                }
            }
        }
    }

    private double Rms(int asset)
    {
        int n = _volCount[asset];
        return n == 0 ? 0 : Math.Sqrt(_volSumSq[asset] / n);
    }

    private void Alert(RiskReason breaker, RiskAlertKind kind, int subject, double value, double limit, long nowNs)
    {
        var alert = new RiskAlert { Breaker = breaker, Kind = kind, Subject = subject, Value = value, Limit = limit, TimeNs = nowNs };
        if (!_alerts.TryPublish(in alert))
        {
            Interlocked.Increment(ref _alertsDropped);
        }
    }
}
