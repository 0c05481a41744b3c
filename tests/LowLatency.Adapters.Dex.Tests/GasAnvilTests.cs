using System.Text.Json;
using LowLatency.Adapters.Dex.Common;
using LowLatency.Adapters.Dex.Gas;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.HotPath.Chains;
using LowLatency.Testing;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;
using Xunit.Abstractions;

namespace LowLatency.Adapters.Dex.Tests;

/// <summary>
/// Gas read on-chain, on anvil: the EIP-1559 base fee from our newHeads parsing equals the block's, the tip is the
/// node's; and the OP Stack L1 data fee from the real GasPriceOracle and L1Block bytecode of
/// @eth-optimism/contracts-bedrock 0.17.3 (placed at their predeploy addresses, Ecotone switched on by the depositor
/// account as on the chain): our quote's L1 fee equals the oracle's getL1Fee for random transactions, under Ecotone
/// and under Fjord (FastLZ), and our size-only Fjord bound equals getL1FeeUpperBound. The oracle's side (the depositor's
/// transactions, its getL1Fee and getL1FeeUpperBound answers) goes through Nethereum.Web3, not through our code.
/// </summary>
[Trait("Category", "Slow")]
public sealed class GasAnvilTests : IClassFixture<AnvilFixture>
{
    private static readonly Address L1Block = Address.Parse("0x4200000000000000000000000000000000000015");
    private const uint BaseFeeScalar = 2269, BlobBaseFeeScalar = 1_055_762;
    private const ulong L1BaseFee = 23_456_789_012UL, BlobBaseFee = 7_654_321UL;
    private static readonly Address Depositor = Address.Parse("0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001");
    private readonly AnvilFixture _anvil;
    private readonly ITestOutputHelper _output;

    public GasAnvilTests(AnvilFixture anvil, ITestOutputHelper output)
    {
        _anvil = anvil;
        _output = output;
    }

    [Fact]
    public async Task The_base_fee_comes_from_newHeads_and_the_tip_from_the_node()
    {
        RpcResult<JsonRpcClient> ws = await JsonRpcClient.ConnectWsAsync(_anvil.WsUrl, AnvilTestKit.Options);
        Assert.True(ws.IsOk, ws.ToString());
        await using JsonRpcClient client = ws.Value;
        var heads = new System.Collections.Concurrent.ConcurrentQueue<HeadInfo>();
        RpcResult<WsSubscription> sub = await ((WsJsonRpcTransport)client.Transport).SubscribeRawAsync(RpcParams.Strings("newHeads"), frame =>
        {
            if (NotificationParser.ParseHeadNotification(frame, out HeadInfo h) == DecodeStatus.Ok)
            {
                heads.Enqueue(h);
            }
        });
        Assert.True(sub.IsOk, sub.ToString());
        Assert.True((await client.CallAsync("evm_mine", RpcParams.Empty)).IsOk);
        HeadInfo head = default;
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!heads.TryDequeue(out head))
        {
            Assert.True(DateTime.UtcNow < deadline, "no newHeads notification");
            await Task.Delay(10);
        }

        RpcResult<Block?> block = await client.GetBlockByNumberAsync(BlockTag.Number(head.Number));
        Assert.True(block.IsOk && block.Value is not null);
        Assert.True(head.HasBaseFee);
        Assert.Equal(block.Value!.Header.BaseFeePerGas, head.BaseFeePerGas);
        Assert.Equal(block.Value.Header.Hash, Hex.Decode(head.Hash.ToString()));

