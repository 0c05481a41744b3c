using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.FlashLoans;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Adapters.Flashbots;

/// <summary>32 bytes inline (a transaction hash in a ring slot).</summary>
[InlineArray(32)]
public struct Hash32
{
    private byte _first;
}

/// <summary>
/// A bundle the strategy thread built and signed for an atomic graph opportunity: what the host logs ("would send")
/// or hands to the <see cref="BundlePipeline"/>, and the timestamps of tick → signed bundle. A ring slot (no references).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct BuiltBundle
{
    public int Chain;
    public OpportunityKind Kind;
    public byte Hops;
    public ulong Nonce;

    /// <summary>First target block (N+1 of the last block seen on the chain); the pipeline tries N+1 … N+k.</summary>
    public long TargetBlock;
    public ulong GasLimit;
    public double MaxFeePerGasWei;
    public double PriorityFeeWei;

    /// <summary>Borrowed amount and the exact expected return, in whole tokens of the start asset.</summary>
    public double Amount;
    public double ExpectedReturn;

    /// <summary>The borrowed amount in the quote currency (USD) at the graph's price when it was signed: what the bundle trades.</summary>
    public double NotionalQuote;
    public double NetProfitQuote;
    public OpportunityCosts Costs;
    public OpportunityPath Path;

    /// <summary>Latency origin of the opportunity (its triggering tick's receive timestamp), and when the transaction was signed.</summary>
    public long TriggerTimestamp;
    public long SignedTimestamp;
    public int RawLength;
    public Hash32 TransactionHash;

    /// <summary>The builder's share the executor pays (basis points of the profit; 0 unless the route starts in WETH).</summary>
    public uint BuilderBps;

    /// <summary>The route borrows the chain's WETH: its profit is in wei, the unit the simulation's gas and builder payment are in.</summary>
    public bool StartsInWrappedNative;

    /// <summary>The agents' votes on the opportunity this bundle was built from (step 0: none decided).</summary>
    public AgentVotes Agents;

    /// <summary>Exact return − amount − Aave's premium, in raw units of the start asset (wei when it is WETH).</summary>
    public UInt256 GrossProfitRaw;
}

/// <summary>What <see cref="GraphBundler"/> signs with on one graph chain.</summary>
public sealed class GraphBundlerChain(BundleFactory factory, NonceManager nonces, Address wrappedNative)
{
    private int _inFlight;

    public BundleFactory Factory { get; } = factory ?? throw new ArgumentNullException(nameof(factory));

    public NonceManager Nonces { get; } = nonces ?? throw new ArgumentNullException(nameof(nonces));

    /// <summary>The chain's WETH: only a WETH-funded route can pay the builder (the executor unwraps its share).</summary>
    public Address WrappedNative { get; } = wrappedNative;

    /// <summary>
    /// Where bundles are sent (<c>--execute</c>): one bundle of the account at a time. While one is out, the strategy
    /// signs nothing more on this chain (counted as <see cref="GraphBundler.Busy"/>), so the bundle's nonce is the
    /// account's last reservation and can be handed back when it ends unsent or missed; otherwise every later bundle
    /// would wait behind a nonce that never lands. Off in a dry run, where nothing is sent and nonces only count.
    /// </summary>
    public bool OneInFlight { get; init; }

    /// <summary>True from the signature of a bundle (with <see cref="OneInFlight"/>) until <see cref="EndInFlight"/>.</summary>
    public bool InFlight => Volatile.Read(ref _inFlight) != 0;

    /// <summary>The executor's thread: the bundle out has ended (its nonce handed back first, where unused); the next may be signed.</summary>
    public void EndInFlight() => Volatile.Write(ref _inFlight, 0);

    internal void BeginInFlight() => Volatile.Write(ref _inFlight, 1);
}

/// <summary>
/// Atomic graph opportunity → <see cref="FlashRoute"/> (every leg re-quoted exactly on the pool state the graph holds:
/// <see cref="UniswapV2Math"/>, <see cref="V3Pool.Quote"/>) → executor calldata → EIP-1559 transaction signed with the
/// trading key, nonce from the chain's <see cref="NonceManager"/> (<see cref="BundleFactory"/>) → a
/// <see cref="BuiltBundle"/> into a bounded ring the host drains (full: dropped and counted). Runs on the strategy
/// thread; allocation-free and lock-free after construction. The signed bytes stay in a buffer per ring slot
/// (<see cref="SignedTransaction"/>) for whatever sends them.
/// </summary>
public sealed class GraphBundler : IAtomicBundler
{
    private const double GasHeadroom = 1.3;

    /// <summary>
    /// The least gas limit signed. A limit is a cap, not a cost (gas used is paid), and a cap too tight reverts the
    /// bundle: the scene's first flash loan on a fresh executor used 459,248 gas against a modelled 351,922 (cold
    /// storage), and an out-of-gas inside a swap callback reads as "execution reverted". The cost model keeps the modelled units.
    /// </summary>
    public const ulong MinGasLimit = 600_000;

