using System.CommandLine;
using LowLatency.Ml.Cli;

namespace LowLatency.Host.Cli;

/// <summary><c>agents [--models DIR] [--data DIR] [--no-ai]</c>: the ensemble's shadow replay on held-out data; see <see cref="AgentsCommand.Shadow"/>.</summary>
internal static class AgentsVerb
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var models = new Option<string>("--models") { Description = "folder of agent_N.policy.bin and manifests", DefaultValueFactory = _ => Path.Combine("models", "multi_agent_rl") };
        var data = new Option<string?>("--data") { Description = "shared data folder (default: $LL_SHARED_DATA or ../shared/data)" };
        var noAi = new Option<bool>("--no-ai") { Description = "rules only (also ENABLE_RL_AGENTS=false)" };
        var command = new Command("agents", "replay the held-out data through the five agents and the risk gate: shadow mode unless an agent beat its baseline") { models, data, noAi };
        command.SetAction(parse => AgentsCommand.Shadow(
            parse.GetValue(models) ?? Path.Combine("models", "multi_agent_rl"), parse.GetValue(data) ?? TrainVerb.DefaultDataRoot(),
            AgentEnsemble(parse.GetValue(noAi), environment("ENABLE_RL_AGENTS")), stdout, stderr));
        return command;
    }

    private static bool AgentEnsemble(bool noAi, string? enable) => LowLatency.Ml.Agents.AgentEnsemble.Enabled(noAi, enable);
}
