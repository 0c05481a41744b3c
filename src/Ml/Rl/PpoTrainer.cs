using System.Diagnostics;
using System.Globalization;
using LowLatency.Ml.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LowLatency.Ml.Rl;

/// <summary>One finished training episode: the global step at its end, its undiscounted return and length.</summary>
public readonly record struct EpisodeRecord(long Step, double Return, int Length);

/// <summary>What a PPO run produced.</summary>
public sealed record PpoResult(PolicyWeights Policy, IReadOnlyList<EpisodeRecord> Episodes, long Steps, int Iterations, double Seconds)
{
    /// <summary>Mean return of the last 100 training episodes (fewer if fewer finished; NaN if none).</summary>
    public double Last100 => Curves.LastMean(Episodes, 100);
}

/// <summary>
/// PPO as CleanRL's ppo.py / ppo_continuous_action.py: synchronous vectorised environments (an episode that ends is
/// reset at once and its next observation is the new start, flagged done), GAE(λ) with truncation treated as an end,
/// clipped surrogate, clipped value loss, entropy bonus, advantages normalised per minibatch, minibatch epochs over a
/// shuffled batch, linearly annealed learning rate, Adam (ε 1e-5), gradient-norm clipping.
/// Deterministic for a seed: weights, start states, action samples and shuffles are drawn in C# from seeded
/// <see cref="Random"/>s, rollouts run <see cref="PolicyForward"/> (our own pass, parity-tested against TorchSharp), the
/// update runs TorchSharp on one thread. Cold path (training).
/// </summary>
public static class PpoTrainer
{
    public static PpoResult Train(Func<IRlEnvironment> makeEnvironment, PpoOptions options, Action<string>? progress = null, int progressEvery = 20)
    {
        ArgumentNullException.ThrowIfNull(makeEnvironment);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        if (TorchNative.EnsureLoadable() is { } native)
        {
            throw new InvalidOperationException(native);
        }

        torch.set_num_threads(1);
        torch.manual_seed(options.Seed);
        var clock = Stopwatch.StartNew();

        int n = options.Envs;
        int steps = options.StepsPerEnv;
        var envs = new IRlEnvironment[n];
        var resets = new Random[n];
        for (int e = 0; e < n; e++)
        {
            envs[e] = makeEnvironment();
            resets[e] = new Random(unchecked((options.Seed * 7919) + e + 1));
        }

        IRlEnvironment first = envs[0];
        bool continuous = first.ActionCount == 0;
        int obsSize = first.ObservationSize;
        int actDims = first.ActionDims;
        var weights = new PolicyWeights(obsSize, continuous ? actDims : first.ActionCount, continuous, options.Hidden);
        if (options.InitialWeights is { } initial)
        {
            if (initial.Observations != weights.Observations || initial.Actions != weights.Actions || initial.Continuous != weights.Continuous
                || initial.Actor.Sizes.Length != weights.Actor.Sizes.Length || initial.Actor.Sizes[1] != weights.Actor.Sizes[1])
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"the initial weights take {initial.Observations} inputs to {initial.Actions} actions, the environment's policy {weights.Observations} to {weights.Actions} (or the hidden layers differ)"), nameof(options));
            }

            initial.CopyTo(weights);
        }
        else
        {
            OrthogonalInit.Initialize(weights, options.Seed);
        }
        var forward = new PolicyForward(weights);
        var sampler = new Random(unchecked((options.Seed * 31) + 17));
        var shuffler = new Random(unchecked((options.Seed * 131) + 29));

        int batch = options.BatchSize;
        var obs = new float[batch * obsSize];
        var actions = new float[batch * actDims];
        var rewards = new double[batch];
        var dones = new float[batch];
        var nextObs = new float[n * obsSize];
        var nextDone = new float[n];
        var episodeReturn = new double[n];
        var episodeLength = new int[n];
        var output = new float[weights.Actions];
        var episodes = new List<EpisodeRecord>();
        var rewardScale = options.NormalizeRewards ? new RewardNormalizer(n, options.Gamma) : null;
        var rawRewards = new double[n];
        var terminated = new bool[n];
        for (int e = 0; e < n; e++)
        {
            envs[e].Reset(resets[e], nextObs.AsSpan(e * obsSize, obsSize));
        }

        using var policy = new TorchPolicy(weights);
        using var optimizer = new HeldScalarAdam(policy.Parameters, beta1: 0.9, beta2: 0.999, eps: 1e-5);

        // The update's constants as Scalars made once and held to the end. An implicit double → Scalar is left to the GC,
        // and its finalizer can free it while the native call still reads it (a rare "Expected false to be true" from
        // c10::Scalar::toFloat in a clean-clone run); so does TorchSharp's own implicit alpha = 1 of add, and its Adam
        // (hence HeldScalarAdam). No implicit Scalar is left in the update: every add names its alpha.
        using var one = 1.0.ToScalar();
        using var minusOne = (-1.0).ToScalar();
        using var half = 0.5.ToScalar();
        using var eps = 1e-8.ToScalar();
        using var clip = options.Clip.ToScalar();
        using var minusClip = (-options.Clip).ToScalar();
        using var lowClip = (1 - options.Clip).ToScalar();
        using var highClip = (1 + options.Clip).ToScalar();
        using var entropyCoef = options.EntropyCoef.ToScalar();
        using var valueCoef = options.ValueCoef.ToScalar();
        int iterations = options.Iterations;
        long globalStep = 0;
        var permutation = new long[batch];
        var advantages = new float[batch];
        var returns = new float[batch];
        double lastKl = 0;
        double lastClipFraction = 0;
        for (int iteration = 1; iteration <= iterations; iteration++)
        {
            double lr = options.AnnealLearningRate ? (1.0 - ((iteration - 1.0) / iterations)) * options.LearningRate : options.LearningRate;
            for (int t = 0; t < steps; t++)
            {
                for (int e = 0; e < n; e++)
                {
                    int row = (t * n) + e;
                    Span<float> o = obs.AsSpan(row * obsSize, obsSize);
                    nextObs.AsSpan(e * obsSize, obsSize).CopyTo(o);
                    dones[row] = nextDone[e];
                    forward.Actor(o, output);
                    Span<float> a = actions.AsSpan(row * actDims, actDims);
                    if (continuous)
                    {
                        for (int d = 0; d < actDims; d++)
                        {
                            a[d] = (float)(output[d] + (Math.Exp(weights.LogStd[d]) * OrthogonalInit.Normal(sampler)));
                        }
                    }
                    else
                    {
                        a[0] = Categorical(output, sampler);
                    }

                    EnvStep step = envs[e].Step(a, nextObs.AsSpan(e * obsSize, obsSize));
                    globalStep++;
                    rawRewards[e] = step.Reward;
                    terminated[e] = step.Terminated;
                    episodeReturn[e] += step.Reward;
                    episodeLength[e]++;
                    if (step.Done)
                    {
                        episodes.Add(new EpisodeRecord(globalStep, episodeReturn[e], episodeLength[e]));
                        episodeReturn[e] = 0;
                        episodeLength[e] = 0;
                        envs[e].Reset(resets[e], nextObs.AsSpan(e * obsSize, obsSize));
                    }

                    nextDone[e] = step.Done ? 1f : 0f;
                }

                rewardScale?.Scale(rawRewards, terminated);
                for (int e = 0; e < n; e++)
                {
                    rewards[(t * n) + e] = rawRewards[e];
                }
            }

            using (NewDisposeScope())
            {
                Tensor bObs = tensor(obs, [batch, obsSize], dtype: float32);
                Tensor bActions = tensor(actions, [batch, actDims], dtype: float32);
                Tensor bValues;
                Tensor bLogProb;
                float[] values;
                float[] nextValues;
                using (no_grad())
                {
                    bValues = policy.Value(bObs);
                    bLogProb = policy.Evaluate(bObs, bActions).LogProb;
                    values = bValues.data<float>().ToArray();
                    nextValues = policy.Value(tensor(nextObs, [n, obsSize], dtype: float32)).data<float>().ToArray();
                }

                Gae(rewards, values, dones, nextValues, nextDone, n, steps, options.Gamma, options.Lambda, advantages, returns);
                Tensor bAdvantages = tensor(advantages, dtype: float32);
                Tensor bReturns = tensor(returns, dtype: float32);
                int mb = options.MinibatchSize;
                for (int i = 0; i < batch; i++)
                {
                    permutation[i] = i;
                }

                double klSum = 0;
                double clipSum = 0;
                int updates = 0;
                for (int epoch = 0; epoch < options.Epochs; epoch++)
                {
                    Shuffle(permutation, shuffler);
                    for (int start = 0; start < batch; start += mb)
                    {
                        using DisposeScope scope = NewDisposeScope();
                        Tensor idx = tensor(permutation.AsSpan(start, mb).ToArray(), dtype: int64);
                        Tensor mObs = bObs.index_select(0, idx);
                        (Tensor newLogProb, Tensor entropy) = policy.Evaluate(mObs, bActions.index_select(0, idx));
                        Tensor newValue = policy.Value(mObs);
                        Tensor logRatio = newLogProb - bLogProb.index_select(0, idx);
                        Tensor ratio = logRatio.exp();
                        using (no_grad())
                        {
                            Tensor ratioMinusOne = ratio.add(minusOne, one);
                            klSum += (ratioMinusOne - logRatio).mean().item<float>();
                            clipSum += ratioMinusOne.abs().gt(clip).to_type(ScalarType.Float32).mean().item<float>();
                        }

                        Tensor adv = bAdvantages.index_select(0, idx);
                        if (options.NormalizeAdvantages)
                        {
                            adv = (adv - adv.mean()) / adv.std().add(eps, one);
                        }

                        Tensor pgLoss = maximum(-adv * ratio, -adv * ratio.clamp(lowClip, highClip)).mean();
                        Tensor ret = bReturns.index_select(0, idx);
                        Tensor vLoss;
                        if (options.ClipValueLoss)
                        {
                            Tensor oldValue = bValues.index_select(0, idx);
                            Tensor unclipped = (newValue - ret).square();
                            Tensor clipped = (oldValue.add((newValue - oldValue).clamp(minusClip, clip), one) - ret).square();
                            vLoss = maximum(unclipped, clipped).mean().mul(half);
                        }
                        else
                        {
                            vLoss = (newValue - ret).square().mean().mul(half);
                        }

                        Tensor loss = (pgLoss - entropy.mean().mul(entropyCoef)).add(vLoss.mul(valueCoef), one);
                        optimizer.ZeroGrad();
                        loss.backward();
                        nn.utils.clip_grad_norm_(policy.Parameters, options.MaxGradNorm);
                        optimizer.Step(lr);
                        updates++;
                    }
                }

                lastKl = klSum / updates;
                lastClipFraction = clipSum / updates;
            }

            policy.CopyTo(weights);
            if (progress is not null && (iteration % progressEvery == 0 || iteration == iterations))
            {
                double sps = globalStep / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                progress(string.Create(CultureInfo.InvariantCulture,
                    $"step {globalStep}/{(long)iterations * batch}  episodes {episodes.Count}  last100 {Curves.LastMean(episodes, 100):F1}  lr {lr:E2}  kl {lastKl:E2}  clipfrac {lastClipFraction:F4}  {sps:F0} steps/s"));
            }
        }

        return new PpoResult(weights, episodes, globalStep, iterations, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Greedy evaluation: the argmax action (discrete) or the mean (Gaussian) over <paramref name="episodes"/> fresh
    /// episodes drawn from <paramref name="seed"/>. Returns each episode's return.
    /// </summary>
    public static double[] EvaluateGreedy(PolicyWeights policy, IRlEnvironment environment, int episodes, int seed)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(environment);
        var forward = new PolicyForward(policy);
        var random = new Random(seed);
        var observation = new float[environment.ObservationSize];
        var output = new float[policy.Actions];
        var action = new float[environment.ActionDims];
        var result = new double[episodes];
        for (int k = 0; k < episodes; k++)
        {
            environment.Reset(random, observation);
            double total = 0;
            while (true)
            {
                forward.Actor(observation, output);
                if (policy.Continuous)
                {
                    output.AsSpan(0, action.Length).CopyTo(action);
                }
                else
                {
                    action[0] = ArgMax(output);
                }

                EnvStep step = environment.Step(action, observation);
                total += step.Reward;
                if (step.Done)
                {
                    break;
                }
            }

            result[k] = total;
        }

        return result;
    }

    /// <summary>CleanRL's GAE: values[t+1] and dones[t+1] bootstrap step t; the last step uses the value and done of the next observation.</summary>
    internal static void Gae(double[] rewards, float[] values, float[] dones, float[] nextValues, float[] nextDone, int n, int steps, double gamma, double lambda, float[] advantages, float[] returns)
    {
        for (int e = 0; e < n; e++)
        {
            double last = 0;
            for (int t = steps - 1; t >= 0; t--)
            {
                int row = (t * n) + e;
                double nextNonTerminal;
                double nextValue;
                if (t == steps - 1)
                {
                    nextNonTerminal = 1.0 - nextDone[e];
                    nextValue = nextValues[e];
                }
                else
                {
                    nextNonTerminal = 1.0 - dones[row + n];
                    nextValue = values[row + n];
                }

                double delta = rewards[row] + (gamma * nextValue * nextNonTerminal) - values[row];
                last = delta + (gamma * lambda * nextNonTerminal * last);
                advantages[row] = (float)last;
                returns[row] = (float)(last + values[row]);
            }
        }
    }

    private static float Categorical(ReadOnlySpan<float> logits, Random random)
    {
        double max = double.NegativeInfinity;
        foreach (float l in logits)
        {
            max = Math.Max(max, l);
        }

        double sum = 0;
        foreach (float l in logits)
        {
            sum += Math.Exp(l - max);
        }

        double u = random.NextDouble() * sum;
        double acc = 0;
        for (int i = 0; i < logits.Length - 1; i++)
        {
            acc += Math.Exp(logits[i] - max);
            if (u < acc)
            {
                return i;
            }
        }

        return logits.Length - 1;
    }

    private static float ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static void Shuffle(long[] items, Random random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

/// <summary>
/// gymnasium 0.29's NormalizeReward over a vector of environments: the discounted return (its past dropped at a
/// termination step, never at a truncation) feeds a running variance whose square root divides each reward; the result
/// is clipped to ±10 as CleanRL does.
/// </summary>
internal sealed class RewardNormalizer
{
    private readonly double[] _returns;
    private readonly double _gamma;
    private double _mean;
    private double _var = 1;
    private double _count = 1e-4;

    public RewardNormalizer(int envs, double gamma)
    {
        _returns = new double[envs];
        _gamma = gamma;
    }

    public void Scale(double[] rewards, bool[] terminated)
    {
        int n = _returns.Length;
        double batchMean = 0;
        for (int e = 0; e < n; e++)
        {
            _returns[e] = (_returns[e] * _gamma * (terminated[e] ? 0 : 1)) + rewards[e];
            batchMean += _returns[e];
        }

        batchMean /= n;
        double batchVar = 0;
        for (int e = 0; e < n; e++)
        {
            batchVar += (_returns[e] - batchMean) * (_returns[e] - batchMean);
        }

        batchVar /= n;
        double delta = batchMean - _mean;
        double total = _count + n;
        _mean += delta * n / total;
        _var = ((_var * _count) + (batchVar * n) + (delta * delta * _count * n / total)) / total;
        _count = total;
        double scale = Math.Sqrt(_var + 1e-8);
        for (int e = 0; e < n; e++)
        {
            rewards[e] = Math.Clamp(rewards[e] / scale, -10, 10);
        }
    }
}