    private readonly VenueGraph _graph;
    private readonly PoolEventApplier? _pools;
    private readonly GraphBundlerChain?[] _chains;
    private readonly Address[] _nodeToken;
    private readonly Address[] _v2Address;
    private readonly Address[] _v3Address;
    private readonly uint _builderBps;
    private readonly RingBuffer<BuiltBundle> _ring;
    private readonly FlashRoute _route = new();

    /// <summary>The signed transaction of each ring slot, <see cref="MaxSignedLength"/> bytes apart: valid while the slot is unread.</summary>
    private readonly byte[] _signed;

    /// <param name="chains">Per graph chain; null where nothing is signed.</param>
    /// <param name="nodeToken">Per graph node, the token's address (chain nodes).</param>
    /// <param name="v2Address">Per graph V2 pool index, its address; <paramref name="v3Address"/> the same for V3.</param>
    public GraphBundler(VenueGraph graph, PoolEventApplier? pools, GraphBundlerChain?[] chains, Address[] nodeToken, Address[] v2Address, Address[] v3Address, uint builderBps, RingBuffer<BuiltBundle> ring)
    {
        _graph = graph ?? throw new ArgumentNullException(nameof(graph));
        _pools = pools;
        _chains = chains ?? throw new ArgumentNullException(nameof(chains));
        _nodeToken = nodeToken ?? throw new ArgumentNullException(nameof(nodeToken));
        _v2Address = v2Address ?? throw new ArgumentNullException(nameof(v2Address));
        _v3Address = v3Address ?? throw new ArgumentNullException(nameof(v3Address));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(builderBps, 10_000u);
        _builderBps = builderBps;
        _ring = ring ?? throw new ArgumentNullException(nameof(ring));
        _signed = new byte[ring.BufferSize * MaxSignedLength];
    }

    /// <summary>The longest signed transaction a route of <see cref="FlashRoute.MaxHops"/> makes.</summary>
    public static int MaxSignedLength { get; } = Eip1559Writer.MaxLength(ExecutorCalldata.LengthFor(FlashRoute.MaxHops));

    /// <summary>Bundles signed and handed to the ring.</summary>
    public long Built { get; private set; }

    /// <summary>Opportunities that could not become a transaction (no signer on the chain, a leg the exact maths refuses, no profit in exact terms, no nonce, a value out of range).</summary>
    public long Failed { get; private set; }

    /// <summary>Signed bundles dropped because the host had not drained the ring.</summary>
    public long Dropped { get; private set; }

    /// <summary>Opportunities not signed because the chain's account had a bundle out (<see cref="GraphBundlerChain.OneInFlight"/>).</summary>
    public long Busy { get; private set; }

    /// <summary>
    /// The signed transaction of the bundle in ring slot <paramref name="sequence"/> (EIP-2718 bytes, as sent). The
    /// reader copies it before it moves past the slot: the strategy reuses the bytes with the slot.
    /// </summary>
    public ReadOnlySpan<byte> SignedTransaction(long sequence)
    {
        int length = _ring[sequence].RawLength;
        return _signed.AsSpan(SlotOffset(sequence), length);
    }

    /// <summary>The route of the last bundle built (tests, tools); reused, overwritten by the next.</summary>
    public FlashRoute LastRoute => _route;

