using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;

namespace LowLatency.Adapters.Ethereum.Tests.Anvil;

[Trait("Category", "Slow")]
public sealed class AnvilWsTests
{
    private static async Task<T> NextAsync<T>(RpcSubscription<T> subscription, Func<Task> poke)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (subscription.Reader.TryRead(out var item))
            {
                return item;
            }

            await poke();
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                wait.CancelAfter(TimeSpan.FromMilliseconds(300));
                if (await subscription.Reader.WaitToReadAsync(wait.Token) && subscription.Reader.TryRead(out item))
                {
                    return item;
                }
            }
            catch (OperationCanceledException) when (!cts.IsCancellationRequested)
            {
                // Poke again.
            }
        }
    }

    [Fact]
    public async Task NewHeads_and_erc20_transfer_logs_over_websocket()
    {
        using var anvil = new AnvilFixture();
        var connected = await JsonRpcClient.ConnectWsAsync(anvil.WsUrl, AnvilTestKit.Options);
        Assert.True(connected.IsOk, connected.ToString());
        await using var ws = connected.Value;

        var heads = (await ws.SubscribeNewHeadsAsync()).Value;
        var before = (await ws.BlockNumberAsync()).Value;
        var head = await NextAsync(heads, async () => Assert.True((await ws.CallAsync("evm_mine", RpcParams.Empty)).IsOk));
        Assert.True(head.Number > before);
        Assert.Equal(32, head.Hash.Length);

        // Deploy the ERC20 over the same socket, then follow its Transfer logs.
        var deployer = AnvilTestKit.Signer(0);
        var (bytecode, _) = AnvilTestKit.Erc20Artifact();
        var init = bytecode.Concat(AbiCodec.Encode(AbiType.UInt(256), AbiValue.UInt(new UInt256(1_000_000)))).ToArray();
        var nonce = (await ws.GetTransactionCountAsync(deployer.Address, BlockTag.Pending)).Value;
        var gasPrice = (await ws.GasPriceAsync()).Value * 2;
        var deploy = await AnvilTestKit.SendAndWaitAsync(ws, new Transaction
        {
            Type = TxType.Legacy, ChainId = (ulong)AnvilFixture.ChainId, Nonce = nonce, GasLimit = 3_000_000, GasPrice = gasPrice, Data = init,
        }, deployer);
        var token = deploy.ContractAddress!.Value;
        var transferEvent = AbiEvent.Parse("Transfer(address indexed from,address indexed to,uint256 value)");
        var logs = (await ws.SubscribeLogsAsync(new LogFilter { Addresses = [token], Topics = [[transferEvent.Topic0.ToArray()]] })).Value;

        var transfer = AbiFunction.Parse("transfer(address,uint256)");
        var sent = false;
        var log = await NextAsync(logs, async () =>
        {
            if (!sent)
            {
                sent = true;
                await AnvilTestKit.SendAndWaitAsync(ws, new Transaction
                {
                    Type = TxType.Legacy, ChainId = (ulong)AnvilFixture.ChainId, Nonce = nonce + 1, GasLimit = 100_000, GasPrice = gasPrice, To = token,
                    Data = transfer.EncodeCall(AbiValue.FromAddress(AnvilTestKit.DevAddress(1)), AbiValue.UInt(new UInt256(77))),
                }, deployer);
            }
        });
        Assert.True(transferEvent.TryDecodeLog(log.Topics, log.Data, out var values, out var error), error);
        Assert.Equal(new UInt256(77), values[2].Word);
        Assert.False(log.Removed);

        Assert.True((await logs.UnsubscribeAsync()).IsOk);
        Assert.True((await heads.UnsubscribeAsync()).IsOk);
    }

    [Fact]
    public async Task Client_reconnects_and_resubscribes_after_anvil_is_killed_and_restarted()
    {
        using var anvil = new AnvilFixture();
        var options = new JsonRpcOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(3),
            MaxAttempts = 5,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(300),
            WsKeepAlive = TimeSpan.FromSeconds(2),
        };
        var connected = await JsonRpcClient.ConnectWsAsync(anvil.WsUrl, options);
        await using var ws = connected.Value;
        var transport = (WsJsonRpcTransport)ws.Transport;
        var heads = (await ws.SubscribeNewHeadsAsync()).Value;
        await NextAsync(heads, async () => await ws.CallAsync("evm_mine", RpcParams.Empty));

        anvil.Stop();
        var whileDown = await ws.ChainIdAsync(); // a value (error or, after restart, the answer), never a hang
        Assert.True(whileDown.IsOk || whileDown.Error!.IsTransient, whileDown.ToString());
        anvil.Start();

        var head = await NextAsync(heads, async () => await ws.CallAsync("evm_mine", RpcParams.Empty));
        Assert.True(head.Number >= 1);
        Assert.True(transport.ReconnectCount >= 1);
        Assert.True(heads.ResubscribeCount >= 1);
        Assert.NotNull(heads.ServerId);
        Assert.Equal((ulong)AnvilFixture.ChainId, (await ws.ChainIdAsync()).Value);
    }
}
