using LowLatency.Host.Tests.Support;

namespace LowLatency.Host.Tests.Cli;

/// <summary>How <c>run --cluster</c> refuses what it cannot do: one line each, the exit code, no password, no stack trace.</summary>
public sealed class ClusterCliTests
{
    private static (int Exit, string Out, string Err) Invoke(params string[] args) => CliRun.Invoke(args);

    [Theory]
    [InlineData("--cluster", "nats://127.0.0.1:4222")]
    [InlineData("--node", "a")]
    public void The_server_and_the_node_name_go_together(string flag, string value)
    {
        using var folder = new TempFolder();
        (int exit, _, string error) = Invoke("run", flag, value, "--no-db", "--no-dashboard", "--log", folder.File("a.log"));
        Assert.Equal(2, exit);
        Assert.Contains("--cluster and --node go together", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--node", "a b", "node: must be 1-32 characters")]
    [InlineData("--cluster", "http://127.0.0.1:4222", "is not a nats://host:port URL")]
    [InlineData("--replay", "capture.bin", "--cluster: not with --replay")]
    public void A_cluster_run_it_cannot_do_is_a_configuration_error_naming_why(string flag, string value, string says)
    {
        using var folder = new TempFolder();
        string[] args = flag switch
        {
            "--node" => ["run", "--cluster", "nats://127.0.0.1:4222", "--node", value],
            "--cluster" => ["run", "--cluster", value, "--node", "a"],
            _ => ["run", "--cluster", "nats://127.0.0.1:4222", "--node", "a", flag, value, "--execute"],
        };
        (int exit, _, string error) = Invoke([.. args, "--no-db", "--no-dashboard", "--log", folder.File("a.log")]);
        Assert.Equal(2, exit);
        Assert.Contains(says, error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_account_lease_outside_one_to_600_seconds_is_refused_with_its_path_before_anything_joins()
    {
        using var folder = new TempFolder();
        string config = folder.File("lease.json");
        File.WriteAllText(config, """{ "cluster": { "accountLeaseSeconds": 0.5 } }""");
        (int exit, string output, string error) = Invoke("run", "--mode", "paper", "--config", config, "--cluster", "nats://127.0.0.1:1", "--node", "a",
            "--duration", "1s", "--no-db", "--no-dashboard", "--log", folder.File("a.log"));
        Assert.Equal(2, exit);
        Assert.Contains("cluster.accountLeaseSeconds: 0.5 must be 1 to 600 seconds", error, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot join", error, StringComparison.Ordinal);
        Assert.DoesNotContain("paper trading on", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_it_cannot_reach_refuses_the_start_in_one_line_without_the_urls_password()
    {
        using var folder = new TempFolder();
        (int exit, string output, string error) = Invoke("run", "--mode", "paper", "--cluster", "nats://trader:s3cretpw@127.0.0.1:1", "--node", "a",
            "--duration", "1s", "--no-db", "--no-dashboard", "--log", folder.File("a.log"));
        Assert.Equal(1, exit);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("run: cluster: cannot join nats://127.0.0.1:1 as a: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cretpw", error + output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("paper trading on", output, StringComparison.Ordinal); // the engine never started
    }
}
