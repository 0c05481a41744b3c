using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.Web3;
using NethBlock = Nethereum.RPC.Eth.DTOs.BlockParameter;
using NethTransactionInput = Nethereum.RPC.Eth.DTOs.TransactionInput;

namespace LowLatency.Adapters.Dex.Tests;

/// <summary>
/// The test's own side of the OP Stack oracle, through Nethereum.Web3 rather than our JSON-RPC and ABI code (which is
/// what the test checks): the depositor's unsigned transactions (anvil impersonation) with their receipts, and the
/// oracle's own answers to getL1Fee and getL1FeeUpperBound. A typed query instead of hand-packed calldata.
/// </summary>
internal sealed class NethereumOracleSide
{
    private readonly Web3 _web3;
    private readonly string _oracle;

    public NethereumOracleSide(Uri rpcUrl, Address oracle)
    {
        _web3 = new Web3(rpcUrl.AbsoluteUri);
        _oracle = oracle.ToLowerHexString();
    }

    /// <summary>eth_sendTransaction from an impersonated account; fails the test unless the receipt says success.</summary>
    public async Task SendAsync(Address from, Address to, byte[] data)
    {
        var input = new NethTransactionInput { From = from.ToLowerHexString(), To = to.ToLowerHexString(), Data = Hex.Encode(data), Gas = new HexBigInteger(2_000_000) };
        var receipt = await _web3.Eth.TransactionManager.SendTransactionAndWaitForReceiptAsync(input);
        Assert.True(receipt.Status.Value == BigInteger.One, $"the call from {from} to {to} reverted");
    }

    public Task<BigInteger> GetL1FeeAsync(byte[] unsignedTransaction, ulong block) =>
        _web3.Eth.GetContractQueryHandler<GetL1FeeFunction>().QueryAsync<BigInteger>(_oracle, new GetL1FeeFunction { Data = unsignedTransaction }, new NethBlock(new HexBigInteger(block)));

    public Task<BigInteger> GetL1FeeUpperBoundAsync(ulong unsignedTransactionSize, ulong block) =>
        _web3.Eth.GetContractQueryHandler<GetL1FeeUpperBoundFunction>().QueryAsync<BigInteger>(_oracle, new GetL1FeeUpperBoundFunction { UnsignedTxSize = unsignedTransactionSize }, new NethBlock(new HexBigInteger(block)));

    [Function("getL1Fee", "uint256")]
    internal sealed class GetL1FeeFunction : FunctionMessage
    {
        [Parameter("bytes", "_data", 1)]
        public byte[] Data { get; set; } = [];
    }

    [Function("getL1FeeUpperBound", "uint256")]
    internal sealed class GetL1FeeUpperBoundFunction : FunctionMessage
    {
        [Parameter("uint256", "_unsignedTxSize", 1)]
        public BigInteger UnsignedTxSize { get; set; }
    }
}
