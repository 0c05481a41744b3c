using System.Numerics;
using LowLatency.Adapters.Dex.Common;
using LowLatency.Adapters.Dex.Node;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Aggregators;

/// <summary>A token as configured: symbol, address and decimals.</summary>
public readonly record struct TokenRef(string Symbol, string Address, int Decimals);

/// <summary>One configured pool: V2 (fee in bps) or V3 (fee in pips), and its two tokens' addresses.</summary>
public sealed record OwnPool(string Address, bool IsV3, uint Fee, string Token0, string Token1);

/// <summary>Our own price: the buy amount of the best configured pool for the pair (exact maths), or why there is none.</summary>
public readonly record struct OwnQuote(BigInteger BuyAmount, string? Pool, string? Kind, ulong Block, string? Error)
{
    public bool IsOk => Error is null;

    public static OwnQuote Failed(string error) => new(0, null, null, 0, error);
}

/// <summary>
/// Prices an exact input on the configured pools with our own Uniswap maths (<see cref="V3Pool.Quote"/>, the V2
/// library formula) over their state in a <see cref="DexPoolTracker"/> (read from a node by
/// <see cref="PoolSnapshotter"/>, or loaded from a pool-state file). Single hop: the best direct pool wins. A V3 quote
/// that would walk past the ticks we know is refused (<c>TickDataMissing</c>), never guessed. Warm path; allocates.
/// </summary>
public sealed class OwnPoolPricer
{
    private readonly OwnPool[] _pools;

    public OwnPoolPricer(IReadOnlyList<OwnPool> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        _pools = [.. pools];
        Tracker = new DexPoolTracker();
        foreach (OwnPool pool in _pools)
        {
            Address address = Address.Parse(pool.Address);
            _ = pool.IsV3 ? Tracker.AddV3Pool(address, pool.Fee, TickSpacingOf(pool.Fee)) : Tracker.AddV2Pool(address, pool.Fee);
        }
    }

    /// <summary>The pools' state (index i is the i-th configured pool).</summary>
    public DexPoolTracker Tracker { get; }

    /// <summary>The block the state was read at (0 until loaded).</summary>
    public ulong Block { get; private set; }

    public IReadOnlyList<OwnPool> Pools => _pools;

    /// <summary>Uniswap V3's tick spacing per fee tier (100 → 1, 500 → 10, 3000 → 60, 10000 → 200).</summary>
    public static int TickSpacingOf(uint feePips) => feePips switch
    {
        100 => 1,
        500 => 10,
        3000 => 60,
        10000 => 200,
        _ => Math.Max(1, (int)(feePips / 50)),
    };

    /// <summary>Reads every pool from the node at its latest block; the error text names the RPC failure (never the URL).</summary>
    public async Task<string?> SnapshotAsync(JsonRpcClient client, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(client);
        RpcResult<ulong> block = await new PoolSnapshotter(client).SnapshotAsync(Tracker, all: true, cancel).ConfigureAwait(false);
        if (!block.IsOk)
        {
            return "the node did not give the pool state: " + SecretRedaction.Redact(block.Error!.ToString());
        }

        Block = block.Value;
        return null;
    }

    /// <summary>Marks the state loaded from a file as read at <paramref name="block"/>.</summary>
    internal void Loaded(ulong block) => Block = block;

    /// <summary>The best direct pool's output for selling <paramref name="amount"/> of <paramref name="sell"/> for <paramref name="buy"/>.</summary>
    public OwnQuote Quote(string sell, string buy, BigInteger amount)
    {
        ArgumentNullException.ThrowIfNull(sell);
        ArgumentNullException.ThrowIfNull(buy);
        if (amount <= 0 || !UInt256.TryFromBigInteger(amount, out UInt256 amountIn) || !Int256.TryFromBigInteger(amount, out Int256 specified))
        {
            return OwnQuote.Failed("the amount is not a positive uint256");
        }

        OwnQuote best = OwnQuote.Failed("no configured pool trades this pair");
        string? lastError = null;
        for (int i = 0; i < _pools.Length; i++)
        {
            OwnPool pool = _pools[i];
            bool zeroForOne;
            if (Same(pool.Token0, sell) && Same(pool.Token1, buy))
            {
                zeroForOne = true;
            }
            else if (Same(pool.Token1, sell) && Same(pool.Token0, buy))
            {
                zeroForOne = false;
            }
            else
            {
                continue;
            }

            if (!Tracker.HasState(i))
            {
                lastError = $"pool {pool.Address} has no state";
                continue;
            }

            BigInteger output;
            if (pool.IsV3)
            {
                V3Status status = Tracker.V3(i).Quote(zeroForOne, specified, V3Pool.DefaultPriceLimit(zeroForOne), out V3SwapResult result);
                if (status != V3Status.Ok)
                {
                    lastError = $"pool {pool.Address}: {V3StatusText.RevertReason(status)}";
                    continue;
                }

                // Positive = paid into the pool; the output is the other token's negative amount.
                output = -(BigInteger)(zeroForOne ? result.Amount1 : result.Amount0);
            }
            else
            {
                V2Status status = Tracker.V2(i).QuoteExactIn(zeroForOne, amountIn, out UInt256 result);
                if (status != V2Status.Ok)
                {
                    lastError = $"pool {pool.Address}: V2 {status}";
                    continue;
                }

                output = result;
            }

            if (!best.IsOk || output > best.BuyAmount)
            {
                best = new OwnQuote(output, pool.Address, pool.IsV3 ? "v3" : "v2", Block, null);
            }
        }

        return best.IsOk || lastError is null ? best : OwnQuote.Failed(lastError);
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