    /// <inheritdoc />
    public void OnAtomic(in Opportunity opportunity, int chain)
    {
        if ((uint)chain < (uint)_chains.Length && _chains[chain] is { OneInFlight: true, InFlight: true })
        {
            Busy++;
            return;
        }

        if ((uint)chain >= (uint)_chains.Length || _chains[chain] is not { } signer || !TryRoute(in opportunity.Path, opportunity.Size))
        {
            Failed++;
            return;
        }

        // A cycle through WETH that starts elsewhere borrows WETH instead: the same pools in the same order from WETH,
        // for the amount of WETH the cycle held there. Only then can the executor pay the builder, and the relays'
        // simulation (gas and builder payment in wei) check the profit.
        OpportunityPath path = opportunity.Path;
        bool rotated = false;
        if (_route.Asset != signer.WrappedNative && signer.WrappedNative != default)
        {
            rotated = TryRotateTo(signer.WrappedNative, ref path);
            if (!rotated)
            {
                path = opportunity.Path;
                if (!TryRoute(in path, opportunity.Size))
                {
                    Failed++;
                    return;
                }
            }
        }

        ref readonly ChainGas gas = ref _graph.Gas(chain);
        GraphNode start = _graph.Node(_graph.EdgeFrom(path[0]));
        int decimals = start.Decimals;
        double amount = Amounts.ToTokens(_route.Amount, decimals);
        double expectedReturn = Amounts.ToTokens(_route.ExpectedReturn, decimals);
        double netProfitQuote = opportunity.NetProfitQuote;
        OpportunityCosts costs = opportunity.Costs;
        // A rotated cycle borrows another asset and another amount: its premium, pool fees and profit are its own, costed
        // as the stage costs a path; one that does not pay for itself there is not signed.
        if (rotated && !TryCostRotated(in path, amount, expectedReturn, gas.FlashLoanPremiumBps, out netProfitQuote, out costs))
        {
            Failed++;
            return;
        }

        double gasUnits = gas.TxBaseGas + gas.FlashLoanGas;
        for (int i = 0; i < _route.HopCount; i++)
        {
            gasUnits += _route[i].Kind == PoolKind.UniswapV2 ? gas.V2SwapGas : gas.V3SwapGas;
        }

        double maxFee = (2 * gas.BaseFeeWei) + gas.PriorityFeeWei;
        if (!(maxFee > 0 && maxFee < 1e30) || !signer.Nonces.TryReserve(out ulong nonce))
        {
            Failed++;
            return;
        }

        uint builderBps = _route.Asset == signer.WrappedNative ? _builderBps : 0;
        ulong gasLimit = Math.Max((ulong)(gasUnits * GasHeadroom), MinGasLimit);
        if (!signer.Factory.Build(_route, UInt256.One, builderBps, nonce, gasLimit, new UInt256((ulong)maxFee), new UInt256((ulong)gas.PriorityFeeWei)))
        {
            // Nothing was signed with it: the next bundle takes the same nonce.
            signer.Nonces.TryGiveBack(nonce);
            Failed++;
            return;
        }

        long signed = Stopwatch.GetTimestamp();
        if (!_ring.TryNext(out long sequence))
        {
            // Signed but never leaves this thread: nothing can land with the nonce.
            signer.Nonces.TryGiveBack(nonce);
            Dropped++;
            return;
        }

        ref BuiltBundle b = ref _ring[sequence];
        b.Chain = chain;
        b.Kind = opportunity.Kind;
        b.Hops = (byte)_route.HopCount;
        b.Nonce = nonce;
        b.TargetBlock = (_pools?.LastBlock(chain) ?? -1) + 1;
        b.GasLimit = gasLimit;
        b.MaxFeePerGasWei = maxFee;
        b.PriorityFeeWei = gas.PriorityFeeWei;
        b.Amount = amount;
        b.ExpectedReturn = expectedReturn;
        b.NotionalQuote = amount * _graph.AssetPrice(start.Asset);
        b.NetProfitQuote = netProfitQuote;
        b.Costs = costs;
        b.Path = path;
        b.TriggerTimestamp = opportunity.TriggerTimestamp;
        b.Agents = opportunity.Agents;
        b.SignedTimestamp = signed;
        b.RawLength = signer.Factory.RawTransaction.Length;
        signer.Factory.TransactionHash.CopyTo(b.TransactionHash);
        signer.Factory.RawTransaction.CopyTo(_signed.AsSpan(SlotOffset(sequence), MaxSignedLength));
        b.BuilderBps = builderBps;
        b.StartsInWrappedNative = _route.Asset == signer.WrappedNative;
        b.GrossProfitRaw = GrossProfit(_route.Amount, _route.ExpectedReturn, gas.FlashLoanPremiumBps);
        if (signer.OneInFlight)
        {
            // Before the slot is visible: the executor that reads it is the one that ends it.
            signer.BeginInFlight();
        }

        _ring.Publish(sequence);
        Built++;
    }

    /// <summary>Return − amount − Aave's premium (<c>PercentageMath.percentMul</c>: half up), zero when not above.</summary>
    internal static UInt256 GrossProfit(UInt256 amount, UInt256 expectedReturn, double premiumBps)
    {
        uint bps = premiumBps > 0 && premiumBps < 10_000 ? (uint)Math.Round(premiumBps) : 0;
        UInt256 owed = amount + TwoPoolArbitrage.Premium(amount, bps);
        return expectedReturn > owed ? expectedReturn - owed : UInt256.Zero;
    }

    /// <summary>
    /// The rotated route's figures in the quote currency, costed as <see cref="GraphStage"/> costs a path
    /// (<see cref="PathQuote.NetProfit"/>) on the exact return. False when the start asset has no price or the net is not
    /// positive.
    /// </summary>
    private bool TryCostRotated(in OpportunityPath path, double amount, double expectedReturn, double premiumBps, out double net, out OpportunityCosts costs)
    {
        costs = default;
        net = 0;
        double price = _graph.AssetPrice(_graph.Node(_graph.EdgeFrom(path[0])).Asset);
        if (!(price > 0) || !(PathQuote.QuoteWithCosts(_graph, in path, amount, out PathCosts pc) > 0))
        {
            return false;
        }

        net = PathQuote.NetProfit(in pc, amount, expectedReturn, premiumBps / 10_000d, price, out costs);
        return net > 0;
    }

