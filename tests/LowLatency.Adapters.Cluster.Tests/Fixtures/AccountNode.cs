using LowLatency.Adapters.Cluster.Accounts;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;

namespace LowLatency.Adapters.Cluster.Tests.Fixtures;

/// <summary>
/// One node of an account failover test: its NATS connection, its lease on anvil's first dev account, a JSON-RPC client
/// and the signing account built over them (a public <see cref="ClusterSigningAccount"/> or a <see cref="BundleSigningAccount"/>).
/// </summary>
public sealed class AccountNode<TAccount> : IAsyncDisposable
{
    private AccountNode(ClusterBus bus, AccountLease lease, JsonRpcClient rpc, TAccount account) => (Bus, Lease, Rpc, Account) = (bus, lease, rpc, account);

    public ClusterBus Bus { get; }

    public AccountLease Lease { get; }

    public JsonRpcClient Rpc { get; }

    public TAccount Account { get; }

    /// <param name="chainId">The lease's and the nonce stream's chain scope (null: the account alone).</param>
    public static async Task<AccountNode<TAccount>> JoinAsync(string natsUrl, string node, AnvilFixture anvil, TimeSpan ttl, ulong? chainId,
        Func<AccountLease, NonceLedger, JsonRpcClient, TAccount> account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var bus = await ClusterBus.ConnectAsync(natsUrl, node);
        Address from = AnvilTestKit.DevAddress(0);
        var lease = new AccountLease(bus.Accounts, node, from, ttl, chainId);
        var rpc = JsonRpcClient.ForHttp(anvil.HttpUrl, AnvilTestKit.Options);
        return new AccountNode<TAccount>(bus, lease, rpc, account(lease, new NonceLedger(bus.JetStream, node, from, chainId), rpc));
    }

    /// <summary>What kill -9 leaves: no renewal, no hand-back, the connection gone.</summary>
    public async Task DieAsync()
    {
        await Lease.StopAsync();
        await Bus.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Lease.DisposeAsync();
        await Bus.DisposeAsync();
        await Rpc.DisposeAsync();
    }
}
