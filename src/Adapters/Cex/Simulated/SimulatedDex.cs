using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Simulated;

/// <summary>
/// The DEX side of <see cref="SimulatedMarket"/>: at every block of each chain (block 0 at the start: the snapshot), one
/// gas event and one state event per pool, as <see cref="TickKind.Pool"/> events. Pool prices follow the market's hidden
/// true prices with each pool's own AR(1) noise and decaying dislocations; a V2 pair keeps its k, a V3 pool its
/// liquidity (spread over every price). Pool id = the pool's index over all chains in configuration order; chain index =
/// the chain's. Seeded (its own stream); producer thread; allocation-free after construction.
/// </summary>
internal sealed class SimulatedDex
{
    private const double BpsToFraction = 1e-4;
    private const double Q96 = 79228162514264337593543950336d;

    private readonly SimulatedDexOptions _options;
    private readonly double[] _nextBlockSeconds;   // per chain
    private readonly long[] _block;                // per chain
    private readonly double[] _baseFeeWei;         // per chain
    private readonly int[] _chainFirstPool;        // per chain, then the total
    private readonly int[] _priceInstrument0;      // per pool: instrument of token0's price, −1 = 1 quote unit
    private readonly int[] _priceInstrument1;
    private readonly int[] _decimals0;
    private readonly int[] _decimals1;
    private readonly bool[] _isV3;
    private readonly double[] _noise;              // per pool, fraction
    private readonly double[] _dislocation;        // per pool, fraction
    private readonly double[] _invariant;          // per pool: V2 k (raw units), V3 liquidity
    private SimulatedMarket.SplitMix64 _rng;
    private int _pendingChain = -1;
    private int _pendingIndex;

    public SimulatedDex(SimulatedDexOptions options, SimulatedMarketOptions market, ulong seed, ReadOnlySpan<double> trueLogPrice)
    {
        _options = options;
        _rng = new SimulatedMarket.SplitMix64(seed ^ 0xD3C5_1DE0_0B5E_ED01UL);
        int chains = options.Chains.Count;
        _nextBlockSeconds = new double[chains];
        _block = new long[chains];
        _baseFeeWei = new double[chains];
        _chainFirstPool = new int[chains + 1];
        for (int c = 0; c < chains; c++)
        {
            _chainFirstPool[c + 1] = _chainFirstPool[c] + options.Chains[c].Pools.Count;
            _block[c] = options.Chains[c].StartBlock;
            _baseFeeWei[c] = options.Chains[c].BaseFeeGwei * 1e9;
        }

        int pools = _chainFirstPool[chains];
        _priceInstrument0 = new int[pools];
        _priceInstrument1 = new int[pools];
        _decimals0 = new int[pools];
        _decimals1 = new int[pools];
        _isV3 = new bool[pools];
        _noise = new double[pools];
        _dislocation = new double[pools];
        _invariant = new double[pools];
        for (int c = 0; c < chains; c++)
        {
            SimulatedChainOptions chain = options.Chains[c];
            for (int p = 0; p < chain.Pools.Count; p++)
            {
                int id = _chainFirstPool[c] + p;
                SimulatedPoolOptions pool = chain.Pools[p];
                SimulatedTokenOptions t0 = Token(chain, pool.Token0);
                SimulatedTokenOptions t1 = Token(chain, pool.Token1);
                _priceInstrument0[id] = InstrumentIndex(market, t0.PriceInstrument);
                _priceInstrument1[id] = InstrumentIndex(market, t1.PriceInstrument);
                _decimals0[id] = t0.Decimals;
                _decimals1[id] = t1.Decimals;
                _isV3[id] = pool.Kind == "v3";
                _noise[id] = pool.NoiseBps * BpsToFraction * _rng.NextGaussian();

                // Liquidity from the start price: depth (quote units) of token0's side.
                double usd0 = Usd(_priceInstrument0[id], trueLogPrice);
                double rawPrice = usd0 / Usd(_priceInstrument1[id], trueLogPrice) * Amounts.Pow10(t1.Decimals) / Amounts.Pow10(t0.Decimals);
                double reserve0 = pool.DepthQuote / usd0 * Amounts.Pow10(t0.Decimals);
                _invariant[id] = _isV3[id] ? reserve0 * Math.Sqrt(rawPrice) : reserve0 * reserve0 * rawPrice;
            }
        }
    }

    /// <summary>Simulated time, seconds since the start, of the next event this side writes.</summary>
    public double NextSeconds
    {
        get
        {
            if (_pendingChain >= 0)
            {
                return _nextBlockSeconds[_pendingChain];
            }

            double next = double.PositiveInfinity;
            for (int c = 0; c < _nextBlockSeconds.Length; c++)
            {
                next = Math.Min(next, _nextBlockSeconds[c]);
            }

            return next;
        }
    }

    /// <summary>Pools over all chains (pool ids are [0, PoolCount)).</summary>
    public int PoolCount => _chainFirstPool[^1];

