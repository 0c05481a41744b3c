namespace LowLatency.Ml.Rl;

/// <summary>PPO settings; the defaults are CleanRL ppo.py's (CartPole-v1).</summary>
public sealed record PpoOptions
{
    public int Seed { get; init; } = 1;

    public long TotalSteps { get; init; } = 500_000;

    public int Envs { get; init; } = 4;

    public int StepsPerEnv { get; init; } = 128;

    public int Minibatches { get; init; } = 4;

    public int Epochs { get; init; } = 4;

    public double LearningRate { get; init; } = 2.5e-4;

    public bool AnnealLearningRate { get; init; } = true;

    public double Gamma { get; init; } = 0.99;

    public double Lambda { get; init; } = 0.95;

    public double Clip { get; init; } = 0.2;

    public bool ClipValueLoss { get; init; } = true;

    public double EntropyCoef { get; init; } = 0.01;

    public double ValueCoef { get; init; } = 0.5;

    public double MaxGradNorm { get; init; } = 0.5;

    public bool NormalizeAdvantages { get; init; } = true;

    /// <summary>Scale rewards by a running standard deviation of the discounted return (gymnasium's NormalizeReward), clipped to ±10.</summary>
    public bool NormalizeRewards { get; init; }

    public int Hidden { get; init; } = 64;

    /// <summary>
    /// Weights to start from instead of the seed's orthogonal initialisation (online learning continues a trained
    /// policy); copied, never changed. Its shape must be the environment's policy shape.
    /// </summary>
    public PolicyWeights? InitialWeights { get; init; }

    /// <summary>Greedy (argmax / mean) evaluation episodes after training.</summary>
    public int EvalEpisodes { get; init; } = 100;

    /// <summary>The most steps one run may ask for (a billion: far past any benchmark, and the iteration count stays an int).</summary>
    public const long MaxTotalSteps = 1_000_000_000;

    public int BatchSize => Envs * StepsPerEnv;

    public int MinibatchSize => BatchSize / Minibatches;

    public int Iterations => (int)(TotalSteps / BatchSize);

    /// <summary>CleanRL ppo.py's defaults: 4 envs × 128 steps, 4 minibatches, 4 epochs, lr 2.5e-4 annealed, γ 0.99, λ 0.95, clip 0.2, entropy 0.01.</summary>
    public static PpoOptions CartPole(int seed, long steps = 500_000) => new() { Seed = seed, TotalSteps = steps };

    /// <summary>
    /// Pendulum-v1: the RL zoo's PPO settings without gSDE (4 envs × 1024 steps, 10 epochs, minibatch 64, lr 1e-3, γ 0.9,
    /// λ 0.95, no entropy bonus) with rewards normalised as CleanRL's continuous PPO does.
    /// </summary>
    public static PpoOptions Pendulum(int seed, long steps = 200_000) => new()
    {
        Seed = seed,
        TotalSteps = steps,
        Envs = 4,
        StepsPerEnv = 1024,
        Minibatches = 64,
        Epochs = 10,
        LearningRate = 1e-3,
        Gamma = 0.9,
        Lambda = 0.95,
        EntropyCoef = 0.0,
        NormalizeRewards = true,
    };

    /// <summary>A problem with these settings, or null.</summary>
    public string? Validate()
    {
        if (Envs < 1 || StepsPerEnv < 1 || Minibatches < 1 || Epochs < 1)
        {
            return "envs, steps per env, minibatches and epochs must be at least 1";
        }

        if (BatchSize % Minibatches != 0)
        {
            return $"the batch ({BatchSize}) must divide into {Minibatches} minibatches";
        }

        if (TotalSteps > MaxTotalSteps)
        {
            return $"--steps: {TotalSteps} is more than {MaxTotalSteps}";
        }

        if (TotalSteps < BatchSize)
        {
            return $"--steps: {TotalSteps} is less than one batch ({BatchSize} = {Envs} envs × {StepsPerEnv} steps)";
        }

        return null;
    }
}
