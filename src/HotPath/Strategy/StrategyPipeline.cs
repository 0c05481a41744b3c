using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;

namespace LowLatency.HotPath.Strategy;

/// <summary>
/// The strategy chain's construction, shared by the dry run (a strategy thread) and replay (one polled thread):
/// the books, the edge stage over them, the strategy state and the market ring it consumes. Start-up only (allocates);
/// how the ring is consumed stays with the caller.
/// </summary>
public sealed class StrategyPipeline
{
    public StrategyPipeline(
        IReadOnlyList<BookSpec> books,
        int instruments,
        int venues,
        ReadOnlySpan<int> priceDecimals,
        ReadOnlySpan<double> takerFees,
        double thresholdBps,
        RingBuffer<Opportunity>? opportunityRing,
        IEdgeSweeper? sweeper,
        int fullSweepMinTouched,
        int ringSize,
        WaitStrategyKind wait)
    {
        MarketRing = new RingBuffer<TickEvent>(ringSize, ProducerType.Single, wait);
        Books = new BookSet(books);
        Edges = new EdgeStage(instruments, venues, priceDecimals, takerFees, thresholdBps);
        Strategy = new StrategyState(Books, Edges, opportunityRing, sweeper, fullSweepMinTouched);
    }

    public RingBuffer<TickEvent> MarketRing { get; }

    public BookSet Books { get; }

    public EdgeStage Edges { get; }

    public StrategyState Strategy { get; }
}
