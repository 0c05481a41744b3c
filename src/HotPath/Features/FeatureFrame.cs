using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Features;

/// <summary>
/// The 32-wide feature vector of one candidate at one instant, laid out as <see cref="FeatureIndex"/> documents. An inline
/// array: a value type with no references, built in place by <see cref="FeatureBuilder"/>; copying it copies 128 bytes.
/// </summary>
[InlineArray(FeatureIndex.Count)]
public struct FeatureFrame
{
    private float _element0;
}
