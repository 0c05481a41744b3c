using BenchmarkDotNet.Attributes;
using LowLatency.HotPath.Risk;

namespace LowLatency.Benchmarks.Risk;

/// <summary>
/// What cluster mode adds on the strategy thread: the single-box <see cref="RiskGate"/> (check + release, the baseline)
/// against the same gate followed by the local <see cref="ClusterLease"/> (reserve + release on the exposure, notional
/// and loss shares), in one run. The lease never touches the network; its refiller is another thread.
/// </summary>
[MemoryDiagnoser]
public class ClusterLeaseBenchmarks
{
    private const long Now = 1_767_225_600L * 1_000_000_000;
    private RiskGate _gate = null!;
    private RiskGate _clusterGate = null!;
    private ClusterLease _lease = null!;
    private RiskAction _action;

    [GlobalSetup]
    public void Setup()
    {
        var options = new RiskOptions { Assets = 64, Venues = 16, GasCapWei = [50_000_000_000UL], MaxQuoteAgeNs = long.MaxValue / 4 };
        _gate = new RiskGate(options, new KillSwitch());
        _clusterGate = new RiskGate(options, new KillSwitch());
        _lease = new ClusterLease(64, 16);
        for (int slot = 0; slot < _lease.SlotCount; slot++)
        {
            _lease.Grant(slot, ClusterLease.ToMicros(1e12));
        }

        _lease.Extend(long.MaxValue);
        _action = new RiskAction
        {
            Asset = new InstrumentId(3), BuyVenue = new VenueId(1), SellVenue = new VenueId(2), ChainSlot = 0, Legs = 2,
            NotionalUsd = 1_000, OldestQuoteNs = Now,
        };
    }

    [Benchmark(Baseline = true)]
    public bool SingleBox()
    {
        bool approved = _gate.Check(in _action, Now).IsApproved;
        _gate.Release(_action.Asset, _action.Legs, _action.NotionalUsd);
        return approved;
    }

    [Benchmark]
    public bool WithLease()
    {
        bool approved = _clusterGate.Check(in _action, Now).IsApproved && _lease.TryReserve(in _action, Now) == LeaseDenial.None;
        _clusterGate.Release(_action.Asset, _action.Legs, _action.NotionalUsd);
        _lease.Release(in _action);
        return approved;
    }
}
