using System.Buffers.Binary;
using System.Text.Json;
using LowLatency.Adapters.Dex.Common;
using LowLatency.Adapters.Dex.Gas;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.HotPath.Chains;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;

namespace LowLatency.Adapters.Dex.Tests;

/// <summary>
/// The L2 gas read path end to end on anvil, where no real bytecode exists: Arbitrum's ArbGasInfo and NodeInterface are
/// Go precompiles (no bytecode on npm), so hand-assembled EVM code placed at their addresses with anvil_setCode answers
/// with known words, priced as nitro's ArbGasInfo.GetPricesInWei does (per byte = 16 × the L1 price per unit, per
/// transaction = 140 × per byte). The same trick feeds both readers bad answers: reverts, short data, words wider than
/// their types, a missing contract, an isFjord that is not a bool or that reverts (a pre-Fjord oracle). Each is a value,
/// never an exception.
/// </summary>
[Trait("Category", "Slow")]
public sealed class L2GasReadPathTests : IClassFixture<AnvilFixture>
{
    private const ulong L1PricePerUnit = 23_456_789_012UL;
    private readonly AnvilFixture _anvil;

    public L2GasReadPathTests(AnvilFixture anvil) => _anvil = anvil;

    [Fact]
    public async Task ArbGasInfo_prices_are_read_and_priced_as_nitro_defines_them()
    {
        await using JsonRpcClient client = JsonRpcClient.ForHttp(_anvil.HttpUrl, AnvilTestKit.Options);
        ulong perByte = 16 * L1PricePerUnit;
        await SetCodeAsync(client, ChainGasReader.ArbGasInfo, ReturnConstant(Words(140 * perByte, perByte, 20_000UL * 100_000_000, 10_000_000, 90_000_000, 100_000_000)));
        HeadInfo head = await LatestHeadAsync(client);
        RpcResult<GasQuote> quote = await new ChainGasReader(client, 42_161, ChainGasReader.ModelOf("arbitrum")).ReadAsync(head);
        Assert.True(quote.IsOk, quote.ToString());
        Assert.Equal(L1FeeModel.Arbitrum, quote.Value.L1Model);
        Assert.Equal(new UInt256(perByte), quote.Value.L1FeePerByte);
        Assert.Equal(new UInt256(140 * perByte), quote.Value.L1FeePerTx);

        // The docs' L1C = 16 × l1BaseFeeEstimate × (size + 140) is what the quote charges for `size` bytes.
        UInt256 execution = (head.BaseFeePerGas + quote.Value.PriorityFeePerGas) * 150_000UL;
        Assert.Equal(execution + ArbitrumL1Estimate.L1Cost(L1PricePerUnit, 300), quote.Value.Cost(150_000, 200, 100));
    }

