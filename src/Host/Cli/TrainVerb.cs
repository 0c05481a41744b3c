using System.CommandLine;
using LowLatency.Ml.Cli;

namespace LowLatency.Host.Cli;

/// <summary><c>train --all | --predictive | --slippage [--data DIR] [--out models/] [--seed N] [--epochs N] [--quick]</c>, or <c>train --rl --env cartpole|pendulum [--seed N] [--steps N] [--json]</c>: see <see cref="TrainCommand"/>.</summary>
internal static class TrainVerb
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var all = new Option<bool>("--all") { Description = "train every model: the scorer, the slippage predictor and the five market agents (with their walk-forward)" };
        var predictive = new Option<bool>("--predictive") { Description = "train the Transformer+GRU opportunity scorer" };
        var slippage = new Option<bool>("--slippage") { Description = "train the LightGBM slippage predictor" };
        var data = new Option<string?>("--data") { Description = "shared data folder (default: $LL_SHARED_DATA or ../shared/data)" };
        var output = new Option<string>("--out") { Description = "output folder", DefaultValueFactory = _ => "models" };
        var seed = new Option<int>("--seed") { Description = "random seed (same seed, same weights)", DefaultValueFactory = _ => 7 };
        var epochs = new Option<int>("--epochs") { Description = "most epochs (early stopping may end sooner)", DefaultValueFactory = _ => 40 };
        var quick = new Option<bool>("--quick") { Description = "a seconds-long smoke run with a tiny model" };
        var rl = new Option<bool>("--rl") { Description = "train our PPO on a benchmark (--env cartpole|pendulum); writes curves and results under OUT/rl" };
        var rlEnv = new Option<string?>("--env") { Description = "with --rl: cartpole (default) | pendulum" };
        var rlSteps = new Option<long>("--steps") { Description = "with --rl: environment steps (default: cartpole 500000, pendulum 200000)" };
        var json = new Option<bool>("--json") { Description = "with --rl: end with one JSON line of the figures" };
        var agents = new Option<string?>("--agents") { Description = "with --rl: train the market agents (e.g. 1,3; alone: all five) into OUT/multi_agent_rl", Arity = ArgumentArity.ZeroOrOne };
        var walkForward = new Option<int>("--walk-forward") { Description = "with --rl --agents: judge the trained agents walk-forward over N folds (a policy trained from scratch per fold) instead of training them" };
        var command = new Command("train", "train the models and judge them out of sample against their baselines") { all, predictive, slippage, data, output, seed, epochs, quick, rl, rlEnv, rlSteps, json, agents, walkForward };
        command.SetAction(parse => TrainCommand.Run(new TrainRequest
        {
            Predictive = parse.GetValue(all) || parse.GetValue(predictive),
            Slippage = parse.GetValue(all) || parse.GetValue(slippage),
            AllAgents = parse.GetValue(all),
            DataRoot = parse.GetValue(data) ?? DefaultDataRoot(),
            OutFolder = parse.GetValue(output) ?? "models",
            Seed = parse.GetValue(seed),
            MaxEpochs = parse.GetValue(epochs),
            Quick = parse.GetValue(quick),
            Rl = parse.GetValue(rl),
            RlEnv = parse.GetValue(rlEnv),
            RlSteps = parse.GetValue(rlSteps),
            Json = parse.GetValue(json),
            Agents = parse.GetResult(agents) is null ? null : parse.GetValue(agents) ?? string.Empty,
            WalkForward = parse.GetValue(walkForward),
        }, stdout, stderr));
        return command;
    }

    internal static string DefaultDataRoot() =>
        Environment.GetEnvironmentVariable("LL_SHARED_DATA") is { Length: > 0 } root ? root : Path.Combine("..", "shared", "data");
}
