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
    public void Live_mode_with_a_chain_naming_an_executor_is_refused_until_the_engine_leases_the_trading_account()
    {
        using var folder = new TempFolder();
        string config = folder.File("live.json");
        File.WriteAllText(config, """
            {
              "marketData": "live",
              "venues": { "bybit": { "wsUrl": "wss://127.0.0.1:1/ws", "orderUrl": "https://127.0.0.1:1", "symbols": ["BTCUSDT"] } },
              "chains": {
                "ethereum": {
                  "chainId": 1, "rpcUrlVariable": "ETH_RPC_URL", "blockTimeMs": 12000, "nativeToken": "ETH",
                  "tokens": {
                    "WETH": { "address": "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", "decimals": 18 },
                    "USDC": { "address": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "decimals": 6, "usdPrice": 1 }
                  },
                  "pools": [
                    { "kind": "v2", "address": "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc", "token0": "USDC", "token1": "WETH", "fee": 30 },
                    { "kind": "v3", "address": "0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640", "token0": "USDC", "token1": "WETH", "fee": 500 }
                  ],
                  "aavePool": "0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2",
                  "executor": "0x1111111111111111111111111111111111111111"
                }
              }
            }
            """);
        (int exit, _, string error) = Invoke("run", "--live", "--execute", "--config", config, "--cluster", "nats://127.0.0.1:4222", "--node", "a",
            "--no-db", "--no-dashboard", "--log", folder.File("a.log"));
        Assert.Equal(2, exit);
        Assert.Contains("--cluster: live mode with a chain naming an executor is refused in this build", error, StringComparison.Ordinal);
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
