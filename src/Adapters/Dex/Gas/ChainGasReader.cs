using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Dex.Common;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.HotPath.Chains;

namespace LowLatency.Adapters.Dex.Gas;

/// <summary>
/// Reads a chain's <see cref="GasQuote"/> on-chain, never from configuration: the base fee from the newHeads header,
/// the tip from <c>eth_maxPriorityFeePerGas</c>, and the L1 component where the chain has one: Arbitrum's ArbGasInfo
/// precompile (<c>getPricesInWei()</c>), the OP Stack's GasPriceOracle predeploy (<c>l1BaseFee</c>,
/// <c>blobBaseFee</c>, <c>baseFeeScalar</c>, <c>blobBaseFeeScalar</c>, and <c>isFjord</c> to pick the fee formula;
/// <c>getL1Fee(bytes)</c> for one exact transaction). Calls are made at the header's block. Cold path (once per head): allocates.
/// </summary>
public sealed class ChainGasReader
{
    /// <summary>Arbitrum's ArbGasInfo precompile.</summary>
    public static readonly Address ArbGasInfo = Address.Parse("0x000000000000000000000000000000000000006C");

    /// <summary>Arbitrum's NodeInterface: not a contract on chain, the node answers eth_call to this address.</summary>
    public static readonly Address NodeInterface = Address.Parse("0x00000000000000000000000000000000000000C8");

    private static readonly AbiFunction s_gasEstimateL1Component = AbiFunction.Parse("gasEstimateL1Component(address,bool,bytes)");

    /// <summary>The OP Stack GasPriceOracle predeploy.</summary>
    public static readonly Address GasPriceOracle = Address.Parse("0x420000000000000000000000000000000000000F");

    /// <summary>
    /// A price read on-chain above 2^128 wei (3.4e38) is refused as malformed: below it every product <see cref="GasQuote"/>
    /// forms (a uint32 scalar, a 64-bit size, 1e6 scaling) stays inside 256 bits, so the hot path never wraps.
    /// </summary>
    public const int MaxPriceBits = 128;

    private readonly JsonRpcClient _client;
    private readonly ulong _chainId;
    private readonly L1FeeModel _model;

