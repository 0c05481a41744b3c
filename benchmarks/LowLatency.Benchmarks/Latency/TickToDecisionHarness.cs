using System.Diagnostics;
using HdrHistogram;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing;

namespace LowLatency.Benchmarks.Latency;

/// <summary>
/// Tick-to-decision over replayed real captures (Binance spot and futures, OKX, Kraken): for every frame that parses into
/// a message, the time from frame bytes handed to the parser until the strategy chain (book, edges, opportunity) has
/// finished with it, on one thread. HdrHistogram, 3 significant digits; allocations counted on the same thread.
/// REST snapshots (1000-level book bootstraps, fetched on resync) are replayed but not counted as ticks.
/// </summary>
public static class TickToDecisionHarness
{
    public static string[] CaptureFiles() =>
    [
        SharedData.File("cex_ws", "cryptofeed", "BINANCE.ws.1.0"),
        SharedData.File("cex_ws", "cryptofeed", "BINANCE.http.0.0"),
        SharedData.File("cex_ws", "cryptofeed", "BINANCE_FUTURES.ws.1.0"),
        SharedData.File("cex_ws", "cryptofeed", "BINANCE_FUTURES.http.0.0"),
        SharedData.File("cex_ws", "cryptofeed", "OKX.ws.1.0"),
        SharedData.File("cex_ws", "cryptofeed", "KRAKEN.ws.50.0"),
    ];

    public static LatencyResult Run(bool quick)
    {
        ReplaySession session = ReplaySession.Load(CaptureFiles());
        var opportunities = new RingBuffer<Opportunity>(1 << 12, ProducerType.Single, WaitStrategyKind.Yielding);
        var pipeline = new ReplayPipeline(session, _ => 0.001, thresholdBps: 0, opportunities);
        var drainSequence = new Sequence();
        opportunities.AddGatingSequences(drainSequence);
        var histogram = new LongHistogram(10_000_000_000L, 3);
        double nsPerTick = 1e9 / Stopwatch.Frequency;

        // Enough warm-up for tiered compilation to reach tier 1 (with PGO) on every path.
        int warmupPasses = quick ? 20 : 50;
        int measuredPasses = quick ? 10 : 100;
        long allocated = 0;
        for (int pass = 0; pass < warmupPasses + measuredPasses; pass++)
        {
            bool measuring = pass >= warmupPasses;
            if (pass == warmupPasses)
            {
                histogram.Reset(); // warm-up recorded too, so the recording path itself is jitted before we count bytes
            }

            pipeline.Books.Restart(); // a second pass of the same tape would otherwise be stale snapshots and dropped diffs
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < session.Tape.Count; i++)
            {
                long start = Stopwatch.GetTimestamp();
                ParseResult result = pipeline.Step(i);
                long end = Stopwatch.GetTimestamp();
                drainSequence.Value = opportunities.Cursor; // nobody reads them here; keep the ring from filling
                if (result == ParseResult.Message && session.Tape[i].Kind == CaptureRecordKind.Received)
                {
                    histogram.RecordValue(Math.Max(1, (long)((end - start) * nsPerTick)));
                }
            }

            if (measuring)
            {
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            }
        }

        long count = histogram.TotalCount;
        return new LatencyResult(
            count,
            histogram.GetValueAtPercentile(50),
            histogram.GetValueAtPercentile(99),
            histogram.GetValueAtPercentile(99.9),
            histogram.GetMaxValue(),
            count == 0 ? double.NaN : allocated / (double)count);
    }
}