    /// <summary>Writes the next event (gas of a new block, then each of its pools) into <paramref name="slot"/>.</summary>
    public void Write(ref TickEvent slot, ReadOnlySpan<double> trueLogPrice, long exchangeNs)
    {
        if (_pendingChain < 0)
        {
            _pendingChain = EarliestChain();
            _pendingIndex = 0;
        }

        int c = _pendingChain;
        SimulatedChainOptions chain = _options.Chains[c];
        long block = _block[c];
        if (_pendingIndex == 0)
        {
            // EIP-1559: the base fee moves at most 12.5 % a block.
            if (block != chain.StartBlock)
            {
                _baseFeeWei[c] *= 1 + (0.125 * ((2 * _rng.NextDouble()) - 1));
            }

            double tipWei = chain.PriorityFeeGwei * 1e9;
            PoolUpdate.WriteGas(ref slot, c, block, new UInt256((ulong)Math.Max(1, _baseFeeWei[c])), new UInt256((ulong)tipWei), chain.L1DataFeeGwei * 1e9, chain.FlashLoanPremiumBps);
        }
        else
        {
            int id = _chainFirstPool[c] + _pendingIndex - 1;
            WritePool(ref slot, chain.Pools[_pendingIndex - 1], id, block, trueLogPrice, block == chain.StartBlock);
        }

        slot.ExchangeTimeNs = exchangeNs;
        slot.ReceiveTimeNs = exchangeNs;
        slot.ReceiveTimestamp = 0;
        if (++_pendingIndex > chain.Pools.Count)
        {
            _pendingChain = -1;
            _block[c] = block + 1;
            // The first block after the snapshot comes part-way through a block time (runs shorter than one still see it).
            double blocks = block == chain.StartBlock ? 0.25 + (0.5 * _rng.NextDouble()) : 1;
            _nextBlockSeconds[c] += blocks * chain.BlockTimeMs / 1000.0;
        }
    }

    private void WritePool(ref TickEvent slot, SimulatedPoolOptions pool, int id, long block, ReadOnlySpan<double> trueLogPrice, bool snapshot)
    {
        if (!snapshot)
        {
            // AR(1) noise kept half a block, dislocations decay to a third a block and start with the pool's chance.
            double sd = pool.NoiseBps * BpsToFraction;
            _noise[id] = (_noise[id] * 0.5) + (sd * Math.Sqrt(0.75) * _rng.NextGaussian());
            _dislocation[id] *= 0.3;
            if (_rng.NextDouble() < pool.DislocationProbability)
            {
                _dislocation[id] += (_rng.NextDouble() < 0.5 ? -1 : 1) * pool.DislocationBps * BpsToFraction * (0.5 + _rng.NextDouble());
            }
        }

        double price = Usd(_priceInstrument0[id], trueLogPrice) / Usd(_priceInstrument1[id], trueLogPrice) * Math.Exp(_noise[id] + _dislocation[id]);
        double rawPrice = price * Amounts.Pow10(_decimals1[id]) / Amounts.Pow10(_decimals0[id]);
        if (_isV3[id])
        {
            _ = Amounts.TryToRaw(Math.Sqrt(rawPrice) * Q96, 0, out UInt256 sqrtPriceX96);
            if (!TickMath.TryGetTickAtSqrtRatio(sqrtPriceX96, out int tick))
            {
                tick = 0;
            }

            PoolUpdate.WriteV3(ref slot, id, block, sqrtPriceX96, tick, (UInt128)_invariant[id]);
        }
        else
        {
            double k = _invariant[id];
            _ = Amounts.TryToRaw(Math.Sqrt(k / rawPrice), 0, out UInt256 reserve0);
            _ = Amounts.TryToRaw(Math.Sqrt(k * rawPrice), 0, out UInt256 reserve1);
            PoolUpdate.WriteV2(ref slot, id, block, reserve0, reserve1);
        }
    }

    private int EarliestChain()
    {
        int best = 0;
        for (int c = 1; c < _nextBlockSeconds.Length; c++)
        {
            if (_nextBlockSeconds[c] < _nextBlockSeconds[best])
            {
                best = c;
            }
        }

        return best;
    }

    private static double Usd(int instrument, ReadOnlySpan<double> trueLogPrice) => instrument < 0 ? 1 : Math.Exp(trueLogPrice[instrument]);

    private static SimulatedTokenOptions Token(SimulatedChainOptions chain, string symbol)
    {
        foreach (SimulatedTokenOptions t in chain.Tokens)
        {
            if (t.Symbol == symbol)
            {
                return t;
            }
        }

        throw new ArgumentException($"chain {chain.Name} has no token {symbol}");
    }

    private static int InstrumentIndex(SimulatedMarketOptions market, string symbol)
    {
        if (string.IsNullOrEmpty(symbol))
        {
            return -1;
        }

        for (int i = 0; i < market.Instruments.Count; i++)
        {
            if (market.Instruments[i].Symbol == symbol)
            {
                return i;
            }
        }

        throw new ArgumentException($"no instrument {symbol}");
    }
}
