namespace LowLatency.HotPath.Features;

/// <summary>
/// Receives each frame <see cref="FeatureStage"/> builds (the scorer, or a dataset recorder). A struct type parameter so
/// the call is devirtualised; called on the strategy thread, must not block or allocate. The frame is only valid during
/// the call.
/// </summary>
public interface IFeatureSink
{
    void OnFrame(int candidate, in MarketObservation observation, in FeatureFrame frame);
}
