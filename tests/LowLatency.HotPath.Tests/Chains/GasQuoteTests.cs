using System.Numerics;
using LowLatency.HotPath.Chains;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Chains;

/// <summary>
/// The L2 fee formulas without a node: FastLZ's format where it is fixed (literal runs of up to 32 bytes cost one
/// control byte; bytes that never repeat stay literals), the Fjord regression and its floor against a BigInteger
/// restatement of GasPriceOracle, and no allocation on the cost path. The exact parity with the real oracle bytecode
/// is GasAnvilTests (Adapters.Dex.Tests, Slow).
/// </summary>
public sealed class GasQuoteTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 2)]
    [InlineData(12, 13)]
    public void Inputs_shorter_than_FastLZs_window_are_one_literal_run(int length, int expected)
    {
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        Assert.Equal(expected, FastLz.CompressedLength(data));
    }

    [Fact]
    public void Bytes_without_repeats_cost_one_control_byte_per_32_literals()
    {
        // Random bytes redrawn until no 3-byte sequence repeats: FastLZ has nothing to match, all is literal runs.
        var rng = new Random(5);
        for (int length = 13; length < 1_500; length += 61)
        {
            byte[] data = new byte[length];
            do
            {
                rng.NextBytes(data);
            }
            while (HasRepeatedTriple(data));

            int expected = (0x21 * (length / 32)) + (length % 32 == 0 ? 0 : (length % 32) + 1);
            Assert.Equal(expected, FastLz.CompressedLength(data));
        }
    }

    [Fact]
    public void Repetitive_data_compresses_and_never_exceeds_the_literal_cost()
    {
        var rng = new Random(7);
        for (int n = 0; n < 200; n++)
        {
            byte[] data = new byte[rng.Next(13, 4_000)];
            rng.NextBytes(data);
            int period = rng.Next(1, 64);
            for (int i = period; i < data.Length; i++)
            {
                if (rng.Next(8) != 0)
                {
                    data[i] = data[i - period];
                }
            }

            int literalsOnly = (0x21 * (data.Length / 32)) + (data.Length % 32 == 0 ? 0 : (data.Length % 32) + 1);
            int length = FastLz.CompressedLength(data);
            Assert.InRange(length, 1, literalsOnly);
        }

        Assert.True(FastLz.CompressedLength(new byte[1_000]) < 40, "a run of zeros should compress to a few matches");
    }

    [Fact]
    public void The_Fjord_fee_is_GasPriceOracles_formula()
    {
        var rng = new Random(3);
        for (int i = 0; i < 2_000; i++)
        {
            ulong size = (ulong)rng.NextInt64(0, i % 10 == 0 ? long.MaxValue : 100_000);
            UInt256 weighted = GasQuote.EcotoneWeightedGasPrice((ulong)rng.NextInt64(0, long.MaxValue), (ulong)rng.NextInt64(0, long.MaxValue), (uint)rng.Next(), (uint)rng.Next());
            BigInteger estimated = BigInteger.Max(100 * 1_000_000, -42_585_600 + (836_500 * new BigInteger(size)));
            Assert.Equal(estimated * (BigInteger)weighted / 1_000_000_000_000, (BigInteger)GasQuote.FjordL1Fee(weighted, size));
            BigInteger txSize = new BigInteger(size % 1_000_000) + 68;
            BigInteger bound = BigInteger.Max(100 * 1_000_000, -42_585_600 + (836_500 * (txSize + (txSize / 255) + 16)));
            Assert.Equal(bound * (BigInteger)weighted / 1_000_000_000_000, (BigInteger)GasQuote.FjordL1FeeUpperBound(weighted, size % 1_000_000));
        }

        Assert.Equal(new UInt256(100_000_000), GasQuote.FjordEstimatedSize(0));
        Assert.Equal(new UInt256(100_000_000), GasQuote.FjordEstimatedSize(170));
        Assert.Equal(new UInt256(-42_585_600 + (836_500 * 171)), GasQuote.FjordEstimatedSize(171));
    }

    [Fact]
    public void Each_model_prices_its_own_L1_component()
    {
        var quote = new GasQuote { ChainId = 10, Block = 1, BaseFeePerGas = 1_000, PriorityFeePerGas = 10, L1WeightedGasPrice = 5_000_000_000_000UL };
        byte[] tx = new byte[300];
        new Random(1).NextBytes(tx);
        tx.AsSpan(0, 100).Clear();
        UInt256 execution = 1_010UL * 50_000UL;

        Assert.Equal(execution, (quote with { L1Model = L1FeeModel.None }).Cost(50_000, tx));
        Assert.Equal(execution + GasQuote.EcotoneL1Fee(quote.L1WeightedGasPrice, 200, 100), (quote with { L1Model = L1FeeModel.OpStackEcotone }).Cost(50_000, tx));
        GasQuote fjord = quote with { L1Model = L1FeeModel.OpStackFjord };
        Assert.Equal(execution + GasQuote.FjordL1Fee(quote.L1WeightedGasPrice, (ulong)FastLz.CompressedLength(tx) + 68), fjord.Cost(50_000, tx));
        Assert.Equal(execution + GasQuote.FjordL1FeeUpperBound(quote.L1WeightedGasPrice, 300), fjord.Cost(50_000, 200, 100));
        GasQuote arbitrum = quote with { L1Model = L1FeeModel.Arbitrum, L1FeePerByte = 16 * 30UL, L1FeePerTx = 140 * 16 * 30UL };
        Assert.Equal(execution + (16 * 30UL * (300 + 140)), arbitrum.Cost(50_000, tx));
        Assert.Equal(execution, quote.Cost(50_000, -5, -1));
    }

    [Fact]
    public void Pricing_a_transaction_allocates_nothing()
    {
        var fjord = new GasQuote { ChainId = 10, Block = 1, BaseFeePerGas = 7, L1Model = L1FeeModel.OpStackFjord, L1WeightedGasPrice = 123_456_789UL };
        byte[] tx = new byte[700];
        new Random(2).NextBytes(tx);
        UInt256 sink = fjord.Cost(100_000, tx) + (fjord with { L1Model = L1FeeModel.OpStackEcotone }).Cost(100_000, tx);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            sink += fjord.Cost(100_000, tx);
            sink += (fjord with { L1Model = L1FeeModel.OpStackEcotone }).Cost(100_000, tx);
            sink += fjord.Cost(100_000, 600, 100);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.False(sink.IsZero);
    }

    private static bool HasRepeatedTriple(byte[] data)
    {
        var seen = new HashSet<int>();
        for (int i = 0; i + 2 < data.Length; i++)
        {
            if (!seen.Add(data[i] | (data[i + 1] << 8) | (data[i + 2] << 16)))
            {
                return true;
            }
        }

        return false;
    }
}
