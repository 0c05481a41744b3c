namespace LowLatency.Ml.Rl;

/// <summary>
/// One multilayer perceptron: tanh between layers, none after the last. Layer k maps <c>Sizes[k]</c> inputs to
/// <c>Sizes[k + 1]</c> outputs with weights row-major [out, in], as <c>torch.nn.Linear</c> stores them.
/// </summary>
public sealed class Mlp
{
    public Mlp(params int[] sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length < 2)
        {
            throw new ArgumentException("an MLP needs at least an input and an output size", nameof(sizes));
        }

        Sizes = sizes;
        Weights = new float[sizes.Length - 1][];
        Biases = new float[sizes.Length - 1][];
        for (int k = 0; k < sizes.Length - 1; k++)
        {
            Weights[k] = new float[sizes[k + 1] * sizes[k]];
            Biases[k] = new float[sizes[k + 1]];
        }
    }

    public int[] Sizes { get; }

    public float[][] Weights { get; }

    public float[][] Biases { get; }

    public int Layers => Sizes.Length - 1;

    public int Inputs => Sizes[0];

    public int Outputs => Sizes[^1];

    /// <summary>The widest layer (scratch size of a forward pass).</summary>
    public int Widest
    {
        get
        {
            int widest = 0;
            foreach (int s in Sizes)
            {
                widest = Math.Max(widest, s);
            }

            return widest;
        }
    }

    public void CopyTo(Mlp other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int k = 0; k < Layers; k++)
        {
            Weights[k].CopyTo(other.Weights[k], 0);
            Biases[k].CopyTo(other.Biases[k], 0);
        }
    }
}

/// <summary>
/// An actor-critic policy as CleanRL builds it: separate actor and critic MLPs over the same observation. Discrete: the
/// actor outputs one logit per action. Gaussian: the actor outputs the mean and a state-independent log standard
/// deviation (<see cref="LogStd"/>) is a parameter of its own.
/// </summary>
public sealed class PolicyWeights
{
    public PolicyWeights(int observations, int actions, bool continuous, int hidden = 64, int hiddenLayers = 2)
    {
        if (observations < 1 || actions < 1 || hidden < 1 || hiddenLayers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(observations), "sizes must be positive");
        }

        var actor = new int[hiddenLayers + 2];
        var critic = new int[hiddenLayers + 2];
        actor[0] = critic[0] = observations;
        for (int k = 1; k <= hiddenLayers; k++)
        {
            actor[k] = critic[k] = hidden;
        }

        actor[^1] = actions;
        critic[^1] = 1;
        Actor = new Mlp(actor);
        Critic = new Mlp(critic);
        Continuous = continuous;
        LogStd = continuous ? new float[actions] : [];
    }

    public Mlp Actor { get; }

    public Mlp Critic { get; }

    public bool Continuous { get; }

    /// <summary>Per-dimension log σ of the Gaussian policy (empty for a discrete one).</summary>
    public float[] LogStd { get; }

    public int Observations => Actor.Inputs;

    /// <summary>Discrete: the number of actions; continuous: the action dimensions.</summary>
    public int Actions => Actor.Outputs;

    public void CopyTo(PolicyWeights other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Actor.CopyTo(other.Actor);
        Critic.CopyTo(other.Critic);
        LogStd.CopyTo(other.LogStd, 0);
    }

    /// <summary>Every parameter in a fixed order (actor layers, critic layers, log σ): files, parity and determinism checks.</summary>
    public IEnumerable<(string Name, float[] Values)> Tensors()
    {
        for (int k = 0; k < Actor.Layers; k++)
        {
            yield return ($"actor.{k}.weight", Actor.Weights[k]);
            yield return ($"actor.{k}.bias", Actor.Biases[k]);
        }

        for (int k = 0; k < Critic.Layers; k++)
        {
            yield return ($"critic.{k}.weight", Critic.Weights[k]);
            yield return ($"critic.{k}.bias", Critic.Biases[k]);
        }

        if (Continuous)
        {
            yield return ("logstd", LogStd);
        }
    }
}
