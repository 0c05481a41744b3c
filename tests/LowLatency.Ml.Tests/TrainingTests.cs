using LowLatency.Ml.Data;
using LowLatency.Ml.Evaluation;
using LowLatency.Ml.Inference;
using LowLatency.Ml.Training;
using LowLatency.Testing;

namespace LowLatency.Ml.Tests;

/// <summary>A small training run (seconds) on real candles: deterministic, early-stopped, and its output honest.</summary>
public sealed class TrainingTests
{
    private static readonly ScorerTrainOptions s_tiny = new()
    {
        Seed = 11, MaxEpochs = 3, Patience = 2, Chunk = 32, DModel = 16, Heads = 2, FeedForward = 16, Window = 4, Hidden = 16, MaxRowsPerStream = 300,
    };

    internal static string[] CrossVenueFiles() =>
    [
        SharedData.File("market_history", "cross_venue_2023-03", "binanceus_BTCUSDT_1m_2023-03-01_2023-03-21.csv.gz"),
        SharedData.File("market_history", "cross_venue_2023-03", "kraken_XBTUSDT_5m_2023-03-01_2023-03-21.csv"),
    ];

    private static (ScorerTrainResult Result, FeatureDataset Data, SplitPart[] Parts) TrainTiny()
    {
        TorchFixture.Ensure();
        FeatureDataset data = TrainingRun.LoadCandles(CrossVenueFiles(), new DatasetOptions(), s_tiny.MaxRowsPerStream);
        SplitPart[] parts = new WalkForward().Assign(data);
        return (ScorerTrainer.Train(data, parts, s_tiny), data, parts);
    }

    [Fact]
    public void Two_runs_with_one_seed_give_the_same_weights()
    {
        (ScorerTrainResult a, _, _) = TrainTiny();
        (ScorerTrainResult b, _, _) = TrainTiny();
        foreach (((string name, float[] x), (_, float[] y)) in a.Model.Tensors().Zip(b.Model.Tensors()))
        {
            Assert.True(x.AsSpan().SequenceEqual(y), $"tensor {name} differs between runs");
        }

        var other = new ScorerModel(16, 2, 16, 4, 16);
        ScorerInit.Randomize(other, 12);
        Assert.False(a.Model.GruWhh.AsSpan().SequenceEqual(other.GruWhh), "a different seed starts elsewhere");
    }

    [Fact]
    public void A_small_run_trains_keeps_its_best_epoch_and_writes_a_loadable_model_with_a_manifest()
    {
        string folder = Path.Combine(Path.GetTempPath(), "lowlatency-ml-" + Guid.NewGuid().ToString("N"));
        string path = Path.Combine(folder, "scorer.llm");
        var lines = new List<string>();
        TorchFixture.Ensure();
        ModelManifest manifest = TrainingRun.Run(CrossVenueFiles(), path, new DatasetOptions(), s_tiny, new WalkForward(), lines.Add);
        Assert.Contains(lines, l => l.StartsWith("epoch 1/3", StringComparison.Ordinal) && l.Contains("val_loss", StringComparison.Ordinal) && l.Contains("eta", StringComparison.Ordinal));
        Assert.True(ScorerModel.TryLoad(path, out ScorerModel? loaded, out string error), error);
        Assert.NotNull(loaded);
        Assert.True(ModelManifest.TryLoad(ModelManifest.PathFor(path), out ModelManifest? read, out error), error);
        Assert.Equal(manifest.BeatsBaseline, read!.BeatsBaseline);
        Assert.Equal(32, read.Features.Count);
        Assert.Equal(2, read.Streams.Count); // BTCUSDT: buy on Binance.US and sell on Kraken, and the reverse
        Assert.NotNull(read.Test);
        Assert.True(read.Test!.Model.Rows > 0 && read.Test.Model.Rows == read.Test.Baseline.Rows, "model and baseline judged on the same rows");
        Assert.Equal(Evaluator.Beats(read.Test), read.BeatsBaseline);
        Assert.InRange(read.BestEpoch, 1, read.Epochs);
    }
}
