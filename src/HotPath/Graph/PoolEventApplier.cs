using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Graph;

/// <summary>Why a pool event was not applied (each counted in <see cref="PoolEventApplier"/>).</summary>
public enum PoolEventDrop : byte
{
    /// <summary>The pool id (or chain index) is not one the host configured.</summary>
    UnknownPool,

    /// <summary>A V2 update for a V3 pool or the other way round, or an unknown update kind.</summary>
    WrongKind,

    /// <summary>A state no pool can be in: empty or over-uint112 reserves, a price outside the V3 range, a tick that is not the price's, a gas reading that is not a positive finite value.</summary>
    BadState,

    /// <summary>Older than the last update this pool (or chain) applied.</summary>
    Stale,
}

/// <summary>
/// Applies <see cref="TickKind.Pool"/> market-ring events to a <see cref="VenueGraph"/>: pool id → the graph's V2 or V3
/// pool, chain index → its gas. Every check runs before any write, so a rejected event changes nothing; each rejection is
/// counted by reason. Built on the start-up thread (<see cref="AddV2"/>, <see cref="AddV3"/>); applied on the strategy
/// thread only, allocation-free.
/// </summary>
public sealed class PoolEventApplier
{
    private static readonly UInt256 s_maxReserve = (UInt256.One << 112) - UInt256.One;

    private readonly VenueGraph _graph;
    private readonly PoolUpdateKind[] _kind;
    private readonly int[] _graphPool;
    private readonly int[] _chain;
    private readonly long[] _poolBlock;
    private readonly long[] _chainBlock;
    private readonly long[] _drops = new long[4];
    private readonly long[] _chainApplied;
    private readonly long[] _chainDropped;
    private int _count;