        RpcResult<GasQuote> quote = await new ChainGasReader(client, (ulong)AnvilFixture.ChainId, L1FeeModel.None).ReadAsync(head);
        Assert.True(quote.IsOk, quote.ToString());
        RpcResult<UInt256> tip = await client.MaxPriorityFeePerGasAsync();
        Assert.Equal(tip.Value, quote.Value.PriorityFeePerGas);
        Assert.Equal(head.BaseFeePerGas, quote.Value.BaseFeePerGas);
        Assert.Equal((head.BaseFeePerGas + tip.Value) * 21_000UL, quote.Value.Cost(21_000, 0, 0));
        _output.WriteLine($"block {head.Number}: base fee {head.BaseFeePerGas} wei, tip {tip.Value} wei");
        _ = await sub.Value.UnsubscribeAsync();
    }

    [Fact]
    public async Task The_OP_stack_L1_fee_equals_the_real_GasPriceOracle()
    {
        await using JsonRpcClient client = JsonRpcClient.ForHttp(_anvil.HttpUrl, AnvilTestKit.Options);
        (NethereumOracleSide oracle, string snapshot) = await InstallOracleAsync(client, fjord: false);
        try
        {
            (ChainGasReader reader, HeadInfo head, GasQuote quote) = await ReadOpStackAsync(client);
            Assert.Equal(L1FeeModel.OpStackEcotone, quote.L1Model);
            Assert.Equal(GasQuote.EcotoneWeightedGasPrice(L1BaseFee, BlobBaseFee, BaseFeeScalar, BlobBaseFeeScalar), quote.L1WeightedGasPrice);

            var rng = new Random(10);
            for (int i = 0; i < 25; i++)
            {
                byte[] tx = RandomTransaction(rng, i);
                int zeros = tx.Count(b => b == 0);
                RpcResult<UInt256> fee = await reader.GetL1FeeAsync(tx, head.Number);
                Assert.True(fee.IsOk, fee.ToString());
                Assert.Equal(await oracle.GetL1FeeAsync(tx, head.Number), (System.Numerics.BigInteger)fee.Value);
                Assert.Equal(fee.Value, quote.Cost(0, tx.Length - zeros, zeros));
                Assert.Equal(fee.Value, quote.Cost(0, tx));
                if (i == 0)
                {
                    _output.WriteLine($"{tx.Length} bytes ({zeros} zero): getL1Fee {fee.Value} wei, ours {quote.Cost(0, tx.Length - zeros, zeros)}");
                }
            }
        }
        finally
        {
            await CallOk(client, "evm_revert", snapshot);
        }
    }

    /// <summary>
    /// Fjord on the same real bytecode (contracts-bedrock 0.17.3's GasPriceOracle has isFjord, setFjord and solady's
    /// LibZip.flzCompress): the reader sees isFjord and switches formula; our FastLZ-based fee equals getL1Fee and our
    /// size-only bound equals getL1FeeUpperBound, to the wei. A second pass with a weighted price of exactly 1e12 makes
    /// the oracle's fee the regression's size itself, so our FastLZ length is checked byte for byte, not just after rounding.
    /// </summary>
    [Fact]
    public async Task The_Fjord_L1_fee_and_upper_bound_equal_the_real_GasPriceOracle()
    {
        await using JsonRpcClient client = JsonRpcClient.ForHttp(_anvil.HttpUrl, AnvilTestKit.Options);
        (NethereumOracleSide oracle, string snapshot) = await InstallOracleAsync(client, fjord: true);
        try
        {
            (ChainGasReader reader, HeadInfo head, GasQuote quote) = await ReadOpStackAsync(client);
            Assert.Equal(L1FeeModel.OpStackFjord, quote.L1Model);
            var rng = new Random(11);
            for (int i = 0; i < 40; i++)
            {
                byte[] tx = RandomTransaction(rng, i);
                int zeros = tx.Count(b => b == 0);
                RpcResult<UInt256> fee = await reader.GetL1FeeAsync(tx, head.Number);
                Assert.True(fee.IsOk, fee.ToString());
                Assert.Equal(await oracle.GetL1FeeAsync(tx, head.Number), (System.Numerics.BigInteger)fee.Value);
                Assert.Equal(fee.Value, quote.Cost(0, tx));
                System.Numerics.BigInteger bound = await oracle.GetL1FeeUpperBoundAsync((ulong)tx.Length, head.Number);
                Assert.Equal(bound, (System.Numerics.BigInteger)quote.Cost(0, tx.Length - zeros, zeros));
                if (i == 0)
                {
                    _output.WriteLine($"Fjord, {tx.Length} bytes (FastLZ {FastLz.CompressedLength(tx)}): getL1Fee {fee.Value} wei, upper bound {bound}");
                }
            }

            // 16 * baseFeeScalar(1) * l1BaseFee(62.5e9) = 1e12: fee = max(100e6, intercept + coef * (flz + 68)).
            await SetL1ValuesAsync(oracle, 1, 0, 62_500_000_000UL, 0);
            (reader, head, quote) = await ReadOpStackAsync(client);
            Assert.Equal(new UInt256(1_000_000_000_000UL), quote.L1WeightedGasPrice);
            int checkedSizes = 0;
            for (int i = 0; i < 40; i++)
            {
                byte[] tx = RandomTransaction(rng, i);
                RpcResult<UInt256> fee = await reader.GetL1FeeAsync(tx, head.Number);
                Assert.True(fee.IsOk, fee.ToString());
                Assert.Equal(await oracle.GetL1FeeAsync(tx, head.Number), (System.Numerics.BigInteger)fee.Value);
                Assert.Equal(GasQuote.FjordEstimatedSize((ulong)FastLz.CompressedLength(tx) + 68UL), fee.Value);
                if (fee.Value > new UInt256(GasQuote.FjordMinTransactionSize * 1_000_000UL))
                {
                    checkedSizes++;
                }
            }

            Assert.True(checkedSizes >= 20, $"only {checkedSizes} transactions were above the size floor");
        }
        finally
        {
            await CallOk(client, "evm_revert", snapshot);
        }
    }

    // Random bytes, runs of zeros, repeated words and ABI-like padding, so that FastLZ finds literals and matches of every length.
    private static byte[] RandomTransaction(Random rng, int i)
    {
        byte[] tx = new byte[i % 5 == 0 ? rng.Next(0, 20) : rng.Next(20, 1_500)];
        rng.NextBytes(tx);
        int mode = i % 4;
        for (int k = 0; k < tx.Length; k++)
        {
            if (mode == 1 && rng.Next(3) == 0)
            {
                tx[k] = 0;
            }
            else if (mode == 2 && k >= 32 && rng.Next(4) != 0)
            {
                tx[k] = tx[k - 32];
            }
            else if (mode == 3 && k % 32 < 24)
            {
                tx[k] = 0;
            }
        }

        return tx;
    }

    private static async Task<(ChainGasReader Reader, HeadInfo Head, GasQuote Quote)> ReadOpStackAsync(JsonRpcClient client)
    {
        RpcResult<Block?> latest = await client.GetBlockByNumberAsync(BlockTag.Latest);
        Assert.True(latest.IsOk && latest.Value is not null);
        var head = new HeadInfo { Number = latest.Value!.Header.Number, BaseFeePerGas = latest.Value.Header.BaseFeePerGas!.Value, HasBaseFee = true };
        var reader = new ChainGasReader(client, 10, ChainGasReader.ModelOf("op-stack"));
        RpcResult<GasQuote> quote = await reader.ReadAsync(head);
        Assert.True(quote.IsOk, quote.ToString());
        return (reader, head, quote.Value);
    }

    // The real predeploys at their addresses, the L1 values written by the depositor, Ecotone (and Fjord) switched on as
    // on the chain; the snapshot to revert to afterwards.
    private async Task<(NethereumOracleSide Oracle, string Snapshot)> InstallOracleAsync(JsonRpcClient client, bool fjord)
    {
        var oracle = new NethereumOracleSide(_anvil.HttpUrl, ChainGasReader.GasPriceOracle);
        RpcResult<JsonElement> snapshot = await client.CallAsync("evm_snapshot", RpcParams.Empty);
        Assert.True(snapshot.IsOk, snapshot.ToString());
        await CallOk(client, "anvil_setCode", L1Block.ToLowerHexString(), Deployed("L1Block.sol", "L1Block.json"));
        await CallOk(client, "anvil_setCode", ChainGasReader.GasPriceOracle.ToLowerHexString(), Deployed("GasPriceOracle.sol", "GasPriceOracle.json"));
        await CallOk(client, "anvil_setBalance", Depositor.ToLowerHexString(), "0x56bc75e2d63100000");
        await CallOk(client, "anvil_impersonateAccount", Depositor.ToLowerHexString());
        await SetL1ValuesAsync(oracle, BaseFeeScalar, BlobBaseFeeScalar, L1BaseFee, BlobBaseFee);
        await oracle.SendAsync(Depositor, ChainGasReader.GasPriceOracle, Keccak256.Hash("setEcotone()"u8)[..4]);
        if (fjord)
        {
            await oracle.SendAsync(Depositor, ChainGasReader.GasPriceOracle, Keccak256.Hash("setFjord()"u8)[..4]);
        }

        return (oracle, snapshot.Value.GetString()!);
    }

    // setL1BlockValuesEcotone(): packed baseFeeScalar, blobBaseFeeScalar (uint32), sequenceNumber, timestamp, number (uint64), basefee, blobBaseFee (uint256), hash, batcherHash.
    private static async Task SetL1ValuesAsync(NethereumOracleSide oracle, uint baseFeeScalar, uint blobBaseFeeScalar, ulong l1BaseFee, ulong blobBaseFee)
    {
        var values = new byte[4 + 160];
        Keccak256.Hash("setL1BlockValuesEcotone()"u8)[..4].CopyTo(values, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(values.AsSpan(4), baseFeeScalar);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(values.AsSpan(8), blobBaseFeeScalar);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(values.AsSpan(12), 3);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(values.AsSpan(20), 1_700_000_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(values.AsSpan(28), 19_000_000);
        new UInt256(l1BaseFee).ToBigEndian(values.AsSpan(36, 32));
        new UInt256(blobBaseFee).ToBigEndian(values.AsSpan(68, 32));
        await oracle.SendAsync(Depositor, L1Block, values);
    }

    private static string Deployed(params string[] artifact)
    {
        string path = Path.Combine([SharedData.RepoRoot, "tools", "node_modules", "@eth-optimism", "contracts-bedrock", "forge-artifacts", .. artifact]);
        Assert.True(File.Exists(path), path + " missing: run scripts/setup-node-tools.sh");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("deployedBytecode").GetProperty("object").GetString()!;
    }

    private static async Task CallOk(JsonRpcClient client, string method, params string[] args)
    {
        RpcResult<JsonElement> r = await client.CallAsync(method, RpcParams.Strings(args));
        Assert.True(r.IsOk, method + ": " + r);
    }
}
