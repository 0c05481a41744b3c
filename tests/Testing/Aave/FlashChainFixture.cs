using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.FlashLoans.Local;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;

namespace LowLatency.Testing.Aave;

/// <summary>
/// An anvil with the whole flash-loan scene deployed once (Aave V3 market, WETH/TKN V2 pair and V3 pool at different
/// prices, the executor owned by dev account 0). Tests that change the chain take an anvil snapshot and revert it.
/// </summary>
public sealed class FlashChainFixture : IAsyncLifetime
{
    public AnvilFixture Anvil { get; } = AnvilFixture.StartWith("--gas-limit", "100000000", "--hardfork", "prague");

    public FlashScenario Scenario { get; private set; } = null!;

    public JsonRpcClient Client { get; private set; } = null!;

    public EthSigner Owner { get; } = AnvilTestKit.Signer(0);

    /// <summary>The scene's token unit and prices (<see cref="FlashScenario.DeployAsync"/>'s); the defaults make TKN at a dislocation.</summary>
    public int TokenDecimals { get; init; } = 18;

    public ulong V2Price { get; init; } = 3000;

    public ulong V3Price { get; init; } = 3150;

    public async Task InitializeAsync()
    {
        Client = JsonRpcClient.ForHttp(Anvil.HttpUrl, AnvilTestKit.Options);
        try
        {
            LocalChain chain = await LocalChain.ConnectAsync(Client, Owner, Path.Combine(SharedData.RepoRoot, "tools", "node_modules"));
            Scenario = await FlashScenario.DeployAsync(chain, V2Price, V3Price, tokenDecimals: TokenDecimals);
        }
        catch
        {
            // xUnit does not dispose a fixture whose set-up failed: stop anvil here so it is not left running.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>anvil's evm_snapshot; give the id to <see cref="Revert"/>.</summary>
    public string Snapshot()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(Anvil.RawCall("evm_snapshot"));
        return doc.RootElement.GetProperty("result").GetString()!;
    }

    /// <summary>Back to <paramref name="snapshot"/>; the deployer's local nonce follows the chain back.</summary>
    public async Task RevertAsync(string snapshot)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(Anvil.RawCall("evm_revert", "[\"" + snapshot + "\"]"));
        Assert.True(doc.RootElement.GetProperty("result").GetBoolean(), "evm_revert failed");
        await Scenario.Chain.ResyncNonceAsync();
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        Anvil.Dispose();
    }
}
