using LowLatency.Host.Configuration;

namespace LowLatency.Host.Tests.Configuration;

/// <summary>The chains section: five valid defaults, every bad value named by its path, RPC URLs checked but never echoed.</summary>
public sealed class ChainOptionsTests
{
    private static string? NoEnvironment(string name) => null;

    private static string Write(string json)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void The_five_default_chains_are_valid_and_distinct()
    {
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(null, NoEnvironment);
        Assert.Empty(errors);
        Assert.Equal(["arbitrum", "base", "ethereum", "optimism", "polygon"], options.Chains.Keys.Order());
        Assert.Equal(new ulong[] { 1, 10, 137, 8453, 42161 }, options.Chains.Values.Select(c => c.ChainId).Order());
        Assert.Equal(["ARBITRUM_RPC_URL", "BASE_RPC_URL", "ETH_RPC_URL", "OPTIMISM_RPC_URL", "POLYGON_RPC_URL"], options.Chains.Values.Select(c => c.RpcUrlVariable).Order());
        Assert.All(options.Chains.Values, c => Assert.Equal(6, c.Tokens["USDC"].Decimals));
        Assert.Equal("arbitrum", options.Chains["arbitrum"].GasModel);
        Assert.Equal("op-stack", options.Chains["base"].GasModel);
    }

    [Fact]
    public void Bad_chain_settings_are_each_named_by_path()
    {
        string path = Write("""
            {"chains":{"ethereum":{"chainId":1,"rpcUrlVariable":"ETH_RPC_URL","blockTimeMs":12000,"nativeToken":"ETH","gasModel":"eip1559",
              "tokens":{"USDC":{"address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48","decimals":6},"BAD":{"address":"0x12","decimals":6}},
              "pools":[{"kind":"v3","address":"0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640","token0":"USDC","token1":"WETH","fee":501}],"aavePool":"0x1"},
             "base":{"chainId":1,"rpcUrlVariable":"https://key.example","blockTimeMs":0,"nativeToken":"","gasModel":"x","tokens":{},"pools":[null],"aavePool":""}}}
            """);
        (_, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, NoEnvironment);
        string[] expected =
        [
            "chains.ethereum.aavePool", "chains.ethereum.tokens.BAD.address", "chains.ethereum.pools[0].token1", "chains.ethereum.pools[0].fee",
            "chains.base.chainId", "chains.base.rpcUrlVariable", "chains.base.blockTimeMs", "chains.base.nativeToken", "chains.base.gasModel", "chains.base.pools[0]",
        ];
        foreach (string e in expected)
        {
            Assert.Contains(errors, x => x.StartsWith(e + ":", StringComparison.Ordinal));
        }

        Assert.Equal(expected.Length, errors.Count);
    }

    [Fact]
    public void An_unknown_chain_setting_is_refused()
    {
        string path = Write("""{"chains":{"ethereum":{"chainId":1,"rpcUrl":"wss://x"}}}""");
        (_, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, NoEnvironment);
        Assert.Single(errors);
        Assert.Contains("rpcUrl", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_RPC_URL_is_refused_without_showing_it()
    {
        const string secret = "wsx://node.example/v2/0123456789abcdef0123456789abcdef";
        var env = new Dictionary<string, string> { ["BASE_RPC_URL"] = secret, ["ETH_RPC_URL"] = "wss://node.example/ok" };
        (_, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(null, n => env.GetValueOrDefault(n));
        string only = Assert.Single(errors);
        Assert.StartsWith("BASE_RPC_URL:", only, StringComparison.Ordinal);
        Assert.DoesNotContain("node.example", only, StringComparison.Ordinal);
    }
}