    [Fact]
    public async Task NodeInterface_gasEstimateL1Component_is_decoded_and_priced()
    {
        await using JsonRpcClient client = JsonRpcClient.ForHttp(_anvil.HttpUrl, AnvilTestKit.Options);
        var reader = new ChainGasReader(client, 42_161, L1FeeModel.Arbitrum);
        UInt256 l2Price = 100_000_000UL;
        UInt256 l1Cost = ArbitrumL1Estimate.L1Cost(L1PricePerUnit, 180);
        ulong gasForL1 = (ulong)ArbitrumL1Estimate.BufferGas(l1Cost, l2Price);
        await SetCodeAsync(client, ChainGasReader.NodeInterface, ReturnConstant(Words(gasForL1, 100_000_000, L1PricePerUnit)));
        HeadInfo head = await LatestHeadAsync(client);
        RpcResult<ArbitrumL1Estimate> estimate = await reader.EstimateArbitrumL1Async(Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"), false, new byte[452], head.Number);
        Assert.True(estimate.IsOk, estimate.ToString());
        Assert.Equal(new ArbitrumL1Estimate(gasForL1, l2Price, L1PricePerUnit), estimate.Value);
        Assert.True(estimate.Value.L1FeeWei <= l1Cost && l1Cost - estimate.Value.L1FeeWei < l2Price, "the buffer gas at the L2 price gives back the L1 cost, less than one gas of rounding");

        // Each bad answer is read at the block its code was set in (anvil_setCode, then a mined block).
        (byte[] Code, string Why)[] cases =
        [
            (ReturnConstant([.. Words(1, 1), .. Words(1)[..31]]), "not three words"),
            (ReturnConstant([.. Wide(65), .. Words(1, 1)]), "uint64"),
            (ReturnConstant([.. Words(1), .. Wide(ChainGasReader.MaxPriceBits + 1), .. Words(1)]), "exceed 2^128"),
            ([], "answered 0 bytes"),
        ];
        foreach ((byte[] code, string why) in cases)
        {
            await SetCodeAsync(client, ChainGasReader.NodeInterface, code);
            RpcResult<ArbitrumL1Estimate> bad = await reader.EstimateArbitrumL1Async(default, false, new byte[3], (await LatestHeadAsync(client)).Number);
            Assert.False(bad.IsOk, "accepted " + Hex.Encode(code));
            Assert.Equal(RpcErrorKind.MalformedResponse, bad.Error!.Kind);
            Assert.Contains(why, bad.Error.Message, StringComparison.Ordinal);
        }

        await SetCodeAsync(client, ChainGasReader.NodeInterface, Revert);
        Assert.Equal(RpcErrorKind.Node, (await reader.EstimateArbitrumL1Async(default, false, new byte[3], (await LatestHeadAsync(client)).Number)).Error!.Kind);
    }

    [Fact]
    public async Task Bad_ArbGasInfo_answers_are_errors()
    {
        await using JsonRpcClient client = JsonRpcClient.ForHttp(_anvil.HttpUrl, AnvilTestKit.Options);
        var reader = new ChainGasReader(client, 42_161, L1FeeModel.Arbitrum);
        (byte[] Code, RpcErrorKind Kind)[] cases =
        [
            (ReturnConstant(Words(1, 2, 3, 4, 5)), RpcErrorKind.MalformedResponse),
            (ReturnConstant([.. Wide(ChainGasReader.MaxPriceBits + 1), .. Words(1, 1, 1, 1, 1)]), RpcErrorKind.MalformedResponse),
            (ReturnConstant([.. Words(1), .. Wide(255), .. Words(1, 1, 1, 1)]), RpcErrorKind.MalformedResponse),
            (Revert, RpcErrorKind.Node),
            ([], RpcErrorKind.MalformedResponse),
        ];
        await AssertRefusedAsync(client, reader, ChainGasReader.ArbGasInfo, cases);
    }

    [Fact]
    public async Task Bad_GasPriceOracle_answers_are_errors_and_a_pre_Fjord_oracle_is_Ecotone()
    {
        await using JsonRpcClient client = JsonRpcClient.ForHttp(_anvil.HttpUrl, AnvilTestKit.Options);
        var reader = new ChainGasReader(client, 10, ChainGasReader.ModelOf("op-stack"));
        byte[] isFjord = Keccak256.Hash("isFjord()"u8)[..4];

        // Every getter answers 5 and isFjord reverts, as on an oracle from before Fjord: Ecotone, 16·5·5 + 5·5.
        await SetCodeAsync(client, ChainGasReader.GasPriceOracle, RevertOn(isFjord, Words(5)));
        RpcResult<GasQuote> ecotone = await reader.ReadAsync(await LatestHeadAsync(client));
        Assert.True(ecotone.IsOk, ecotone.ToString());
        Assert.Equal(L1FeeModel.OpStackEcotone, ecotone.Value.L1Model);
        Assert.Equal(new UInt256(425), ecotone.Value.L1WeightedGasPrice);

        await SetCodeAsync(client, ChainGasReader.GasPriceOracle, ReturnConstant(Words(1)));
        RpcResult<GasQuote> fjord = await reader.ReadAsync(await LatestHeadAsync(client));
        Assert.Equal(L1FeeModel.OpStackFjord, fjord.Value.L1Model);

        (byte[] Code, RpcErrorKind Kind)[] cases =
        [
            (ReturnConstant(Words(2)), RpcErrorKind.MalformedResponse), // isFjord = 2 is not a bool
            (ReturnConstant(Words(1)[..16]), RpcErrorKind.MalformedResponse),
            (ReturnConstant(Wide(33)), RpcErrorKind.MalformedResponse), // scalars wider than uint32
            (Revert, RpcErrorKind.Node),
            ([], RpcErrorKind.MalformedResponse),
        ];
        await AssertRefusedAsync(client, reader, ChainGasReader.GasPriceOracle, cases);

        await SetCodeAsync(client, ChainGasReader.GasPriceOracle, ReturnConstant(Words(1)[..20]));
        Assert.Equal(RpcErrorKind.MalformedResponse, (await reader.GetL1FeeAsync(new byte[10], (await LatestHeadAsync(client)).Number)).Error!.Kind);
    }

    // Each code in turn at `at`, each read refused with its kind of error.
    private static async Task AssertRefusedAsync(JsonRpcClient client, ChainGasReader reader, Address at, (byte[] Code, RpcErrorKind Kind)[] cases)
    {
        foreach ((byte[] code, RpcErrorKind kind) in cases)
        {
            await SetCodeAsync(client, at, code);
            RpcResult<GasQuote> quote = await reader.ReadAsync(await LatestHeadAsync(client));
            Assert.False(quote.IsOk, "accepted " + Hex.Encode(code));
            Assert.Equal(kind, quote.Error!.Kind);
        }
    }

    private static readonly byte[] Revert = [0x60, 0x00, 0x60, 0x00, 0xfd];

    // CODECOPY the blob that follows this 15-byte prefix into memory and RETURN it, whatever the call.
    private static byte[] ReturnConstant(byte[] blob) => [.. ReturnPrefix(blob.Length, 15), .. blob];

    private static byte[] ReturnPrefix(int length, int blobOffset) =>
        [0x61, (byte)(length >> 8), (byte)length, 0x61, (byte)(blobOffset >> 8), (byte)blobOffset, 0x60, 0x00, 0x39, 0x61, (byte)(length >> 8), (byte)length, 0x60, 0x00, 0xf3];

    // REVERT when the selector is `selector`, else return the blob: selector dispatch (15 B), return (15 B), revert (6 B), blob.
    private static byte[] RevertOn(byte[] selector, byte[] blob) =>
        [0x60, 0x00, 0x35, 0x60, 0xe0, 0x1c, 0x63, .. selector, 0x14, 0x60, 30, 0x57, .. ReturnPrefix(blob.Length, 36), 0x5b, 0x60, 0x00, 0x60, 0x00, 0xfd, .. blob];

    private static byte[] Words(params ulong[] values)
    {
        byte[] data = new byte[values.Length * 32];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan((i * 32) + 24), values[i]);
        }

        return data;
    }

    // One word whose highest set bit is bit `bits - 1`: just wider than a `bits - 1`-bit type.
    private static byte[] Wide(int bits)
    {
        byte[] word = new byte[32];
        (UInt256.One << (bits - 1)).ToBigEndian(word);
        return word;
    }

    private static async Task SetCodeAsync(JsonRpcClient client, Address at, byte[] code)
    {
        RpcResult<JsonElement> set = await client.CallAsync("anvil_setCode", RpcParams.Strings(at.ToLowerHexString(), Hex.Encode(code)));
        Assert.True(set.IsOk, "anvil_setCode: " + set);
        Assert.True((await client.CallAsync("evm_mine", RpcParams.Empty)).IsOk);
    }

    private static async Task<HeadInfo> LatestHeadAsync(JsonRpcClient client)
    {
        RpcResult<Block?> latest = await client.GetBlockByNumberAsync(BlockTag.Latest);
        Assert.True(latest.IsOk && latest.Value is not null);
        return new HeadInfo { Number = latest.Value!.Header.Number, BaseFeePerGas = latest.Value.Header.BaseFeePerGas!.Value, HasBaseFee = true };
    }
}