    public ChainGasReader(JsonRpcClient client, ulong chainId, L1FeeModel model)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _chainId = chainId;
        _model = model;
    }

    /// <summary>The model for a configuration's gas model name (eip1559, arbitrum, op-stack).</summary>
    public static L1FeeModel ModelOf(string gasModel) => gasModel switch
    {
        "arbitrum" => L1FeeModel.Arbitrum,
        "op-stack" => L1FeeModel.OpStackEcotone, // Ecotone or Fjord: the oracle says which at each read (isFjord)
        _ => L1FeeModel.None,
    };

    public async Task<RpcResult<GasQuote>> ReadAsync(HeadInfo head, CancellationToken cancellationToken = default)
    {
        if (!head.HasBaseFee)
        {
            return RpcError.Malformed($"block {head.Number} has no baseFeePerGas (not an EIP-1559 chain or a pre-London block)");
        }

        RpcResult<UInt256> tip = await _client.MaxPriorityFeePerGasAsync(cancellationToken).ConfigureAwait(false);
        if (!tip.IsOk)
        {
            return tip.Error!;
        }

        var quote = new GasQuote { ChainId = _chainId, Block = head.Number, BaseFeePerGas = head.BaseFeePerGas, PriorityFeePerGas = tip.Value, L1Model = _model };
        if (_model == L1FeeModel.Arbitrum)
        {
            RpcResult<byte[]>[] r = await CallAsync(ArbGasInfo, [Selector("getPricesInWei()")], head.Number, cancellationToken).ConfigureAwait(false);
            if (!r[0].IsOk)
            {
                return r[0].Error!;
            }

            if (r[0].Value.Length < 6 * 32)
            {
                return RpcError.Malformed("ArbGasInfo.getPricesInWei answered " + r[0].Value.Length + " bytes, not six words");
            }

            UInt256 perTx = Word(r[0].Value, 0), perByte = Word(r[0].Value, 1);
            if (perTx.BitLength > MaxPriceBits || perByte.BitLength > MaxPriceBits)
            {
                return RpcError.Malformed("ArbGasInfo.getPricesInWei prices exceed 2^" + MaxPriceBits + " wei");
            }

            quote = quote with { L1FeePerTx = perTx, L1FeePerByte = perByte };
        }
        else if (_model is L1FeeModel.OpStackEcotone or L1FeeModel.OpStackFjord)
        {
            RpcResult<byte[]>[] r = await CallAsync(GasPriceOracle,
                [Selector("l1BaseFee()"), Selector("blobBaseFee()"), Selector("baseFeeScalar()"), Selector("blobBaseFeeScalar()"), Selector("isFjord()")],
                head.Number, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < 4; i++)
            {
                if (!r[i].IsOk)
                {
                    return r[i].Error!;
                }

                if (r[i].Value.Length < 32)
                {
                    return RpcError.Malformed("GasPriceOracle answered " + r[i].Value.Length + " bytes");
                }
            }

            RpcResult<bool> fjord = FjordFlag(r[4]);
            if (!fjord.IsOk)
            {
                return fjord.Error!;
            }

            UInt256 l1BaseFee = Word(r[0].Value, 0), blobBaseFee = Word(r[1].Value, 0), baseScalar = Word(r[2].Value, 0), blobScalar = Word(r[3].Value, 0);
            if (baseScalar.BitLength > 32 || blobScalar.BitLength > 32)
            {
                return RpcError.Malformed("GasPriceOracle scalars are not uint32");
            }

            if (l1BaseFee.BitLength > MaxPriceBits || blobBaseFee.BitLength > MaxPriceBits)
            {
                return RpcError.Malformed("GasPriceOracle L1 fees exceed 2^" + MaxPriceBits + " wei");
            }

            quote = quote with
            {
                L1Model = fjord.Value ? L1FeeModel.OpStackFjord : L1FeeModel.OpStackEcotone,
                L1WeightedGasPrice = GasQuote.EcotoneWeightedGasPrice(l1BaseFee, blobBaseFee, (uint)(ulong)baseScalar, (uint)(ulong)blobScalar),
            };
        }

        return quote;
    }

    /// <summary>OP Stack: GasPriceOracle.getL1Fee(unsignedTx) at <paramref name="block"/>, the oracle's own answer for one transaction.</summary>
    public async Task<RpcResult<UInt256>> GetL1FeeAsync(ReadOnlyMemory<byte> unsignedTransaction, ulong block, CancellationToken cancellationToken = default)
    {
        // getL1Fee(bytes): head word (offset 0x20), length, data padded to 32 bytes.
        int padded = (unsignedTransaction.Length + 31) / 32 * 32;
        var data = new byte[4 + 64 + padded];
        Selector("getL1Fee(bytes)").CopyTo(data, 0);
        data[4 + 31] = 0x20;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4 + 60), unsignedTransaction.Length);
        unsignedTransaction.Span.CopyTo(data.AsSpan(4 + 64));
        RpcResult<byte[]>[] r = await CallAsync(GasPriceOracle, [data], block, cancellationToken).ConfigureAwait(false);
        if (!r[0].IsOk)
        {
            return r[0].Error!;
        }

        return r[0].Value.Length >= 32 ? Word(r[0].Value, 0) : RpcError.Malformed("getL1Fee answered " + r[0].Value.Length + " bytes");
    }

    /// <summary>
    /// Arbitrum: NodeInterface.gasEstimateL1Component(to, contractCreation, data) at <paramref name="block"/>, the node's
    /// own L1 estimate for one exact transaction (it compresses it as the sequencer would). Returns
    /// (gasEstimateForL1 uint64, baseFee, l1BaseFeeEstimate); anything shorter, or wider than those types, is malformed.
    /// </summary>
    public async Task<RpcResult<ArbitrumL1Estimate>> EstimateArbitrumL1Async(Address to, bool contractCreation, ReadOnlyMemory<byte> data, ulong block, CancellationToken cancellationToken = default)
    {
        byte[] call = s_gasEstimateL1Component.EncodeCall(AbiValue.FromAddress(to), AbiValue.FromBool(contractCreation), AbiValue.FromBytes(data.Span));
        RpcResult<byte[]>[] r = await CallAsync(NodeInterface, [call], block, cancellationToken).ConfigureAwait(false);
        if (!r[0].IsOk)
        {
            return r[0].Error!;
        }

        if (r[0].Value.Length < 3 * 32)
        {
            return RpcError.Malformed("NodeInterface.gasEstimateL1Component answered " + r[0].Value.Length + " bytes, not three words");
        }

        UInt256 gas = Word(r[0].Value, 0), baseFee = Word(r[0].Value, 1), l1 = Word(r[0].Value, 2);
        if (gas.BitLength > 64)
        {
            return RpcError.Malformed("NodeInterface.gasEstimateL1Component: gasEstimateForL1 is not a uint64");
        }

        if (baseFee.BitLength > MaxPriceBits || l1.BitLength > MaxPriceBits)
        {
            return RpcError.Malformed("NodeInterface.gasEstimateL1Component fees exceed 2^" + MaxPriceBits + " wei");
        }

        return new ArbitrumL1Estimate((ulong)gas, baseFee, l1);
    }

    private async Task<RpcResult<byte[]>[]> CallAsync(Address to, byte[][] calldata, ulong block, CancellationToken ct)
    {
        var calls = new RpcCall[calldata.Length];
        for (int i = 0; i < calldata.Length; i++)
        {
            byte[] data = calldata[i];
            calls[i] = new RpcCall("eth_call", RpcParams.Build(w =>
            {
                w.WriteStartObject();
                w.WriteString("to"u8, to.ToLowerHexString());
                w.WriteString("data"u8, Hex.Encode(data));
                w.WriteEndObject();
                w.WriteStringValue(RpcParams.Quantity(block));
            }));
        }

        RpcResult<JsonElement>[] answers = await _client.BatchAsync(calls, ct).ConfigureAwait(false);
        var results = new RpcResult<byte[]>[answers.Length];
        for (int i = 0; i < answers.Length; i++)
        {
            results[i] = answers[i].IsOk ? RpcJson.Data(answers[i].Value) : answers[i].Error!;
        }

        return results;
    }

    // isFjord(): a bool word. A GasPriceOracle from before Fjord has no such function, so the call reverts: that is Ecotone.
    private static RpcResult<bool> FjordFlag(RpcResult<byte[]> answer)
    {
        if (!answer.IsOk)
        {
            return answer.Error!.Kind == RpcErrorKind.Node && answer.Error.Message.Contains("revert", StringComparison.OrdinalIgnoreCase)
                ? false
                : answer.Error;
        }

        if (answer.Value.Length < 32)
        {
            return RpcError.Malformed("GasPriceOracle.isFjord answered " + answer.Value.Length + " bytes");
        }

        UInt256 flag = Word(answer.Value, 0);
        return flag.IsZero ? false : flag == UInt256.One ? true : RpcError.Malformed("GasPriceOracle.isFjord answered a word that is not a bool");
    }

    private static UInt256 Word(byte[] data, int index) => UInt256.FromBigEndian(data.AsSpan(index * 32, 32));

    private static byte[] Selector(string signature) => Keccak256.Hash(Encoding.ASCII.GetBytes(signature))[..4];
}
