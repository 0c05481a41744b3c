using System.Diagnostics;
using System.Globalization;
using LowLatency.HotPath.Features;
using LowLatency.Ml.Data;
using LowLatency.Ml.Evaluation;
using LowLatency.Ml.Inference;
using LowLatency.Ml.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LowLatency.Ml.Training;

/// <summary>Training settings of the scorer (the model's shape, optimiser and stopping rule).</summary>
public sealed record ScorerTrainOptions
{
    public int Seed { get; init; } = 7;

    public int MaxEpochs { get; init; } = 40;

    public int Patience { get; init; } = 5;

    /// <summary>Truncated back-propagation length (steps per chunk).</summary>
    public int Chunk { get; init; } = 64;

    public double LearningRate { get; init; } = 1e-3;

    public int DModel { get; init; } = 32;

    public int Heads { get; init; } = 4;

    public int FeedForward { get; init; } = 64;

    public int Window { get; init; } = 16;

    public int Hidden { get; init; } = 128;

    /// <summary>Use at most this many rows per stream from its start (tiny CI runs); 0 = all.</summary>
    public int MaxRowsPerStream { get; init; }
}

/// <summary>The outcome of a training run.</summary>
public sealed record ScorerTrainResult(ScorerModel Model, int Epochs, int BestEpoch, double BestValidationLoss, double Seconds);

/// <summary>
/// Trains the scorer with TorchSharp: every stream is one sequence of the batch (state carried from its start, as live),
/// processed in chunks with truncated back-propagation; loss is binary cross-entropy on the training rows only; after each
/// epoch the validation rows are scored with the state run from each stream's start, and the best epoch by validation
/// loss is kept (early stopping after <see cref="ScorerTrainOptions.Patience"/> epochs without improvement).
/// Deterministic for a seed: weights are drawn in C#, chunks go in order, TorchSharp runs on one thread.
/// </summary>
public static class ScorerTrainer
{
    public static ScorerTrainResult Train(FeatureDataset data, SplitPart[] parts, ScorerTrainOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(options);
        string? native = TorchNative.EnsureLoadable();
        if (native is not null)
        {
            throw new InvalidOperationException(native);
        }

        torch.set_num_threads(1);
        torch.manual_seed(options.Seed);
        var clock = Stopwatch.StartNew();
        var model = new ScorerModel(options.DModel, options.Heads, options.FeedForward, options.Window, options.Hidden);
        ScorerInit.Randomize(model, options.Seed);
        Normalise(data, parts, model);

        int f = FeatureIndex.Count;
        int streams = data.Streams.Count;
        int[] lengths = [.. data.Streams.Select(s => LastIndexOf(parts, s, SplitPart.Validation) - s.Start + 1)];
        int maxLength = Math.Max(1, lengths.Max());
        var x = new float[streams * maxLength * f];
        var y = new float[streams * maxLength];
        var trainMask = new float[streams * maxLength];
        var validationMask = new float[streams * maxLength];
        for (int s = 0; s < streams; s++)
        {
            StreamInfo info = data.Streams[s];
            for (int k = 0; k < lengths[s]; k++)
            {
                int row = info.Start + k;
                data.Row(row).CopyTo(x.AsSpan(((s * maxLength) + k) * f, f));
                y[(s * maxLength) + k] = Math.Max(0, data.Label(row));
                trainMask[(s * maxLength) + k] = parts[row] == SplitPart.Train ? 1 : 0;
                validationMask[(s * maxLength) + k] = parts[row] == SplitPart.Validation ? 1 : 0;
            }
        }

        using Tensor xAll = tensor(x, [streams, maxLength, f], dtype: float32);
        using Tensor yAll = tensor(y, [streams, maxLength], dtype: float32);
        using Tensor trainAll = tensor(trainMask, [streams, maxLength], dtype: float32);
        using var scorer = new TorchScorer(model);
        using var optimizer = new HeldScalarAdam(scorer.Parameters, beta1: 0.9, beta2: 0.999, eps: 1e-8); // optim.Adam's defaults

        double best = double.PositiveInfinity;
        int bestEpoch = 0;
        int epoch = 0;
        var bestModel = new ScorerModel(options.DModel, options.Heads, options.FeedForward, options.Window, options.Hidden);
        Copy(model, bestModel);
        while (epoch < options.MaxEpochs && (bestEpoch == 0 || epoch - bestEpoch < options.Patience))
        {
            epoch++;
            double lossSum = 0;
            double lossRows = 0;
            Tensor h = zeros(streams, options.Hidden);
            for (int start = 0; start < maxLength; start += options.Chunk)
            {
                using DisposeScope scope = NewDisposeScope();
                int prefix = Math.Min(options.Window - 1, start);
                int end = Math.Min(maxLength, start + options.Chunk);
                Tensor input = xAll[.., (start - prefix)..end, ..];
                (Tensor logits, Tensor hidden) = scorer.Forward(input, start - prefix, prefix, h);
                Tensor mask = trainAll[.., start..end];
                double rows = mask.sum().item<float>();
                if (rows > 0)
                {
                    using Scalar rowCount = rows.ToScalar();
                    Tensor loss = (nn.functional.binary_cross_entropy_with_logits(logits, yAll[.., start..end], reduction: nn.Reduction.None) * mask).sum().div(rowCount);
                    optimizer.ZeroGrad();
                    loss.backward();
                    nn.utils.clip_grad_norm_(scorer.Parameters, 1.0);
                    optimizer.Step(options.LearningRate);
                    lossSum += loss.item<float>() * rows;
                    lossRows += rows;
                }

                h = hidden.detach().MoveToOuterDisposeScope();
            }

            scorer.CopyTo(model);
            double validationLoss = ValidationLoss(model, data, parts, out double validationAuc);
            if (double.IsNaN(validationLoss))
            {
                validationLoss = lossSum / Math.Max(1, lossRows); // no validation rows (a tiny run): judge by training loss
            }
            if (validationLoss < best)
            {
                best = validationLoss;
                bestEpoch = epoch;
                Copy(model, bestModel);
            }

            double perEpoch = clock.Elapsed.TotalSeconds / epoch;
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}/{options.MaxEpochs}  loss {lossSum / Math.Max(1, lossRows):F4}  val_loss {validationLoss:F4}  val_auc {validationAuc:F3}  best {bestEpoch}  eta ≤{perEpoch * (options.MaxEpochs - epoch):F0}s"));
        }

