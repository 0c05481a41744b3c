using LowLatency.Adapters.Ethereum;
using LowLatency.HotPath.Amm;

namespace LowLatency.Adapters.FlashLoans;

/// <summary>
/// A pool as the detector sees it: its address, kind and tokens, and its state in our exact maths (a V2 pair's
/// reserves or a <see cref="V3Pool"/>). Quotes are what the contract would do, to the wei, and allocate nothing.
/// </summary>
public sealed class DexPool
{
    private V2PoolState _v2;

    private DexPool(Address address, PoolKind kind, Address token0, Address token1, V2PoolState v2, V3Pool? v3)
    {
        Address = address;
        Kind = kind;
        Token0 = token0;
        Token1 = token1;
        _v2 = v2;
        V3 = v3;
    }

    public Address Address { get; }

    public PoolKind Kind { get; }

    public Address Token0 { get; }

    public Address Token1 { get; }

    public ref V2PoolState V2 => ref _v2;

    public V3Pool? V3 { get; }

    public static DexPool UniswapV2(Address pair, Address token0, Address token1, V2PoolState state) =>
        new(pair, PoolKind.UniswapV2, token0, token1, state, null);

    public static DexPool UniswapV3(Address pool, Address token0, Address token1, V3Pool state) =>
        new(pool, PoolKind.UniswapV3, token0, token1, default, state ?? throw new ArgumentNullException(nameof(state)));

    public bool Holds(Address token) => token == Token0 || token == Token1;

    /// <summary>The exact output of swapping <paramref name="amountIn"/> of <paramref name="tokenIn"/>; false if the pool would revert.</summary>
    public bool TryQuote(Address tokenIn, UInt256 amountIn, out UInt256 amountOut, out bool zeroForOne)
    {
        zeroForOne = tokenIn == Token0;
        amountOut = default;
        if (!zeroForOne && tokenIn != Token1)
        {
            return false;
        }

        if (Kind == PoolKind.UniswapV2)
        {
            return _v2.QuoteExactIn(zeroForOne, amountIn, out amountOut) == V2Status.Ok;
        }

        if (amountIn.U3 >> 63 != 0)
        {
            return false;
        }

        if (V3!.Quote(zeroForOne, Int256.FromBits(amountIn), V3Pool.DefaultPriceLimit(zeroForOne), out V3SwapResult result) != V3Status.Ok)
        {
            return false;
        }

        // Exact input may stop short at the price limit; the executor pays only what the pool asks, but the route is
        // only sound when all of it was swapped.
        Int256 paid = zeroForOne ? result.Amount0 : result.Amount1;
        Int256 received = zeroForOne ? result.Amount1 : result.Amount0;
        if (paid.IsNegative || paid.UnsignedAbs != amountIn || !received.IsNegative)
        {
            return false;
        }

        amountOut = received.UnsignedAbs;
        return true;
    }
}