    private int SlotOffset(long sequence) => (int)(sequence & (_ring.BufferSize - 1)) * MaxSignedLength;

    /// <summary>
    /// Fills the route for <paramref name="path"/> at <paramref name="size"/> whole start tokens: every hop's amounts in
    /// exact integers from the pool state the graph holds. False when a leg is not a pool, a quote fails, or the exact
    /// return does not exceed the amount borrowed.
    /// </summary>
    public bool TryRoute(in OpportunityPath path, double size)
    {
        _route.Clear();
        return path.Count > 0
            && Amounts.TryToRaw(size, _graph.Node(_graph.EdgeFrom(path[0])).Decimals, out UInt256 borrowed)
            && TryRouteRaw(in path, borrowed);
    }

    /// <summary>
    /// The route just filled, rotated to start where it enters <paramref name="asset"/> and borrowing what arrived there;
    /// <paramref name="path"/> becomes the rotated path. False (the route is then unusable) when the cycle does not pass
    /// through the asset or the rotated route makes no profit in exact terms.
    /// </summary>
    private bool TryRotateTo(Address asset, ref OpportunityPath path)
    {
        int at = -1;
        for (int i = 1; i < _route.HopCount; i++)
        {
            if (_route[i].TokenIn == asset)
            {
                at = i;
                break;
            }
        }

        // Only a cycle can start anywhere on it.
        if (at < 0 || _graph.EdgeTo(path[path.Count - 1]) != _graph.EdgeFrom(path[0]))
        {
            return false;
        }

        UInt256 borrowed = _route[at].AmountIn;
        var rotated = default(OpportunityPath);
        for (int i = 0; i < path.Count; i++)
        {
            rotated.TryAdd(path[(at + i) % path.Count]);
        }

        _route.Clear();
        if (!TryRouteRaw(in rotated, borrowed))
        {
            return false;
        }

        path = rotated;
        return true;
    }

    private bool TryRouteRaw(in OpportunityPath path, UInt256 borrowed)
    {
        if (borrowed.IsZero)
        {
            return false;
        }

        int startNode = _graph.EdgeFrom(path[0]);
        UInt256 amount = borrowed;
        for (int i = 0; i < path.Count; i++)
        {
            int e = path[i];
            int pool = _graph.EdgeSource(e);
            bool zeroForOne = _graph.EdgeZeroForOne(e);
            UInt256 output;
            PoolKind kind;
            Address address;
            switch (_graph.EdgeKind(e))
            {
                case GraphEdgeKind.V2Pool:
                {
                    ref readonly V2PoolState s = ref _graph.V2(pool);
                    UInt256 reserveIn = zeroForOne ? s.Reserve0 : s.Reserve1;
                    UInt256 reserveOut = zeroForOne ? s.Reserve1 : s.Reserve0;
                    if (UniswapV2Math.GetAmountOut(amount, reserveIn, reserveOut, s.FeeBps, out output) != V2Status.Ok)
                    {
                        return false;
                    }

                    kind = PoolKind.UniswapV2;
                    address = (uint)pool < (uint)_v2Address.Length ? _v2Address[pool] : default;
                    break;
                }

                case GraphEdgeKind.V3Pool:
                {
                    if (!Int256.TryFromUInt256(amount, out Int256 specified)
                        || _graph.V3(pool).Quote(zeroForOne, specified, V3Pool.DefaultPriceLimit(zeroForOne), out V3SwapResult r) != V3Status.Ok)
                    {
                        return false;
                    }

                    // Deltas are the pool's: the input is paid in (positive), the output paid out (negative). A swap
                    // stopped by the price limit did not take the whole input: not a route.
                    Int256 paidIn = zeroForOne ? r.Amount0 : r.Amount1;
                    Int256 paidOut = zeroForOne ? r.Amount1 : r.Amount0;
                    if (paidIn.Bits != amount || !paidOut.IsNegative)
                    {
                        return false;
                    }

                    output = paidOut.UnsignedAbs;
                    kind = PoolKind.UniswapV3;
                    address = (uint)pool < (uint)_v3Address.Length ? _v3Address[pool] : default;
                    break;
                }

                default:
                    return false;
            }

            if (output.IsZero || address == default || !_route.TryAdd(new RouteHop(address, kind, zeroForOne, _nodeToken[_graph.EdgeFrom(e)], amount, output)))
            {
                return false;
            }

            amount = output;
        }

        _route.Asset = _nodeToken[startNode];
        _route.Amount = borrowed;
        _route.ExpectedReturn = amount;
        return amount > borrowed;
    }
}
