using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;

namespace LowLatency.Adapters.Ethereum.Tests.Anvil;

[Trait("Category", "Slow")]
public sealed class AnvilRpcTests : IClassFixture<AnvilFixture>
{
    private static readonly UInt256 s_oneEther = UInt256.Parse("1000000000000000000");
    private readonly AnvilFixture _anvil;

    public AnvilRpcTests(AnvilFixture anvil) => _anvil = anvil;

    [Fact]
    public void Dev_keys_derive_the_dev_addresses()
    {
        foreach (var (key, address) in AnvilFixture.DevKeys)
        {
            using var k = PrivateKey.FromHex(key);
            Assert.Equal(address, k.Address.ToChecksumString());
        }
    }

    [Fact]
    public async Task Typed_reads_and_a_batch_against_anvil()
    {
        await using var client = JsonRpcClient.ForHttp(_anvil.HttpUrl, AnvilTestKit.Options);
        Assert.Equal((ulong)AnvilFixture.ChainId, (await client.ChainIdAsync()).Value);
        Assert.True((await client.BlockNumberAsync()).IsOk);
        Assert.True((await client.GasPriceAsync()).Value > UInt256.Zero);
        Assert.True((await client.MaxPriorityFeePerGasAsync()).IsOk);
        var fees = await client.FeeHistoryAsync(1, BlockTag.Latest, [25.0, 75.0]);
        Assert.True(fees.IsOk, fees.ToString());
        var block = await client.GetBlockByNumberAsync(BlockTag.Latest);
        Assert.True(block.IsOk, block.ToString());
        Assert.NotNull(block.Value!.Header.BaseFeePerGas);
        Assert.Null((await client.GetBlockByNumberAsync(BlockTag.Number(1_000_000))).Value);

        var batch = await client.BatchAsync(
        [
            new RpcCall("eth_chainId"),
            new RpcCall("eth_getBalance", RpcParams.Strings(AnvilFixture.DevKeys[2].Address, "latest")),
            new RpcCall("eth_noSuchMethod"),
        ]);
        Assert.Equal((ulong)AnvilFixture.ChainId, RpcJson.QuantityUInt64(batch[0].Value).Value);
        Assert.True(RpcJson.Quantity(batch[1].Value).Value >= s_oneEther);
        Assert.Equal(RpcErrorKind.Node, batch[2].Error!.Kind);
        Assert.NotEqual(0, batch[2].Error!.Code);
    }

    [Fact]
    public async Task Legacy_eip155_and_eip1559_transfers_land_with_the_right_balances()
    {
        await using var client = JsonRpcClient.ForHttp(_anvil.HttpUrl, AnvilTestKit.Options);
        var signer = AnvilTestKit.Signer(2);
        var from = signer.Address;
        var to = Address.Parse("0x000000000000000000000000000000000000dEaD");
        var nonces = NonceManager.ForClient(client, from);
        Assert.True((await nonces.InitialiseAsync()).IsOk);
        var gasPrice = (await client.GasPriceAsync()).Value;

        foreach (var type in new[] { TxType.Legacy, TxType.DynamicFee })
        {
            var senderBefore = (await client.GetBalanceAsync(from, BlockTag.Latest)).Value;
            var recipientBefore = (await client.GetBalanceAsync(to, BlockTag.Latest)).Value;
            var tx = new Transaction
            {
                Type = type,
                ChainId = (ulong)AnvilFixture.ChainId,
                Nonce = nonces.Reserve(),
                GasLimit = 21_000,
                GasPrice = type == TxType.Legacy ? gasPrice * 2 : UInt256.Zero,
                MaxFeePerGas = type == TxType.DynamicFee ? gasPrice * 2 : UInt256.Zero,
                MaxPriorityFeePerGas = type == TxType.DynamicFee ? (UInt256)1_000_000_000UL : UInt256.Zero,
                To = to,
                Value = s_oneEther,
            };
            var receipt = await AnvilTestKit.SendAndWaitAsync(client, tx, signer);
            Assert.True(receipt.Succeeded);
            Assert.Equal((ulong)type, receipt.Type);
            Assert.Equal(from, receipt.From);
            Assert.Equal(21_000UL, receipt.GasUsed);

            var senderAfter = (await client.GetBalanceAsync(from, BlockTag.Latest)).Value;
            var recipientAfter = (await client.GetBalanceAsync(to, BlockTag.Latest)).Value;
            Assert.Equal(recipientBefore + s_oneEther, recipientAfter);
            Assert.Equal(senderBefore - s_oneEther - (UInt256)receipt.GasUsed * receipt.EffectiveGasPrice!.Value, senderAfter);
        }

        Assert.Equal(nonces.Next, (await client.GetTransactionCountAsync(from, BlockTag.Latest)).Value);

        // Re-sending a spent nonce: the node's definite answer is a value, and the nonce manager reconciles.
        var stale = TransactionSigner.Sign(new Transaction
        {
            Type = TxType.DynamicFee, ChainId = (ulong)AnvilFixture.ChainId, Nonce = 0, GasLimit = 21_000,
            MaxFeePerGas = gasPrice * 2, MaxPriorityFeePerGas = 1, To = to, Value = 1,
        }, signer).EncodeSigned();
        var rejected = await client.SendRawTransactionAsync(stale);
        Assert.False(rejected.IsOk);
        Assert.Equal(RpcErrorKind.Node, rejected.Error.Kind);
        Assert.True(NonceManager.IsNonceError(rejected.Error), rejected.Error.ToString());
        var next = nonces.Next;
        var reconciled = await nonces.OnSendErrorAsync(rejected.Error);
        Assert.Equal(next, reconciled!.Value.Value.LocalNext);
    }