    public PoolEventApplier(VenueGraph graph, int maxPools)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPools, 1);
        _graph = graph;
        _kind = new PoolUpdateKind[maxPools];
        _graphPool = new int[maxPools];
        _chain = new int[maxPools];
        _poolBlock = new long[maxPools];
        _chainBlock = new long[graph.ChainCount];
        _chainApplied = new long[graph.ChainCount];
        _chainDropped = new long[graph.ChainCount];
        Array.Fill(_poolBlock, -1);
        Array.Fill(_chainBlock, -1);
    }

    public VenueGraph Graph => _graph;

    /// <summary>Pools registered; pool ids are [0, PoolCount).</summary>
    public int PoolCount => _count;

    /// <summary>Events applied.</summary>
    public long Applied { get; private set; }

    /// <summary>Events dropped, all reasons.</summary>
    public long Dropped => _drops[0] + _drops[1] + _drops[2] + _drops[3];

    public long DroppedFor(PoolEventDrop reason) => _drops[(int)reason];

    /// <summary>Chains of the graph; chain indices are [0, ChainCount).</summary>
    public int ChainCount => _chainBlock.Length;

    /// <summary>Events applied for <paramref name="chain"/> (its pools and its gas); 0 outside the graph's chains.</summary>
    public long AppliedOn(int chain) => (uint)chain < (uint)_chainApplied.Length ? _chainApplied[chain] : 0;

    /// <summary>Events refused for a known pool or gas reading of <paramref name="chain"/> (unknown ids are counted only in <see cref="Dropped"/>).</summary>
    public long DroppedOn(int chain) => (uint)chain < (uint)_chainDropped.Length ? _chainDropped[chain] : 0;

    /// <summary>Last block a gas reading (or a pool of the chain) was applied for; −1 before any.</summary>
    public long LastBlock(int chain) => (uint)chain < (uint)_chainBlock.Length ? _chainBlock[chain] : -1;

    /// <summary>Registers the graph's V2 pool <paramref name="graphPool"/> on <paramref name="chain"/>; returns its pool id. Start-up thread.</summary>
    public int AddV2(int graphPool, int chain) => Add(PoolUpdateKind.V2Reserves, graphPool, chain);

    /// <summary>Registers the graph's V3 pool <paramref name="graphPool"/> on <paramref name="chain"/>; returns its pool id. Start-up thread.</summary>
    public int AddV3(int graphPool, int chain) => Add(PoolUpdateKind.V3State, graphPool, chain);

    /// <summary>Validates and applies one pool event; false (counted, nothing changed) when it is refused. Strategy thread.</summary>
    public bool Apply(ref TickEvent evt)
    {
        ref PoolUpdate u = ref PoolUpdate.Of(ref evt);
        if (u.Kind == PoolUpdateKind.ChainGas)
        {
            return ApplyGas(in u);
        }

        int id = u.Pool;
        if ((uint)id >= (uint)_count)
        {
            return Drop(PoolEventDrop.UnknownPool);
        }

        if (u.Kind != _kind[id])
        {
            return Drop(PoolEventDrop.WrongKind, _chain[id]);
        }

        if (u.Block < _poolBlock[id])
        {
            return Drop(PoolEventDrop.Stale, _chain[id]);
        }

        if (u.Kind == PoolUpdateKind.V2Reserves)
        {
            if (u.A.IsZero || u.B.IsZero || u.A > s_maxReserve || u.B > s_maxReserve)
            {
                return Drop(PoolEventDrop.BadState, _chain[id]);
            }

            _graph.UpdateV2Reserves(_graphPool[id], u.A, u.B);
        }
        else
        {
            var state = new V3PoolState { SqrtPriceX96 = u.A, Tick = u.Tick, Liquidity = u.Liquidity };
            if (V3Pool.ValidateState(in state) != V3Status.Ok || u.Liquidity == UInt128.Zero)
            {
                return Drop(PoolEventDrop.BadState, _chain[id]);
            }

            ref V3PoolState live = ref _graph.V3(_graphPool[id]).State;
            live.SqrtPriceX96 = u.A;
            live.Tick = u.Tick;
            live.Liquidity = u.Liquidity;
            _graph.OnV3Changed(_graphPool[id]);
        }

        _poolBlock[id] = u.Block;
        int chain = _chain[id];
        if (u.Block > _chainBlock[chain])
        {
            _chainBlock[chain] = u.Block;
        }

        _chainApplied[chain]++;
        Applied++;
        return true;
    }

    private bool ApplyGas(in PoolUpdate u)
    {
        int chain = u.Pool;
        if ((uint)chain >= (uint)_chainBlock.Length)
        {
            return Drop(PoolEventDrop.UnknownPool);
        }

        double baseFee = Amounts.ToDouble(u.A);
        double tip = Amounts.ToDouble(u.B);
        if (!(baseFee > 0) || !double.IsFinite(baseFee) || !double.IsFinite(tip) || !(u.L1DataFeeWei >= 0) || !double.IsFinite(u.L1DataFeeWei)
            || !(u.FlashLoanPremiumBps < 10_000) || double.IsNaN(u.FlashLoanPremiumBps))
        {
            return Drop(PoolEventDrop.BadState, chain);
        }

        if (u.Block < _chainBlock[chain])
        {
            return Drop(PoolEventDrop.Stale, chain);
        }

        // The gas units per leg come from configuration and stay; only the on-chain readings move.
        ChainGas gas = _graph.Gas(chain);
        gas.BaseFeeWei = baseFee;
        gas.PriorityFeeWei = tip;
        gas.L1DataFeeWei = u.L1DataFeeWei;
        if (u.FlashLoanPremiumBps >= 0)
        {
            gas.FlashLoanPremiumBps = u.FlashLoanPremiumBps;
        }

        _graph.SetChainGas(chain, in gas);
        _chainBlock[chain] = u.Block;
        _chainApplied[chain]++;
        Applied++;
        return true;
    }

    private bool Drop(PoolEventDrop reason)
    {
        _drops[(int)reason]++;
        return false;
    }

    private bool Drop(PoolEventDrop reason, int chain)
    {
        _chainDropped[chain]++;
        return Drop(reason);
    }

    private int Add(PoolUpdateKind kind, int graphPool, int chain)
    {
        if (_count == _kind.Length)
        {
            throw new InvalidOperationException($"the applier holds at most {_kind.Length} pools");
        }

        if ((uint)chain >= (uint)_chainBlock.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(chain), $"chain {chain} is outside the graph's [0, {_chainBlock.Length})");
        }

        _kind[_count] = kind;
        _graphPool[_count] = graphPool;
        _chain[_count] = chain;
        return _count++;
    }
}
