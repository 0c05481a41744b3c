using System.Numerics;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.HotPath.Amm;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;
using Xunit.Abstractions;
using static LowLatency.Testing.Chain.DexChain;

namespace LowLatency.Adapters.Ethereum.Tests.Dex;

/// <summary>
/// Proof (a), V3: the real UniswapV3Factory and UniswapV3Pool bytecode from @uniswap/v3-core on anvil. Three pools
/// (0.01 %/1, 0.05 %/10, 0.3 %/60), positions minted across many ticks, then seeded random swaps in both directions,
/// exact in and exact out, crossing ticks and hitting price limits, invalid limits and zero amounts. Every mint's
/// amounts and every swap's Swap event (amount0, amount1, sqrtPriceX96, liquidity, tick) must equal our maths, every
/// swap we call a revert must revert on the chain, and the pool's storage (slot0, liquidity, fee growth) must equal
/// our state along the way.
/// </summary>
[Trait("Category", "Slow")]
public sealed class UniswapV3AnvilTests : IClassFixture<BigBlockAnvil>
{
    private static readonly AbiFunction s_createPool = AbiFunction.Parse("createPool(address,address,uint24)(address)");
    private static readonly AbiFunction s_getPool = AbiFunction.Parse("getPool(address,address,uint24)(address)");
    private static readonly AbiFunction s_enableFee = AbiFunction.Parse("enableFeeAmount(uint24,int24)");
    private static readonly AbiFunction s_initialize = AbiFunction.Parse("initialize(uint160)");
    private static readonly AbiFunction s_slot0 = AbiFunction.Parse("slot0()(uint160,int24,uint16,uint16,uint16,uint8,bool)");
    private static readonly AbiFunction s_liquidity = AbiFunction.Parse("liquidity()(uint128)");
    private static readonly AbiFunction s_feeGrowth0 = AbiFunction.Parse("feeGrowthGlobal0X128()(uint256)");
    private static readonly AbiFunction s_feeGrowth1 = AbiFunction.Parse("feeGrowthGlobal1X128()(uint256)");
    private static readonly AbiFunction s_ticks = AbiFunction.Parse("ticks(int24)(uint128,int128,uint256,uint256,int56,uint160,uint32,bool)");
    private static readonly AbiFunction s_transfer = AbiFunction.Parse("transfer(address,uint256)(bool)");
    private static readonly AbiFunction s_mint = AbiFunction.Parse("mint(address,int24,int24,uint128)(uint256,uint256)");
    private static readonly AbiFunction s_swap = AbiFunction.Parse("swap(address,bool,int256,uint160)(int256,int256)");
    private static readonly AbiEvent s_swapEvent = AbiEvent.Parse("Swap(address indexed sender,address indexed recipient,int256 amount0,int256 amount1,uint160 sqrtPriceX96,uint128 liquidity,int24 tick)");
    private static readonly AbiEvent s_mintEvent = AbiEvent.Parse("Mint(address sender,address indexed owner,int24 indexed tickLower,int24 indexed tickUpper,uint128 amount,uint256 amount0,uint256 amount1)");

    private readonly AnvilFixture _anvil;
    private readonly ITestOutputHelper _output;

    public UniswapV3AnvilTests(BigBlockAnvil anvil, ITestOutputHelper output)
    {
        _anvil = anvil.Anvil;
        _output = output;
    }

    private sealed class Tally
    {
        public int Swaps { get; set; }

        public int Reverts { get; set; }

        public int ExactOut { get; set; }

        public int ZeroForOne { get; set; }

        public int TicksCrossed { get; set; }

        public int LimitHits { get; set; }

        public int Mints { get; set; }

        public int StateChecks { get; set; }

        public HashSet<string> RevertKinds { get; } = [];

        public List<(byte[] Hash, V3SwapResult Expected)> Pending { get; } = [];
    }