    [Fact]
    public async Task Erc20_from_the_npm_artifact_deploys_and_transfers_through_our_abi()
    {
        await using var client = JsonRpcClient.ForHttp(_anvil.HttpUrl, AnvilTestKit.Options);
        var deployer = AnvilTestKit.Signer(0);
        var recipient = AnvilTestKit.DevAddress(1);
        var (bytecode, constructorInputs) = AnvilTestKit.Erc20Artifact();
        Assert.Equal("uint256", constructorInputs);
        var totalSupply = UInt256.Parse("1000000000000000000000000");
        var args = AbiCodec.Encode(AbiType.Parse("(" + constructorInputs + ")"), AbiValue.Tuple(AbiValue.UInt(totalSupply)));
        var nonces = NonceManager.ForClient(client, deployer.Address);
        Assert.True((await nonces.InitialiseAsync()).IsOk);
        var baseFee = (await client.GetBlockByNumberAsync(BlockTag.Latest)).Value!.Header.BaseFeePerGas!.Value;
        var maxFee = baseFee * 3 + 2_000_000_000UL;

        var initCode = bytecode.Concat(args).ToArray();
        var gas = await client.EstimateGasAsync(new CallRequest { From = deployer.Address, Data = initCode });
        Assert.True(gas.IsOk, gas.ToString());
        var deploy = await AnvilTestKit.SendAndWaitAsync(client, new Transaction
        {
            Type = TxType.DynamicFee, ChainId = (ulong)AnvilFixture.ChainId, Nonce = nonces.Reserve(),
            GasLimit = gas.Value * 12 / 10, MaxFeePerGas = maxFee, MaxPriorityFeePerGas = 1_000_000_000UL, Data = initCode,
        }, deployer);
        Assert.True(deploy.Succeeded);
        var token = deploy.ContractAddress!.Value;

        var balanceOf = AbiFunction.Parse("balanceOf(address)(uint256)");
        async Task<UInt256> BalanceAsync(Address who)
        {
            var ret = await client.EthCallAsync(new CallRequest { To = token, Data = balanceOf.EncodeCall(AbiValue.FromAddress(who)) }, BlockTag.Latest);
            Assert.True(ret.IsOk, ret.ToString());
            Assert.True(balanceOf.TryDecodeOutput(ret.Value, out var outputs, out var error), error);
            return outputs[0].Word;
        }

        Assert.Equal(totalSupply, await BalanceAsync(deployer.Address));

        var transfer = AbiFunction.Parse("transfer(address,uint256)(bool)");
        var amount = UInt256.Parse("12345");
        var receipt = await AnvilTestKit.SendAndWaitAsync(client, new Transaction
        {
            Type = TxType.DynamicFee, ChainId = (ulong)AnvilFixture.ChainId, Nonce = nonces.Reserve(), GasLimit = 100_000,
            MaxFeePerGas = maxFee, MaxPriorityFeePerGas = 1_000_000_000UL, To = token,
            Data = transfer.EncodeCall(AbiValue.FromAddress(recipient), AbiValue.UInt(amount)),
        }, deployer);
        Assert.True(receipt.Succeeded);
        Assert.Equal(amount, await BalanceAsync(recipient));
        Assert.Equal(totalSupply - amount, await BalanceAsync(deployer.Address));

        var transferEvent = AbiEvent.Parse("Transfer(address indexed from,address indexed to,uint256 value)");
        var log = Assert.Single(receipt.Logs);
        Assert.Equal(token, log.Address);
        Assert.True(transferEvent.TryDecodeLog(log.Topics, log.Data, out var values, out var logError), logError);
        Assert.Equal(deployer.Address, values[0].AddressValue);
        Assert.Equal(recipient, values[1].AddressValue);
        Assert.Equal(amount, values[2].Word);

        var logs = await client.GetLogsAsync(new LogFilter
        {
            FromBlock = BlockTag.Number(receipt.BlockNumber), ToBlock = BlockTag.Latest,
            Addresses = [token], Topics = [[transferEvent.Topic0.ToArray()]],
        });
        Assert.True(logs.IsOk, logs.ToString());
        Assert.Equal(receipt.TransactionHash, Assert.Single(logs.Value).TransactionHash);

        // A failing call is the node's error as a value (transfer more than the balance reverts).
        var revert = await client.EthCallAsync(new CallRequest
        {
            From = recipient, To = token, Data = transfer.EncodeCall(AbiValue.FromAddress(deployer.Address), AbiValue.UInt(totalSupply)),
        }, BlockTag.Latest);
        Assert.False(revert.IsOk);
        Assert.Equal(RpcErrorKind.Node, revert.Error.Kind);
    }
}
