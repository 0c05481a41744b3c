using System.Text.Json;
using LowLatency.Ml.Cli;
using LowLatency.Ml.Rl;

namespace LowLatency.Ml.Tests.Rl;

/// <summary>PPO: GAE by hand, determinism, a short learning check, the CLI; one full CartPole seed as a slow test.</summary>
public sealed class PpoTests
{
    [Fact]
    public void Gae_matches_the_recursion_written_out_and_stops_at_episode_starts()
    {
        // One env, 3 steps; obs[2] starts a new episode (dones[2] = 1), so step 1 does not bootstrap from it.
        double[] rewards = [1, 2, 3];
        float[] values = [0.5f, 0.25f, 1f];
        float[] dones = [0, 0, 1];
        float[] nextValue = [2f];
        float[] nextDone = [0];
        var adv = new float[3];
        var ret = new float[3];
        const double g = 0.9, l = 0.8;
        PpoTrainer.Gae(rewards, values, dones, nextValue, nextDone, 1, 3, g, l, adv, ret);
        double d2 = 3 + (g * 2) - 1;
        double a2 = d2;
        double d1 = 2 - 0.25; // next obs starts a new episode: no bootstrap, no carry
        double a1 = d1;
        double d0 = 1 + (g * 0.25) - 0.5;
        double a0 = d0 + (g * l * a1);
        Assert.Equal(a2, adv[2], 5);
        Assert.Equal(a1, adv[1], 5);
        Assert.Equal(a0, adv[0], 5);
        Assert.Equal(a0 + 0.5, ret[0], 5);
    }

    [Fact]
    public void Gae_interleaves_envs_row_major_by_step()
    {
        // Two envs, two steps: rows (t0,e0) (t0,e1) (t1,e0) (t1,e1); env 1 ends at the last step.
        double[] rewards = [1, 10, 1, 10];
        float[] values = [0, 0, 0, 0];
        float[] dones = [0, 0, 0, 0];
        var adv = new float[4];
        var ret = new float[4];
        PpoTrainer.Gae(rewards, values, dones, [1f, 100f], [0f, 1f], 2, 2, 0.5, 1.0, adv, ret);
        Assert.Equal(1 + (0.5 * 1), adv[2], 5);
        Assert.Equal(10, adv[3], 5); // done: the next value (100) is not used
        Assert.Equal(1 + (0.5 * adv[2]), adv[0], 5);
        Assert.Equal(10 + (0.5 * 10), adv[1], 5);
    }

    private static PpoOptions Small(int seed, bool continuous) => continuous
        ? PpoOptions.Pendulum(seed, 2 * 4 * 64) with { StepsPerEnv = 64, Minibatches = 4, Epochs = 2 }
        : PpoOptions.CartPole(seed, 3 * 512);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Two_runs_with_one_seed_give_identical_weights_and_another_seed_differs(bool continuous)
    {
        TorchFixture.Ensure();
        Func<IRlEnvironment> make = continuous ? () => new Pendulum() : () => new CartPole();
        PpoResult a = PpoTrainer.Train(make, Small(3, continuous));
        PpoResult b = PpoTrainer.Train(make, Small(3, continuous));
        PpoResult c = PpoTrainer.Train(make, Small(4, continuous));
        float[][] wa = [.. a.Policy.Tensors().Select(t => t.Values)];
        float[][] wb = [.. b.Policy.Tensors().Select(t => t.Values)];
        float[][] wc = [.. c.Policy.Tensors().Select(t => t.Values)];
        Assert.Equal(wa, wb);
        Assert.Equal(a.Episodes, b.Episodes);
        Assert.NotEqual(wa, wc);
        var init = new PolicyWeights(a.Policy.Observations, a.Policy.Actions, continuous);
        OrthogonalInit.Initialize(init, 3);
        Assert.NotEqual(init.Actor.Weights[0], a.Policy.Actor.Weights[0]); // it trained
    }

    [Fact]
    public void Short_cartpole_run_learns_far_beyond_random()
    {
        // Seed 1, 40 iterations (20,480 steps): 68 here; a random policy averages ~22 steps. The margin covers other CPUs' float rounding.
        TorchFixture.Ensure();
        PpoResult r = PpoTrainer.Train(() => new CartPole(), PpoOptions.CartPole(1, 40 * 512));
        Assert.Equal(40 * 512, r.Steps);
        double firstMean = r.Episodes.Take(50).Average(e => e.Return);
        Assert.True(firstMean < 40, $"first 50 episodes {firstMean}");
        Assert.True(r.Last100 > 50, $"last100 {r.Last100}");
    }

