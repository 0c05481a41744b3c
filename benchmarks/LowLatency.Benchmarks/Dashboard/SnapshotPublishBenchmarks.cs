using BenchmarkDotNet.Attributes;
using LowLatency.HotPath.Snapshots;

namespace LowLatency.Benchmarks.Dashboard;

/// <summary>
/// The strategy thread's snapshot publish (a ~5 KB <see cref="StrategySnapshot"/>, once per batch at most): through
/// the seqlock, and through the obvious alternative, a copy under a <c>lock</c> the readers also take (baseline,
/// uncontended here, so the best case for the lock; with a reader holding it, the lock path would wait and the
/// seqlock would not). Budgets: budgets/dashboard.json.
/// </summary>
[MemoryDiagnoser]
public class SnapshotPublishBenchmarks
{
    private readonly Seqlock<StrategySnapshot> _seqlock = new();
    private readonly object _gate = new();
    private StrategySnapshot _source;
    private StrategySnapshot _locked;

    [GlobalSetup]
    public void Setup()
    {
        _source.VenueCount = 4;
        _source.Events = 1;
    }

    [Benchmark(Baseline = true)]
    public long LockedCopy()
    {
        _source.Events++;
        lock (_gate)
        {
            _locked = _source;
        }

        return _locked.Events;
    }

    [Benchmark]
    public long Seqlock()
    {
        _source.Events++;
        _seqlock.Publish(in _source);
        return _seqlock.Version;
    }
}
