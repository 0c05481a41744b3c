using System.Runtime.CompilerServices;
using LowLatency.Adapters.Ethereum;

namespace LowLatency.Adapters.FlashLoans;

/// <summary>Which pool contract a hop runs on (the executor's leg kind byte).</summary>
public enum PoolKind : byte
{
    UniswapV2 = 0,
    UniswapV3 = 1,
}

/// <summary>
/// One swap of a route: the pool, its kind, the direction (token0 → token1 when <see cref="ZeroForOne"/>), the token
/// paid in, the amount paid in and the amount out our exact maths expects. For a V2 pair the executor asks for
/// exactly <see cref="ExpectedOut"/> (the pair checks K); for a V3 pool it is the least it accepts.
/// </summary>
public readonly record struct RouteHop(Address Pool, PoolKind Kind, bool ZeroForOne, Address TokenIn, UInt256 AmountIn, UInt256 ExpectedOut);

/// <summary>Inline storage for the hops, so a route is reused tick after tick without an allocation.</summary>
[InlineArray(FlashRoute.MaxHops)]
public struct RouteHops
{
    private RouteHop _first;
}

/// <summary>
/// A flash-loan route: borrow <see cref="Amount"/> of <see cref="Asset"/>, run the hops in order, end with more of the
/// asset than was borrowed. Mutable and reused (the strategy fills it in place); this is the pipeline's input type,
/// whatever found the opportunity.
/// </summary>
public sealed class FlashRoute
{
    public const int MaxHops = 8;

    private RouteHops _hops;

    public Address Asset { get; set; }

    public UInt256 Amount { get; set; }

    /// <summary>The asset expected back after the last hop (before Aave's premium).</summary>
    public UInt256 ExpectedReturn { get; set; }

    public int HopCount { get; private set; }

    public ref readonly RouteHop this[int index]
    {
        get
        {
            if ((uint)index >= (uint)HopCount)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return ref _hops[index];
        }
    }

    public void Clear()
    {
        HopCount = 0;
        ExpectedReturn = default;
    }

    /// <summary>Appends a hop; false when the route already has <see cref="MaxHops"/>.</summary>
    public bool TryAdd(in RouteHop hop)
    {
        if (HopCount == MaxHops)
        {
            return false;
        }

        _hops[HopCount++] = hop;
        return true;
    }
}
