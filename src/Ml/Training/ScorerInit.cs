using LowLatency.Ml.Inference;

namespace LowLatency.Ml.Training;

/// <summary>Deterministic initial weights from a seed (PyTorch's default ranges: U(±1/√fan_in)), drawn in C# so a seed means the same model on every backend.</summary>
public static class ScorerInit
{
    public static void Randomize(ScorerModel model, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        var random = new Random(seed);
        foreach ((string name, float[] values) in model.Tensors())
        {
            if (name is "mean" or "std" or "ln1.g" or "ln2.g" or "ln1.b" or "ln2.b")
            {
                continue;
            }

            int fanIn = name switch
            {
                "in.w" or "in.b" => HotPath.Features.FeatureIndex.Count,
                "ff2.w" or "ff2.b" => model.FeedForward,
                "gru.wih" or "gru.whh" or "gru.bih" or "gru.bhh" or "out.w" or "out.b" => model.Hidden,
                _ => model.DModel,
            };
            float bound = 1f / MathF.Sqrt(fanIn);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2) - 1) * bound;
            }
        }
    }
}
