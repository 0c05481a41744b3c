using LowLatency.Ml.Rl;
using LowLatency.Testing;

namespace LowLatency.Ml.Tests.Rl;

/// <summary>The policies committed in models/rl do what their results say, through both of our forward passes.</summary>
public sealed class CommittedPolicyTests
{
    private static PolicyWeights Load(string name) => PolicyFile.Read(Path.Combine(SharedData.RepoRoot, "models", "rl", name));

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void CartPole_policy_balances_for_500_steps_with_the_SIMD_pass(int seed)
    {
        PolicyWeights policy = Load($"cartpole.seed{seed}.policy.bin");
        Assert.False(policy.Continuous);
        var simd = new PolicySimd(policy);
        var scalar = new PolicyForward(policy);
        var env = new CartPole();
        var random = new Random(42);
        var obs = new float[4];
        var logits = new float[2];
        var scalarLogits = new float[2];
        for (int episode = 0; episode < 5; episode++)
        {
            env.Reset(random, obs);
            EnvStep step;
            do
            {
                int action = simd.Greedy(obs, logits);
                scalar.Actor(obs, scalarLogits);
                Assert.True(Math.Abs(logits[0] - scalarLogits[0]) <= 1e-5 && Math.Abs(logits[1] - scalarLogits[1]) <= 1e-5);
                step = env.Step([action], obs);
            }
            while (!step.Done);

            Assert.True(step.Truncated, $"episode {episode} fell after {env.Steps} steps");
            Assert.Equal(500, env.Steps);
        }
    }

    [Fact]
    public void Pendulum_policy_beats_minus_250_on_average_deterministically()
    {
        PolicyWeights policy = Load("pendulum.seed1.policy.bin");
        Assert.True(policy.Continuous);
        double[] returns = PpoTrainer.EvaluateGreedy(policy, new Pendulum(), 20, 42);
        Assert.True(returns.Average() >= -250, $"mean {returns.Average()}");
    }
}

/// <summary>gymnasium's NormalizeReward, by hand.</summary>
public sealed class RewardNormalizerTests
{
    [Fact]
    public void Reward_normaliser_divides_by_the_running_std_of_the_discounted_return()
    {
        var norm = new RewardNormalizer(1, 0.5);
        double[] r = [2];
        norm.Scale(r, [false]);
        // One sample: returns 2, batch mean 2, var 0; count 1e-4 → 1e-4 + 1; var = (1·1e-4 + 0 + 4·1e-4·1/(1+1e-4)) / (1+1e-4).
        double total = 1 + 1e-4;
        double var1 = ((1 * 1e-4) + (4 * 1e-4 / total)) / total;
        Assert.True(2 / Math.Sqrt(var1 + 1e-8) > 10);
        Assert.Equal(10, r[0]); // clipped at 10
        r = [1];
        norm.Scale(r, [true]); // termination: the past return (2) is dropped, the return is the reward alone
        double mean1 = 2 / total;
        double delta = 1 - mean1;
        double total2 = total + 1;
        double var2 = ((var1 * total) + 0 + (delta * delta * total / total2)) / total2;
        Assert.Equal(1 / Math.Sqrt(var2 + 1e-8), r[0], 9);
    }
}