        return new ScorerTrainResult(bestModel, epoch, bestEpoch, best, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Mean BCE of the validation rows with the state run from each stream's start (the serving pass).</summary>
    public static double ValidationLoss(ScorerModel model, FeatureDataset data, ReadOnlySpan<SplitPart> parts, out double auc)
    {
        ArgumentNullException.ThrowIfNull(data);
        double[] scores = Evaluator.ScoreAll(model, data);
        double sum = 0;
        var s = new List<double>();
        var l = new List<int>();
        for (int i = 0; i < data.Count; i++)
        {
            if (parts[i] != SplitPart.Validation)
            {
                continue;
            }

            double p = Math.Clamp(scores[i], 1e-7, 1 - 1e-7);
            sum -= data.Label(i) == 1 ? Math.Log(p) : Math.Log(1 - p);
            s.Add(scores[i]);
            l.Add(data.Label(i));
        }

        auc = s.Count > 0 ? Metrics.Auc([.. s], [.. l]) : double.NaN;
        return s.Count > 0 ? sum / s.Count : double.NaN;
    }

    private static void Normalise(FeatureDataset data, ReadOnlySpan<SplitPart> parts, ScorerModel model)
    {
        int f = FeatureIndex.Count;
        var sum = new double[f];
        var squares = new double[f];
        long n = 0;
        for (int i = 0; i < data.Count; i++)
        {
            if (parts[i] != SplitPart.Train)
            {
                continue;
            }

            ReadOnlySpan<float> row = data.Row(i);
            for (int k = 0; k < f; k++)
            {
                sum[k] += row[k];
                squares[k] += (double)row[k] * row[k];
            }

            n++;
        }

        for (int k = 0; k < f; k++)
        {
            double mean = n > 0 ? sum[k] / n : 0;
            double sd = n > 0 ? Math.Sqrt(Math.Max(0, (squares[k] / n) - (mean * mean))) : 1;
            model.Mean[k] = (float)mean;
            model.Std[k] = sd > 1e-6 ? (float)sd : 1f; // a constant feature (an absent source) passes through as 0
        }
    }

    private static int LastIndexOf(SplitPart[] parts, StreamInfo s, SplitPart upTo)
    {
        for (int i = s.Start + s.Count - 1; i >= s.Start; i--)
        {
            if (parts[i] != SplitPart.None && parts[i] <= upTo)
            {
                return i;
            }
        }

        return s.Start - 1;
    }

    private static void Copy(ScorerModel from, ScorerModel to)
    {
        using IEnumerator<(string, float[])> a = from.Tensors().GetEnumerator();
        using IEnumerator<(string, float[])> b = to.Tensors().GetEnumerator();
        while (a.MoveNext() && b.MoveNext())
        {
            a.Current.Item2.CopyTo(b.Current.Item2, 0);
        }
    }
}
