using LowLatency.Host.Cli;
using LowLatency.Testing;

namespace LowLatency.Host.Tests.Cli;

/// <summary><c>agents</c>: the shadow replay of the committed agents, the off switch, and clear refusals.</summary>
public sealed class AgentsVerbTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.BuildRoot(stdout, stderr).Parse(args).Invoke();
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Missing_models_or_data_are_one_line_and_no_stack_trace()
    {
        (int exit, _, string err) = Run("agents", "--models", "/no/such/models", "--data", SharedData.Root);
        Assert.Equal(1, exit);
        Assert.StartsWith("agents: agent 1: ", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        (exit, _, err) = Run("agents", "--data", "/no/such/data");
        Assert.Equal(2, exit);
        Assert.Equal("agents: --data: no such folder '/no/such/data'", err.Trim());
    }

    [Fact]
    public void No_ai_replays_the_committed_agents_with_the_rules_only()
    {
        (int exit, string output, string err) = Run("agents", "--no-ai", "--models", Path.Combine(SharedData.RepoRoot, "models", "multi_agent_rl"), "--data", SharedData.Root);
        Assert.True(exit == 0, err);
        Assert.Contains("agents off (--no-ai or ENABLE_RL_AGENTS=false): the rules decide and act", output, StringComparison.Ordinal);
        Assert.Contains("agent 2 cross-chain: off, 0 decisions", output, StringComparison.Ordinal);
        Assert.Contains("acted (through the risk gate: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void With_agents_on_the_active_agent_is_held_to_its_evaluation_and_says_what_its_detector_saw()
    {
        (int exit, string output, string err) = Run("agents", "--models", Path.Combine(SharedData.RepoRoot, "models", "multi_agent_rl"), "--data", SharedData.Root);
        Assert.True(exit == 0, err);
        Assert.Contains("agent 2 cross-chain: active, ", output, StringComparison.Ordinal);
        Assert.Contains("agent 2: held to its evaluation, no drift: win rate ", output, StringComparison.Ordinal);
        Assert.Contains("(evaluated 84.6 %)", output, StringComparison.Ordinal); // the manifest's test win rate
        Assert.DoesNotContain("back to shadow", output, StringComparison.Ordinal);
    }
}
