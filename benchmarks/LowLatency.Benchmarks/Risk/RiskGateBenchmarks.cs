using BenchmarkDotNet.Attributes;
using LowLatency.HotPath.Risk;

namespace LowLatency.Benchmarks.Risk;

/// <summary>
/// The gate's cost per action: <see cref="RiskGate.Check"/> plus the matching <see cref="RiskGate.Release"/>, against the
/// conventional shape of the same rules (a list of rule objects behind an interface, searched with LINQ, the decision a
/// nullable reason), in one run. Every breaker is evaluated and none trips, so both walk every rule.
/// </summary>
[MemoryDiagnoser]
public class RiskGateBenchmarks
{
    private const long Now = 1_767_225_600L * 1_000_000_000;
    private RiskGate _gate = null!;
    private RuleListGate _rules = null!;
    private RiskAction _action;

    [GlobalSetup]
    public void Setup()
    {
        var options = new RiskOptions { Assets = 64, Venues = 16, GasCapWei = [50_000_000_000UL], MaxQuoteAgeNs = long.MaxValue / 4 };
        _gate = new RiskGate(options, new KillSwitch());
        _rules = new RuleListGate(options);
        _action = new RiskAction
        {
            Asset = new InstrumentId(3), BuyVenue = new VenueId(1), SellVenue = new VenueId(2), ChainSlot = 0, Legs = 2,
            NotionalUsd = 1_000, OldestQuoteNs = Now,
        };
    }

    [Benchmark]
    public bool Gate()
    {
        bool approved = _gate.Check(in _action, Now).IsApproved;
        _gate.Release(_action.Asset, _action.Legs, _action.NotionalUsd);
        return approved;
    }

    [Benchmark(Baseline = true)]
    public bool RuleList()
    {
        bool approved = _rules.Check(_action, Now) is null;
        _rules.Release(_action);
        return approved;
    }

    private interface IRule
    {
        RiskReason? Evaluate(RiskAction action, long nowNs);
    }

    private sealed class Rule(Func<RiskAction, long, bool> deny, RiskReason reason) : IRule
    {
        public RiskReason? Evaluate(RiskAction action, long nowNs) => deny(action, nowNs) ? reason : null;
    }

    private sealed class RuleListGate
    {
        private readonly List<IRule> _rules;
        private readonly Dictionary<int, double> _assetOpen = [];
        private readonly Dictionary<int, bool> _quarantined = [];
        private readonly Dictionary<int, bool> _gasTripped = [];
        private readonly Dictionary<int, bool> _volTripped = [];
        private int _openLegs;

        public RuleListGate(RiskOptions o)
        {
            bool kill = false, daily = false, streak = false;
            _rules =
            [
                new Rule((_, _) => kill, RiskReason.KillSwitch),
                new Rule((_, _) => daily, RiskReason.DailyLossLimit),
                new Rule((_, _) => streak, RiskReason.ConsecutiveLosses),
                new Rule((a, _) => _quarantined.GetValueOrDefault(a.BuyVenue.Value) || _quarantined.GetValueOrDefault(a.SellVenue.Value), RiskReason.VenueQuarantined),
                new Rule((a, now) => Math.Abs(now - a.OldestQuoteNs) > o.MaxQuoteAgeNs, RiskReason.StaleData),
                new Rule((a, _) => a.NotionalUsd > o.MaxTradeNotionalUsd, RiskReason.TradeNotional),
                new Rule((a, _) => _assetOpen.GetValueOrDefault(a.Asset.Value) + a.NotionalUsd > o.MaxAssetNotionalUsd, RiskReason.AssetNotional),
                new Rule((a, _) => _openLegs + a.Legs > o.MaxOpenLegs, RiskReason.OpenLegs),
                new Rule((a, _) => a.ChainSlot >= 0 && _gasTripped.GetValueOrDefault(a.ChainSlot), RiskReason.GasPriceCap),
                new Rule((a, _) => _volTripped.GetValueOrDefault(a.Asset.Value), RiskReason.Volatility),
            ];
        }

        public RiskReason? Check(RiskAction action, long nowNs)
        {
            RiskReason? denied = _rules.Select(r => r.Evaluate(action, nowNs)).FirstOrDefault(r => r is not null);
            if (denied is null)
            {
                _openLegs += action.Legs;
                _assetOpen[action.Asset.Value] = _assetOpen.GetValueOrDefault(action.Asset.Value) + action.NotionalUsd;
            }

            return denied;
        }

        public void Release(RiskAction action)
        {
            _openLegs -= action.Legs;
            _assetOpen[action.Asset.Value] -= action.NotionalUsd;
        }
    }
}
