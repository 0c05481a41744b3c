using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Features;

/// <summary>
/// The strategy chain with features: <see cref="StrategyHandler"/> (books → edges → opportunities), then, at each batch end
/// that is a message boundary, <see cref="FeatureStage.OnBatchEnd{TSink}(ref TSink)"/> for the candidates the batch touched, whose frames
/// go to <typeparamref name="TSink"/> (the scorer). A struct so the ring's processor devirtualises it. Strategy thread
/// only; allocation-free per event.
/// </summary>
public struct FeatureStrategyHandler<TSink> : IEventHandler<TickEvent>
    where TSink : struct, IFeatureSink
{
    private readonly StrategyHandler _strategy;
    private readonly FeatureStage _features;
    private TSink _sink;

    public FeatureStrategyHandler(StrategyHandler strategy, FeatureStage features, TSink sink)
    {
        ArgumentNullException.ThrowIfNull(features);
        _strategy = strategy;
        _features = features;
        _sink = sink;
    }

    public readonly TSink Sink => _sink;

    /// <inheritdoc />
    public void OnEvent(ref TickEvent evt, long sequence, bool endOfBatch)
    {
        // The same message-boundary rule as StrategyHandler, decided before the books move the cursor.
        StrategyState state = _strategy.State;
        bool messageContinues = !evt.IsLastChunk && (evt.IsFirstChunk || state.Books.CursorOpen);
        _strategy.OnEvent(ref evt, sequence, endOfBatch);
        if (endOfBatch && !messageContinues)
        {
            _features.OnBatchEnd(ref _sink);
        }
    }
}
