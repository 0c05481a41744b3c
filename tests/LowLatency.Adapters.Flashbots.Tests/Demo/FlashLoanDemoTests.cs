using System.Diagnostics;
using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Flashbots.Demo;
using LowLatency.Testing;
using Xunit.Abstractions;

namespace LowLatency.Adapters.Flashbots.Tests.Demo;

[Trait("Category", "Slow")]
public sealed class FlashLoanDemoTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_demo_prints_each_stage_exits_0_when_included_with_profit_and_Aave_repaid_and_leaves_no_process()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int anvilPid = 0;

        int exit = await FlashLoanDemo.RunAsync(SharedData.RepoRoot, stdout, stderr, pid => anvilPid = pid);

        output.WriteLine(stdout.ToString());
        output.WriteLine(stderr.ToString());
        Assert.Equal(0, exit);
        string[] lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] stages = [.. lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("stage").GetString() ?? "")];
        Assert.Equal(new[] { "deployed", "detected", "simulated", "sent", "included" }, stages);
        using JsonDocument simulated = JsonDocument.Parse(lines[2]);
        Assert.True(simulated.RootElement.GetProperty("ok").GetBoolean());
        using JsonDocument included = JsonDocument.Parse(lines[4]);
        Assert.True(included.RootElement.GetProperty("aaveRepaid").GetBoolean());
        Assert.True(UInt256.Parse(included.RootElement.GetProperty("profitWei").GetString()!) > UInt256.Zero);
        Assert.True(UInt256.Parse(included.RootElement.GetProperty("builderPaymentWei").GetString()!) > UInt256.Zero);
        using JsonDocument sent = JsonDocument.Parse(lines[3]);
        Assert.Equal(sent.RootElement.GetProperty("targetBlock").GetUInt64(), included.RootElement.GetProperty("block").GetUInt64());
        Assert.False(SecretRedaction.ContainsSecret(stdout.ToString() + stderr.ToString()));

        Assert.NotEqual(0, anvilPid);
        Assert.True(IsGone(anvilPid), "anvil " + anvilPid + " is still running");
    }

    private static bool IsGone(int pid)
    {
        try
        {
            using Process p = Process.GetProcessById(pid);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
