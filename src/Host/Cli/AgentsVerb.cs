using System.CommandLine;
using LowLatency.Ml.Cli;

namespace LowLatency.Host.Cli;

/// <summary><c>agents [--models DIR] [--data DIR] [--no-ai] [--online-learning]</c>: the ensemble's shadow replay on held-out data; see <see cref="AgentsCommand.Shadow"/>.</summary>
internal static class AgentsVerb
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var models = new Option<string>("--models") { Description = "folder of agent_N.policy.bin and manifests", DefaultValueFactory = _ => Path.Combine("models", "multi_agent_rl") };
        var data = new Option<string?>("--data") { Description = "shared data folder (default: $LL_SHARED_DATA or ../shared/data)" };
        var noAi = new Option<bool>("--no-ai") { Description = "rules only (also ENABLE_RL_AGENTS=false)" };
        var online = new Option<bool>("--online-learning") { Description = "fine-tune each active agent with PPO as the replay goes, on its data up to each step (off by default)" };
        var onlineSteps = new Option<long>("--online-steps") { Description = "with --online-learning: PPO steps per update", DefaultValueFactory = _ => new LowLatency.Ml.Agents.OnlineLearning().Steps };
        var onlineRate = new Option<double>("--online-lr") { Description = "with --online-learning: the updates' learning rate (annealed within each)", DefaultValueFactory = _ => new LowLatency.Ml.Agents.OnlineLearning().LearningRate };
        var command = new Command("agents", "replay the held-out data through the five agents and the risk gate: shadow mode unless an agent beat its baseline") { models, data, noAi, online, onlineSteps, onlineRate };
        command.SetAction(parse => AgentsCommand.Shadow(
            parse.GetValue(models) ?? Path.Combine("models", "multi_agent_rl"), parse.GetValue(data) ?? TrainVerb.DefaultDataRoot(),
            AgentEnsemble(parse.GetValue(noAi), environment("ENABLE_RL_AGENTS")), stdout, stderr, parse.GetValue(online) ? new LowLatency.Ml.Agents.OnlineLearning { Steps = parse.GetValue(onlineSteps), LearningRate = parse.GetValue(onlineRate) } : null));
        return command;
    }

    private static bool AgentEnsemble(bool noAi, string? enable) => LowLatency.Ml.Agents.AgentEnsemble.Enabled(noAi, enable);
}
