using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Adapters.FlashLoans.Local;
using LowLatency.Testing.Anvil;

namespace LowLatency.Adapters.Flashbots.Tests.Transactions;

/// <summary>Another account (not the executor's owner) that sends calls and returns their receipts, reverted or not.</summary>
public sealed class StrangerCaller(JsonRpcClient client, EthSigner signer)
{
    public Address Address => signer.Address;

    public async Task<TransactionReceipt> SendAsync(Address to, byte[] data)
    {
        RpcResult<ulong> nonce = await client.GetTransactionCountAsync(signer.Address, BlockTag.Pending);
        Assert.True(nonce.IsOk, nonce.ToString());
        var tx = new Transaction
        {
            Type = TxType.DynamicFee,
            ChainId = (ulong)AnvilFixture.ChainId,
            Nonce = nonce.Value,
            GasLimit = 1_000_000,
            MaxFeePerGas = 100_000_000_000UL,
            MaxPriorityFeePerGas = 1UL,
            To = to,
            Data = data,
        };
        RpcResult<byte[]> sent = await client.SendRawTransactionAsync(TransactionSigner.Sign(tx, signer).EncodeSigned());
        Assert.True(sent.IsOk, sent.ToString());
        return await LocalChain.WaitReceiptAsync(client, sent.Value, "stranger call");
    }
}
