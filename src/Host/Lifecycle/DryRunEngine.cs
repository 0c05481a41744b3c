using System.Diagnostics;
using System.Globalization;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.Kernels;
using LowLatency.Kernels.EdgeSweep;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Host.Lifecycle;

/// <summary>
/// <c>run</c>: the dry-run engine on the simulated market. Three threads: the market producer (paced at simulated
/// time, writes ticks straight into ring slots), the strategy thread (books → edges → opportunities, using the
/// configured wait strategy) and the host thread (drains opportunities into the log, prints a summary per second).
/// </summary>
public sealed class DryRunEngine
{
    private readonly EngineOptions _options;
    private readonly TextWriter _console;

    public DryRunEngine(EngineOptions options, TextWriter console)
    {
        _options = options;
        _console = console;
    }

    /// <summary>Final figures of a run (also printed).</summary>
    public sealed record Result(long Ticks, long Opportunities, long OpportunitiesDropped, long BackPressured, double P50Ns, double P99Ns, double P999Ns);

    public Result Run(TimeSpan? duration, CancellationToken cancellationToken)
    {
        SimulatedMarketOptions marketOptions = _options.Market;
        var market = new SimulatedMarket(marketOptions);
        int venues = market.VenueCount;
        int instruments = market.InstrumentCount;

        string[] venueNames = marketOptions.Venues.Select(v => v.Name).ToArray();
        string[] instrumentNames = marketOptions.Instruments.Select(i => i.Symbol).ToArray();
        int[] priceDecimals = Enumerable.Range(0, instruments).Select(market.PriceDecimals).ToArray();
        int[] quantityDecimals = Enumerable.Range(0, instruments).Select(market.QuantityDecimals).ToArray();
        double[] fees = marketOptions.Venues.Select(v => v.TakerFee).ToArray();

        var specs = new List<BookSpec>(venues * instruments);
        for (int v = 0; v < venues; v++)
        {
            for (int i = 0; i < instruments; i++)
            {
                specs.Add(new BookSpec(new VenueId((byte)v), new InstrumentId((ushort)i), SequenceRule.None, priceDecimals[i], quantityDecimals[i], Capacity: 64, PendingSlots: 16));
            }
        }

        WaitStrategyKind wait = WaitStrategies.Parse(_options.WaitStrategy);
        var marketRing = new RingBuffer<TickEvent>(_options.RingSize, ProducerType.Single, wait);
        // The host drains this ring by polling, so nobody waits on it: a non-signalling strategy keeps publish cheap.
        var opportunityRing = new RingBuffer<Opportunity>(1 << 14, ProducerType.Single, WaitStrategyKind.Yielding);
        var books = new BookSet(specs);
        var edges = new EdgeStage(instruments, venues, priceDecimals, fees, _options.ThresholdBps);
        using var kernels = new KernelHost(new EdgeSweepShape(instruments, venues));
        var strategy = new StrategyState(books, edges, opportunityRing, kernels, _options.FullSweepMinTouched);
        var strategyProcessor = new BatchEventProcessor<TickEvent, StrategyHandler>(marketRing, marketRing.NewBarrier(), new StrategyHandler(strategy));
        marketRing.AddGatingSequences(strategyProcessor.Sequence);

        using EngineLogs logs = EngineLogs.Create(_options.LogPath);
        var logState = new OpportunityLogState(logs.Opportunities, venueNames, instrumentNames, priceDecimals, quantityDecimals);
        var drain = new BatchEventProcessor<Opportunity, OpportunityLogHandler>(opportunityRing, opportunityRing.NewBarrier(), new OpportunityLogHandler(logState));
        opportunityRing.AddGatingSequences(drain.Sequence);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long ticks = 0;
        long backPressured = 0;

        var strategyThread = new Thread(() => strategyProcessor.Run(stop.Token)) { Name = "strategy", IsBackground = true };
        var producerThread = new Thread(() =>
        {
            long started = Stopwatch.GetTimestamp();
            TickEvent next = default;
            market.Next(ref next);
            while (!stop.IsCancellationRequested)
            {
                // Pace at simulated time: publish every update that is due, then sleep until the next one.
                long dueTicks = (long)(market.ElapsedNs / StrategyState.NanosecondsPerTick);
                long now = Stopwatch.GetTimestamp() - started;
                if (dueTicks > now)
                {
                    Thread.Sleep(1);
                    continue;
                }

                long sequence;
                while (!marketRing.TryNext(out sequence))
                {
                    Interlocked.Increment(ref backPressured);
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }

                    Thread.Yield();
                }

                ref TickEvent slot = ref marketRing[sequence];
                slot = next;
                slot.ReceiveTimeNs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
                slot.ReceiveTimestamp = Stopwatch.GetTimestamp();
                marketRing.Publish(sequence);
                Interlocked.Increment(ref ticks);
                market.Next(ref next);
            }
        }) { Name = "sim-market", IsBackground = true };

        _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dry-run on the simulated market: {venues} venues x {instruments} instruments, threshold {_options.ThresholdBps} bps net, wait strategy {_options.WaitStrategy}, full sweeps on {kernels.Backend}, log {_options.LogPath}"));
        strategyThread.Start();
        producerThread.Start();

        var clock = Stopwatch.StartNew();
        long lastTicks = 0;
        long lastOpportunities = 0;
        TimeSpan nextSummary = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested && (duration is null || clock.Elapsed < duration))
        {
            drain.Poll();
            if (clock.Elapsed >= nextSummary)
            {
                long t = Interlocked.Read(ref ticks);
                (double p50, double p99) = logState.Latency.TakeInterval();
                _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"t={clock.Elapsed.TotalSeconds,5:0}s ticks/s={t - lastTicks,7} opportunities={logState.Count - lastOpportunities,5} (total {logState.Count}) tick-to-opportunity p50={FormatNs(p50)} p99={FormatNs(p99)} dropped={strategy.OpportunitiesDropped} back-pressure={Interlocked.Read(ref backPressured)}"));
                lastTicks = t;
                lastOpportunities = logState.Count;
                nextSummary += TimeSpan.FromSeconds(1);
            }

            Thread.Sleep(5);
        }

        stop.Cancel();
        producerThread.Join();
        strategyProcessor.Halt();
        strategyThread.Join();
        drain.Poll();

        (double tp50, double tp99, double tp999, double max) = logState.Latency.Total();
        _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {ticks} ticks, {logState.Count} opportunities, tick-to-opportunity p50={FormatNs(tp50)} p99={FormatNs(tp99)} p99.9={FormatNs(tp999)} max={FormatNs(max)}"));
        return new Result(ticks, logState.Count, strategy.OpportunitiesDropped, backPressured, tp50, tp99, tp999);
    }

    internal static string FormatNs(double ns) => double.IsNaN(ns)
        ? "-"
        : ns >= 1_000_000 ? string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000:0.##}ms")
        : ns >= 1_000 ? string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000:0.##}us")
        : string.Create(CultureInfo.InvariantCulture, $"{ns:0}ns");
}
