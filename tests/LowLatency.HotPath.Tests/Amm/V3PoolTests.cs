using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Amm;

public sealed class V3PoolTests
{
    private static readonly UInt128 s_e18 = 1_000_000_000_000_000_000UL;

    /// <summary>A 0.05 % pool at tick 0 with 21 positions, so a large swap crosses many initialized ticks.</summary>
    private static V3Pool LadderPool()
    {
        var pool = new V3Pool(500, 10);
        Assert.Equal(V3Status.Ok, pool.Initialize(FullMath.Q96));
        for (int i = -10; i <= 10; i++)
        {
            Assert.Equal(V3Status.Ok, pool.Mint(i * 20, (i * 20) + 200, s_e18 * (UInt128)(11 + i), out _, out _));
        }

        return pool;
    }

    [Fact]
    public void Quotes_at_many_sizes_and_swaps_across_ticks_do_not_allocate()
    {
        V3Pool pool = LadderPool();
        V2PoolState pair = new() { Reserve0 = UInt256.Parse("30000000000000"), Reserve1 = UInt256.Parse("12000000000000000000000"), FeeBps = 30 };
        UInt256 limitDown = V3Pool.DefaultPriceLimit(true), limitUp = V3Pool.DefaultPriceLimit(false);
        UInt256 sink = default;
        int crossed = 0;
        for (int round = 0; round < 2; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 1; i <= 200; i++)
            {
                Int256 size = (long)i * 50_000_000_000_000_000L;
                pool.Quote(i % 2 == 0, size, i % 2 == 0 ? limitDown : limitUp, out V3SwapResult r);
                pool.Quote(i % 2 == 0, -size, i % 2 == 0 ? limitDown : limitUp, out V3SwapResult o);
                crossed += r.TicksCrossed;
                sink += r.Amount0.Bits ^ o.Amount1.Bits;
                pair.QuoteExactIn(i % 2 == 0, (ulong)i * 1_000_000UL, out UInt256 v2Out);
                pair.QuoteExactOut(i % 2 == 0, (ulong)i * 1_000UL, out UInt256 v2In);
                sink += v2Out + v2In;
            }

            // A committed swap there and back.
            pool.Swap(true, (long)3_000_000_000_000_000_000, limitDown, out V3SwapResult down);
            pool.Swap(false, -down.Amount0, limitUp, out _);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round == 1)
            {
                Assert.Equal(0, allocated);
            }
        }

        Assert.True(crossed > 1000, crossed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotEqual(UInt256.Zero, sink);
    }

    [Fact]
    public void Quote_does_not_change_the_pool_and_swap_commits_exactly_the_quote_with_its_fee_growth()
    {
        V3Pool pool = LadderPool();
        V3PoolState before = pool.State;
        Assert.Equal(V3Status.Ok, pool.Quote(true, (long)2_000_000_000_000_000_000, V3Pool.DefaultPriceLimit(true), out V3SwapResult quoted));
        Assert.Equal(before, pool.State);
        Assert.True(quoted.TicksCrossed >= 5);
        Assert.Equal(V3Status.Ok, pool.Swap(true, (long)2_000_000_000_000_000_000, V3Pool.DefaultPriceLimit(true), out V3SwapResult swapped));
        // The quote leaves the fee growth as the pool had it; the swap adds what the fees grew it by.
        Assert.Equal(before.FeeGrowthGlobal0X128, quoted.FeeGrowthGlobalX128);
        Assert.Equal(quoted with { FeeGrowthGlobalX128 = swapped.FeeGrowthGlobalX128 }, swapped);
        Assert.True(swapped.FeeGrowthGlobalX128 > before.FeeGrowthGlobal0X128);
        Assert.Equal(swapped.SqrtPriceX96, pool.State.SqrtPriceX96);
        Assert.Equal(swapped.Tick, pool.State.Tick);
        Assert.Equal(swapped.Liquidity, pool.State.Liquidity);
        Assert.Equal(swapped.FeeGrowthGlobalX128, pool.State.FeeGrowthGlobal0X128);
        Assert.True(swapped.Amount0 > Int256.Zero && swapped.Amount1 < Int256.Zero);
    }

    [Fact]
    public void Reverts_are_values_and_leave_the_state_alone()
    {
        V3Pool pool = LadderPool();
        V3PoolState before = pool.State;
        Assert.Equal(V3Status.AmountSpecifiedZero, pool.Swap(true, Int256.Zero, V3Pool.DefaultPriceLimit(true), out _));
        Assert.Equal(V3Status.PriceLimit, pool.Swap(true, 1, pool.State.SqrtPriceX96, out _));
        Assert.Equal(V3Status.PriceLimit, pool.Swap(true, 1, TickMath.MinSqrtRatio, out _));
        Assert.Equal(V3Status.PriceLimit, pool.Swap(false, 1, TickMath.MaxSqrtRatio, out _));
        Assert.Equal(V3Status.PriceLimit, pool.Swap(false, 1, pool.State.SqrtPriceX96 - UInt256.One, out _));
        Assert.Equal(V3Status.Locked, new V3Pool(500, 10).Swap(true, 1, V3Pool.DefaultPriceLimit(true), out _));
        Assert.Equal(V3Status.TickLowerNotBelowUpper, pool.Mint(10, 10, 1, out _, out _));
        Assert.Equal(V3Status.TickLowerTooLow, pool.Mint(TickMath.MinTick - 10, 0, 1, out _, out _));
        Assert.Equal(V3Status.TickUpperTooHigh, pool.Mint(0, TickMath.MaxTick + 10, 1, out _, out _));
        Assert.Equal(V3Status.TickNotSpaced, pool.Mint(5, 15, 1, out _, out _));
        Assert.Equal(V3Status.ZeroLiquidity, pool.Mint(0, 10, UInt128.Zero, out _, out _));
        Assert.Equal(V3Status.LiquidityOverflowPerTick, pool.Mint(0, 10, pool.MaxLiquidityPerTick, out _, out _));
        Assert.Equal(V3Status.LiquiditySub, pool.Burn(-1000, 1000, 1, out _, out _));
        Assert.Equal(V3Status.AlreadyInitialized, pool.Initialize(FullMath.Q96));
        Assert.Equal(V3Status.SqrtPriceOutOfRange, new V3Pool(500, 10).Initialize(TickMath.MaxSqrtRatio));
        Assert.Equal(before, pool.State);
        Assert.Equal(31, pool.Ticks.Count);
    }

    [Fact]
    public void Burning_what_was_minted_clears_the_ticks_and_pays_back_one_wei_less_at_most()
    {
        var pool = new V3Pool(3000, 60);
        pool.Initialize(FullMath.Q96);
        Assert.Equal(V3Status.Ok, pool.Mint(-120, 180, s_e18, out UInt256 in0, out UInt256 in1));
        Assert.Equal(2, pool.Ticks.Count);
        Assert.Equal(V3Status.Ok, pool.Burn(-120, 180, s_e18, out UInt256 out0, out UInt256 out1));
        Assert.Equal(0, pool.Ticks.Count);
        Assert.Equal(UInt128.Zero, pool.State.Liquidity);
        Assert.True(in0 - out0 <= UInt256.One && in1 - out1 <= UInt256.One && out0 <= in0 && out1 <= in1);
        Assert.Equal(UInt256.Zero, pool.Ticks.GetWord(-1) | pool.Ticks.GetWord(0));
    }

    [Fact]
    public void A_swap_into_words_the_copy_does_not_know_says_so()
    {
        V3Pool pool = LadderPool();

        // Only the word of tick 0 (spacing 10: ticks 0..2559) is known.
        pool.Ticks.SetKnownWords(0, 0);
        Assert.Equal(V3Status.Ok, pool.Quote(false, 1_000_000, V3Pool.DefaultPriceLimit(false), out _));
        Assert.Equal(V3Status.TickDataMissing, pool.Quote(true, (long)5_000_000_000_000_000_000, V3Pool.DefaultPriceLimit(true), out _));
        Assert.False(V3StatusText.IsRevert(V3Status.TickDataMissing));
        Assert.True(V3StatusText.IsRevert(V3Status.PriceLimit));
        Assert.Equal("SPL", V3StatusText.RevertReason(V3Status.PriceLimit));
    }

    [Fact]
    public void State_from_outside_is_validated_and_a_bad_one_is_refused_not_walked()
    {
        V3Pool pool = LadderPool();
        V3PoolState good = pool.State;
        Assert.Equal(V3Status.Ok, V3Pool.ValidateState(good));

        // One below the price's tick is valid only exactly on a tick boundary.
        Assert.True(TickMath.TryGetSqrtRatioAtTick(120, out UInt256 boundary));
        Assert.Equal(V3Status.Ok, V3Pool.ValidateState(good with { SqrtPriceX96 = boundary, Tick = 119 }));
        Assert.Equal(V3Status.TickOutOfRange, V3Pool.ValidateState(good with { SqrtPriceX96 = boundary + UInt256.One, Tick = 119 }));
        Assert.Equal(V3Status.TickOutOfRange, V3Pool.ValidateState(good with { Tick = good.Tick + 5 }));
        Assert.Equal(V3Status.SqrtPriceOutOfRange, V3Pool.ValidateState(good with { SqrtPriceX96 = UInt256.MaxValue }));

        pool.State = good with { SqrtPriceX96 = UInt256.MaxValue };
        Assert.Equal(V3Status.SqrtPriceOutOfRange, pool.Quote(true, 1_000, V3Pool.DefaultPriceLimit(true), out _));
        pool.State = good with { Tick = int.MinValue };
        Assert.Equal(V3Status.TickOutOfRange, pool.Quote(true, 1_000, V3Pool.DefaultPriceLimit(true), out _));

        // An inconsistent tick inside the range still ends (the walk is bounded) and reports what the maths gives.
        pool.State = good with { Tick = 5000 };
        Assert.Equal(V3Status.Ok, pool.Quote(true, 1_000_000, V3Pool.DefaultPriceLimit(true), out _));
    }

    [Fact]
    public void Liquidity_that_would_overflow_is_refused_and_changes_nothing()
    {
        V3Pool pool = LadderPool();
        pool.State.Liquidity = UInt128.MaxValue - 5;
        V3PoolState before = pool.State;
        int[] ticksBefore = pool.Ticks.Ticks.ToArray();
        Assert.Equal(V3Status.LiquidityAdd, pool.Mint(-10, 10, 10, out UInt256 owed0, out UInt256 owed1));
        Assert.Equal((UInt256.Zero, UInt256.Zero), (owed0, owed1));
        Assert.Equal(before, pool.State);
        Assert.Equal(ticksBefore, pool.Ticks.Ticks.ToArray());
        Assert.False(pool.Ticks.TryGetTick(-10, out _));

        Assert.Equal(V3Status.LiquidityAdd, LiquidityMath.AddDelta(UInt128.MaxValue, 1, out _));
        Assert.Equal(V3Status.LiquiditySub, LiquidityMath.AddDelta(0, -1, out _));
        Assert.Equal(V3Status.Ok, LiquidityMath.AddDelta(5, -5, out UInt128 zero));
        Assert.Equal(UInt128.Zero, zero);
    }

    [Fact]
    public void The_tick_table_rejects_ticks_the_pool_cannot_hold()
    {
        var table = new V3TickTable(60);
        Assert.Equal(V3Status.TickNotSpaced, table.SetTick(61, new V3TickInfo(1, 1)));
        Assert.Equal(V3Status.TickOutOfRange, table.SetTick(TickMath.MaxTick + 60, new V3TickInfo(1, 1)));
        Assert.Equal(V3Status.Ok, table.SetTick(-60, new V3TickInfo(5, -5)));
        Assert.Equal(V3Status.Ok, table.SetTick(120, new V3TickInfo(7, 7)));
        Assert.Equal([-60, 120], table.Ticks.ToArray());
        Assert.Equal(V3Status.Ok, table.NextInitializedTickWithinOneWord(-1, lte: true, out int left, out bool leftInit));
        Assert.Equal((-60, true), (left, leftInit));
        Assert.Equal(V3Status.Ok, table.NextInitializedTickWithinOneWord(0, lte: false, out int right, out bool rightInit));
        Assert.Equal((120, true), (right, rightInit));
        Assert.Equal(V3Status.Ok, table.SetTick(120, default));
        Assert.Equal(V3Status.Ok, table.NextInitializedTickWithinOneWord(0, lte: false, out right, out rightInit));
        Assert.Equal((255 * 60, false), (right, rightInit));
        Assert.Throws<ArgumentOutOfRangeException>(() => new V3TickTable(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new V3Pool(1_000_000, 10));
    }
}