    [Fact]
    public void Rolling_mean_and_first_reach()
    {
        var episodes = new List<EpisodeRecord>();
        for (int i = 0; i < 150; i++)
        {
            episodes.Add(new EpisodeRecord((i + 1) * 10, i < 100 ? 400 : 500, 1));
        }

        // Mean of the last 100 reaches 475 once 75 of them are 500: episode index 174 would be; here at 150 it is 450.
        Assert.Null(Curves.FirstReach(episodes, 100, 475));
        Assert.Equal(450, Curves.LastMean(episodes, 100), 9);
        for (int i = 150; i < 200; i++)
        {
            episodes.Add(new EpisodeRecord((i + 1) * 10, 500, 1));
        }

        Assert.Equal(1750, Curves.FirstReach(episodes, 100, 475)); // the 175th episode: 25 × 400 + 75 × 500
        Assert.True(double.IsNaN(Curves.Rolling(episodes, 100).Means[98]));
        Assert.True(double.IsNaN(Curves.LastMean([], 100)));
    }

    private static (int Exit, string Out, string Err) Train(TrainRequest request)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = TrainCommand.Run(request, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Train_rl_prints_progress_and_ends_with_the_json_figures_and_writes_the_curve()
    {
        TorchFixture.Ensure();
        string folder = Path.Combine(Path.GetTempPath(), "ll-rl-" + Guid.NewGuid().ToString("N"));
        try
        {
            (int exit, string output, string error) = Train(new TrainRequest { Rl = true, RlEnv = "cartpole", Seed = 2, RlSteps = 20 * 512, Json = true, OutFolder = folder });
            Assert.True(exit == 0, error);
            string[] lines = output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
            Assert.Contains(lines, l => l.StartsWith("step 10240/10240", StringComparison.Ordinal));
            using JsonDocument doc = JsonDocument.Parse(lines[^1]);
            JsonElement root = doc.RootElement;
            Assert.Equal(["env", "seed", "steps", "last100", "greedy100"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal("cartpole", root.GetProperty("env").GetString());
            Assert.Equal(2, root.GetProperty("seed").GetInt32());
            Assert.Equal(10240, root.GetProperty("steps").GetInt64());
            Assert.InRange(root.GetProperty("last100").GetDouble(), 9, 500);
            Assert.InRange(root.GetProperty("greedy100").GetDouble(), 8, 500);
            string png = Path.Combine(folder, "rl", "cartpole.seed2.png");
            Assert.True(new FileInfo(png).Length > 10_000);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png).Take(4));
            PolicyWeights policy = PolicyFile.Read(Path.Combine(folder, "rl", "cartpole.seed2.policy.bin"));
            Assert.Equal(2, policy.Actions);
            using JsonDocument results = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "rl", "cartpole.seed2.json")));
            Assert.Equal(490, results.RootElement.GetProperty("reference").GetDouble());
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("mountaincar", 0, "train: --env: 'mountaincar' is not cartpole or pendulum")]
    [InlineData("cartpole", 100, "train: --steps: 100 is less than one batch (512 = 4 envs × 128 steps)")]
    [InlineData("pendulum", -5, "train: --steps: -5 must be positive")]
    [InlineData("cartpole", 1_000_000_001, "train: --steps: 1000000001 is more than 1000000000")]
    public void Train_rl_usage_errors_are_one_line_and_exit_2(string env, long steps, string expected)
    {
        (int exit, string output, string error) = Train(new TrainRequest { Rl = true, RlEnv = env, RlSteps = steps, OutFolder = Path.GetTempPath() });
        Assert.Equal(2, exit);
        Assert.Equal(expected + "\n", error.ReplaceLineEndings("\n"));
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public void Rl_options_without_rl_are_a_usage_error()
    {
        (int exit, _, string error) = Train(new TrainRequest { Predictive = true, RlEnv = "pendulum", DataRoot = Path.GetTempPath() });
        Assert.Equal(2, exit);
        Assert.Equal("train: --env, --steps and --json go with --rl\n", error.ReplaceLineEndings("\n"));
        Assert.Equal(2, Train(new TrainRequest { Slippage = true, Json = true, DataRoot = Path.GetTempPath() }).Exit);
    }

    [Fact]
    public void Summary_json_writes_null_for_a_figure_that_does_not_exist()
    {
        string line = RlRun.SummaryJson(new RlReport("cartpole", 1, 512, double.NaN, 9.5, null, 0, 1));
        Assert.Equal("{\"env\":\"cartpole\",\"seed\":1,\"steps\":512,\"last100\":null,\"greedy100\":9.5}", line);
    }
}

/// <summary>The full CleanRL CartPole check on one seed: about a minute of one core (10 min on the loaded 2-core box).</summary>
public sealed class PpoCartPoleSlowTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void CartPole_seed_1_with_CleanRL_defaults_meets_the_published_bar()
    {
        TorchFixture.Ensure();
        PpoResult r = PpoTrainer.Train(() => new CartPole(), PpoOptions.CartPole(1));
        Assert.Equal(976 * 512, r.Steps);
        Assert.True(r.Last100 >= 475, $"last100 {r.Last100}");
        long? reach = Curves.FirstReach(r.Episodes, 100, 475);
        Assert.True(reach is <= 350_000, $"rolling mean ≥ 475 first at {reach?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "never"}");
        double[] greedy = PpoTrainer.EvaluateGreedy(r.Policy, new CartPole(), 100, 1 + RlRun.EvalSeedOffset);
        Assert.True(greedy.Average() >= 495, $"greedy100 {greedy.Average()}");
    }
}