    /// <summary>Every sent swap's Swap event must be what we quoted.</summary>
    private static async Task FlushAsync(DexChain chain, Address poolAddress, Tally tally)
    {
        if (tally.Pending.Count == 0)
        {
            return;
        }

        TransactionReceipt[] receipts = await chain.ReceiptsAsync(tally.Pending.ConvertAll(p => p.Hash));
        for (int i = 0; i < receipts.Length; i++)
        {
            V3SwapResult expected = tally.Pending[i].Expected;
            Assert.True(receipts[i].Succeeded, $"we quoted {expected}, the pool reverted");
            UInt256[] w = EventWords(receipts[i], poolAddress, s_swapEvent.Topic0);
            Assert.Equal(expected.Amount0, Int256.FromBits(w[0]));
            Assert.Equal(expected.Amount1, Int256.FromBits(w[1]));
            Assert.Equal(expected.SqrtPriceX96, w[2]);
            Assert.Equal((UInt256)expected.Liquidity, w[3]);
            Assert.Equal(expected.Tick, (int)(long)Int256.FromBits(w[4]));
        }

        tally.Pending.Clear();
    }

    [Fact]
    public async Task A_thousand_random_swaps_on_the_real_pools_equal_our_maths()
    {
        await using DexChain chain = await StartAsync(_anvil);
        byte[] erc20 = Artifact("@uniswap", "v2-core", "build", "ERC20.json");
        UInt256 supply = UInt256.One << 200;
        byte[] supplyArgument = AbiCodec.Encode(AbiType.Parse("(uint256)"), AbiValue.Tuple(AbiValue.UInt(supply)));
        Address tokenA = await chain.DeployAsync(erc20, supplyArgument);
        Address tokenB = await chain.DeployAsync(erc20, supplyArgument);
        Address caller = await chain.DeployAsync(CompileCaller());
        foreach (Address token in new[] { tokenA, tokenB })
        {
            Assert.True((await chain.SendAsync(token, s_transfer.EncodeCall(A(caller), AbiValue.UInt(supply)))).Succeeded);
        }

        Address factory = await chain.DeployAsync(Artifact("@uniswap", "v3-core", "artifacts", "contracts", "UniswapV3Factory.sol", "UniswapV3Factory.json"));
        Assert.True((await chain.SendAsync(factory, s_enableFee.EncodeCall(U(100), I(1)))).Succeeded);

        var tally = new Tally();
        (uint Fee, int Spacing, int Seed)[] configs = [(500, 10, 1), (3000, 60, 2), (100, 1, 3)];
        foreach ((uint fee, int spacing, int seed) in configs)
        {
            await RunPoolAsync(chain, factory, caller, tokenA, tokenB, fee, spacing, seed, tally);
        }

        _output.WriteLine(
            $"swaps compared {tally.Swaps}, reverts matched {tally.Reverts} ({string.Join(", ", tally.RevertKinds)}), exact out {tally.ExactOut}, " +
            $"zeroForOne {tally.ZeroForOne}, initialized ticks crossed {tally.TicksCrossed}, swaps ending on their limit {tally.LimitHits}, " +
            $"mints {tally.Mints}, storage checks {tally.StateChecks}");
        Assert.True(tally.Swaps + tally.Reverts >= 1000);
        Assert.True(tally.Swaps >= 1000, tally.Swaps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(tally.ExactOut > 250 && tally.ZeroForOne > 250 && tally.Swaps - tally.ZeroForOne > 250);
        Assert.True(tally.TicksCrossed > 1000 && tally.LimitHits > 30 && tally.Reverts > 30);
    }

    private async Task RunPoolAsync(DexChain chain, Address factory, Address caller, Address tokenA, Address tokenB, uint fee, int spacing, int seed, Tally tally)
    {
        var rng = new Random(seed);
        Assert.True((await chain.SendAsync(factory, s_createPool.EncodeCall(A(tokenA), A(tokenB), U(fee)))).Succeeded);
        Address poolAddress = (await chain.ReadAsync(factory, s_getPool, A(tokenA), A(tokenB), U(fee)))[0].AddressValue;

        int startTick = rng.Next(-3000, 3000) / spacing * spacing;
        Assert.True(TickMath.TryGetSqrtRatioAtTick(startTick, out UInt256 start));
        start += (ulong)rng.Next(1, 1_000_000);
        Assert.True((await chain.SendAsync(poolAddress, s_initialize.EncodeCall(AbiValue.UInt(start)))).Succeeded);
        var pool = new V3Pool(fee, spacing);
        Assert.Equal(V3Status.Ok, pool.Initialize(start));

        // Positions across many ticks: narrow ones near the price, wide ones, and one full range.
        for (int k = 0; k < 45; k++)
        {
            int lower, upper;
            if (k == 0)
            {
                lower = (int)Math.Ceiling(TickMath.MinTick / (double)spacing) * spacing;
                upper = TickMath.MaxTick / spacing * spacing;
            }
            else
            {
                int span = spacing * (k % 3 == 0 ? rng.Next(20, 400) : rng.Next(1, 40));
                lower = ((startTick / spacing) + (rng.Next(-1500, 1500) * 10 / spacing)) * spacing;
                lower = Math.Max(lower, -880000 / spacing * spacing);
                upper = lower + span;
            }

            var amount = (UInt128)(BigInteger.Pow(10, rng.Next(17, 22)) * rng.Next(1, 10));
            TransactionReceipt minted = await chain.SendAsync(caller, s_mint.EncodeCall(A(poolAddress), I(lower), I(upper), AbiValue.UInt((UInt256)amount)));
            Assert.True(minted.Succeeded, $"mint [{lower}, {upper})");
            Assert.Equal(V3Status.Ok, pool.Mint(lower, upper, amount, out UInt256 owed0, out UInt256 owed1));
            UInt256[] words = EventWords(minted, poolAddress, s_mintEvent.Topic0);
            Assert.Equal((UInt256)amount, words[1]);
            Assert.Equal(words[2], owed0);
            Assert.Equal(words[3], owed1);
            tally.Mints++;
        }

        await AssertStorageAsync(chain, poolAddress, pool, tally);
        for (int s = 0; s < 400; s++)
        {
            await OneSwapAsync(chain, caller, poolAddress, pool, startTick, rng, tally);
            if (s % 40 == 39)
            {
                await AssertStorageAsync(chain, poolAddress, pool, tally);
            }
        }

        await AssertStorageAsync(chain, poolAddress, pool, tally);
    }

    private static async Task OneSwapAsync(DexChain chain, Address caller, Address poolAddress, V3Pool pool, int startTick, Random rng, Tally tally)
    {
        // Drift back towards the start so the price stays among the positions.
        int drift = pool.State.Tick - startTick;
        bool zeroForOne = rng.NextDouble() < (drift > 2000 ? 0.8 : drift < -2000 ? 0.2 : 0.5);
        bool exactIn = rng.Next(2) == 0;
        BigInteger size = BigInteger.Pow(10, rng.Next(9, 22)) * rng.Next(1, 10);
        UInt256 price = pool.State.SqrtPriceX96;
        UInt256 limit = rng.Next(20) switch
        {
            < 9 => V3Pool.DefaultPriceLimit(zeroForOne),
            < 18 => zeroForOne ? price - (price >> rng.Next(5, 14)) : price + (price >> rng.Next(5, 14)),
            18 => zeroForOne ? price + UInt256.One : price - UInt256.One,
            _ => rng.Next(2) == 0 ? price : zeroForOne ? TickMath.MinSqrtRatio : TickMath.MaxSqrtRatio,
        };
        if (!FullMath.FitsInUInt160(limit))
        {
            // Above any uint160 near the top of the range: the largest the ABI takes (and the pool refuses).
            limit = TickMath.MaxSqrtRatio;
        }

        if (rng.Next(100) == 0)
        {
            size = 0;
        }

        Int256 amount = Int256.FromBits((UInt256)size);
        if (!exactIn)
        {
            amount = -amount;
        }

        V3Status status = pool.Quote(zeroForOne, amount, limit, out V3SwapResult expected);
        byte[] call = s_swap.EncodeCall(A(poolAddress), AbiValue.FromBool(zeroForOne), AbiValue.IntFromWord(amount.Bits), AbiValue.UInt(limit));
        if (status != V3Status.Ok)
        {
            Assert.True(V3StatusText.IsRevert(status));

            // The call must see every swap sent before it: wait for their receipts (and check them) first.
            await FlushAsync(chain, poolAddress, tally);
            RpcResult<byte[]> reverted = await chain.CallAsync(caller, call);
            Assert.False(reverted.IsOk, $"we say {status}, the pool swapped");
            Assert.Equal(V3StatusText.RevertReason(status), RevertText(reverted.Error!));
            tally.Reverts++;
            tally.RevertKinds.Add(V3StatusText.RevertReason(status));
            return;
        }

        // A walk across thousands of empty bitmap words costs more gas than a mainnet block holds; the chain here has
        // room. The receipt is checked in the next batch (FlushAsync); our pool moves on as if it succeeded.
        byte[] hash = await chain.SendOnlyAsync(caller, call, BigBlockAnvil.TransactionGas);
        tally.Pending.Add((hash, expected));
        Assert.Equal(V3Status.Ok, pool.Swap(zeroForOne, amount, limit, out _));
        tally.Swaps++;
        tally.ExactOut += exactIn ? 0 : 1;
        tally.ZeroForOne += zeroForOne ? 1 : 0;
        tally.TicksCrossed += expected.TicksCrossed;
        tally.LimitHits += expected.SqrtPriceX96 == limit ? 1 : 0;
    }

    private static async Task AssertStorageAsync(DexChain chain, Address poolAddress, V3Pool pool, Tally tally)
    {
        await FlushAsync(chain, poolAddress, tally);
        IReadOnlyList<AbiValue> slot0 = await chain.ReadAsync(poolAddress, s_slot0);
        Assert.Equal(pool.State.SqrtPriceX96, slot0[0].Word);
        Assert.Equal(pool.State.Tick, (int)slot0[1].Integer);
        Assert.Equal((UInt256)pool.State.Liquidity, (await chain.ReadAsync(poolAddress, s_liquidity))[0].Word);
        Assert.Equal(pool.State.FeeGrowthGlobal0X128, (await chain.ReadAsync(poolAddress, s_feeGrowth0))[0].Word);
        Assert.Equal(pool.State.FeeGrowthGlobal1X128, (await chain.ReadAsync(poolAddress, s_feeGrowth1))[0].Word);

        // A sample of the tick table: gross and net liquidity as the pool stores them.
        ReadOnlySpan<int> ticks = pool.Ticks.Ticks;
        int[] sample = [ticks[0], ticks[ticks.Length / 2], ticks[^1]];
        foreach (int tick in sample)
        {
            Assert.True(pool.Ticks.TryGetTick(tick, out V3TickInfo info));
            IReadOnlyList<AbiValue> onChain = await chain.ReadAsync(poolAddress, s_ticks, I(tick));
            Assert.Equal((UInt256)info.LiquidityGross, onChain[0].Word);
            Assert.Equal((BigInteger)info.LiquidityNet, onChain[1].Integer);
            Assert.True(onChain[7].BoolValue);
        }

        tally.StateChecks++;
    }

    /// <summary>The revert string of an eth_call error (Error(string) data), or the node's message.</summary>
    private static string RevertText(RpcError error)
    {
        string? data = error.Data?.Trim('"');
        if (data is { Length: >= 10 + 128 } && data.StartsWith("0x08c379a0", StringComparison.Ordinal))
        {
            // Error(string): offset word, length word, the bytes.
            byte[] body = Hex.Decode("0x" + data[10..]);
            int length = (int)(ulong)UInt256.FromBigEndian(body.AsSpan(32, 32));
            return System.Text.Encoding.UTF8.GetString(body, 64, length);
        }

        return data is null or "0x" ? "(no reason)" : "(data " + data[..Math.Min(data.Length, 80)] + ")";
    }
}

/// <summary>
/// anvil with a 1e9 block gas limit on Prague (no per-transaction gas cap), so that a swap walking thousands of empty
/// tick-bitmap words runs to completion instead of running out of gas.
/// </summary>
public sealed class BigBlockAnvil : IDisposable
{
    public const ulong TransactionGas = 500_000_000;

    public AnvilFixture Anvil { get; } = AnvilFixture.StartWith("--gas-limit", "1000000000", "--hardfork", "prague");

    public void Dispose() => Anvil.Dispose();
}
