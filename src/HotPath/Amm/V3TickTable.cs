using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Amm;

/// <summary>What the pool stores per initialized tick that swaps and positions need (Tick.Info's liquidity fields).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct V3TickInfo(UInt128 LiquidityGross, Int128 LiquidityNet);

/// <summary>
/// The initialized ticks of one V3 pool: the contract's tick bitmap (one bit per spaced tick, 256 per word) and the
/// liquidity of each initialized tick. The bitmap is a flat array over every word the tick range can reach, so the
/// swap's next-tick search is the contract's, word for word, with no hashing. A copy loaded from a node may know only
/// some words (<see cref="SetKnownWords"/>): a search that reaches an unknown word reports
/// <see cref="V3Status.TickDataMissing"/> instead of guessing.
/// Single-threaded: the owner of the pool state mutates and reads it; reads allocate nothing, and adding a tick
/// allocates only when the preallocated capacity is exceeded.
/// </summary>
public sealed class V3TickTable
{
    private readonly int _tickSpacing;
    private readonly int _minWord;
    private readonly UInt256[] _words;
    private int _knownFrom;
    private int _knownTo;

    // Initialized ticks in ascending order, with their liquidity and their sqrt price (computed once when the tick
    // is set, so a swap that crosses it does not run TickMath: AmmBenchmarks.V3SwapTenTicks).
    private int[] _ticks;
    private V3TickInfo[] _infos;
    private UInt256[] _sqrtPrices;
    private int _count;

    /// <summary>Creates an empty table (no tick initialized, every word known) for a tick spacing in [1, 16383].</summary>
    public V3TickTable(int tickSpacing, int capacity = 64)
    {
        if (tickSpacing is < 1 or > 16383)
        {
            ThrowSpacing(tickSpacing);
        }

        _tickSpacing = tickSpacing;

        // Words a search can touch: from the word below MIN_TICK's to the word above MAX_TICK's.
        _minWord = WordOf(Compress(TickMath.MinTick - 1, tickSpacing) - 1);
        int maxWord = WordOf(Compress(TickMath.MaxTick, tickSpacing) + 1);
        _words = new UInt256[maxWord - _minWord + 1];
        _knownFrom = short.MinValue;
        _knownTo = short.MaxValue;
        _ticks = new int[Math.Max(4, capacity)];
        _infos = new V3TickInfo[_ticks.Length];
        _sqrtPrices = new UInt256[_ticks.Length];
    }

    public int TickSpacing => _tickSpacing;

    /// <summary>Number of initialized ticks.</summary>
    public int Count => _count;

    /// <summary>The initialized ticks, ascending (a view, valid until the next change).</summary>
    public ReadOnlySpan<int> Ticks => _ticks.AsSpan(0, _count);

    /// <summary>Their liquidity, in the order of <see cref="Ticks"/>.</summary>
    public ReadOnlySpan<V3TickInfo> Infos => _infos.AsSpan(0, _count);

    /// <summary>Removes every tick and marks every word known.</summary>
    public void Clear()
    {
        Array.Clear(_words);
        _count = 0;
        _knownFrom = short.MinValue;
        _knownTo = short.MaxValue;
    }

    /// <summary>
    /// Limits the words this copy knows to [<paramref name="fromWord"/>, <paramref name="toWord"/>] (a snapshot of the
    /// bitmap around the price); the default is every word.
    /// </summary>
    public void SetKnownWords(short fromWord, short toWord)
    {
        _knownFrom = fromWord;
        _knownTo = toWord;
    }

    /// <summary>The bitmap word at <paramref name="wordPosition"/> (tickBitmap(int16) of the contract).</summary>
    public UInt256 GetWord(short wordPosition)
    {
        int index = wordPosition - _minWord;
        return (uint)index < (uint)_words.Length ? _words[index] : UInt256.Zero;
    }

    /// <summary>Index of an initialized tick in <see cref="Ticks"/>, or a negative number.</summary>
    internal int IndexOf(int tick) => _ticks.AsSpan(0, _count).BinarySearch(tick);

    internal V3TickInfo InfoAt(int index) => _infos[index];

    internal UInt256 SqrtPriceAt(int index) => _sqrtPrices[index];

    /// <summary>Liquidity of an initialized tick; false if <paramref name="tick"/> is not initialized here.</summary>
    public bool TryGetTick(int tick, out V3TickInfo info)
    {
        int index = _ticks.AsSpan(0, _count).BinarySearch(tick);
        if (index < 0)
        {
            info = default;
            return false;
        }

        info = _infos[index];
        return true;
    }

    /// <summary>
    /// Sets a tick's liquidity as read from a node (ticks(int24)) or given by a caller; a zero gross liquidity
    /// uninitializes it. Keeps the bitmap in step. Returns <see cref="V3Status.TickNotSpaced"/> or
    /// <see cref="V3Status.TickOutOfRange"/> for a tick the pool cannot hold.
    /// </summary>
    public V3Status SetTick(int tick, V3TickInfo info)
    {
        if (tick is < TickMath.MinTick or > TickMath.MaxTick)
        {
            return V3Status.TickOutOfRange;
        }

        if (tick % _tickSpacing != 0)
        {
            return V3Status.TickNotSpaced;
        }

        int index = _ticks.AsSpan(0, _count).BinarySearch(tick);
        bool wasInitialized = index >= 0;
        bool initialized = info.LiquidityGross != UInt128.Zero;
        if (wasInitialized && initialized)
        {
            _infos[index] = info;
        }
        else if (initialized)
        {
            Insert(~index, tick, info);
            FlipBit(tick);
        }
        else if (wasInitialized)
        {
            Remove(index);
            FlipBit(tick);
        }

        return V3Status.Ok;
    }

    /// <summary>
    /// TickBitmap.nextInitializedTickWithinOneWord: the next initialized tick in the word of <paramref name="tick"/>
    /// at or left of it (<paramref name="lte"/>), or in the word of the next spaced tick to its right; else the
    /// word's last tick in that direction, uninitialized. <see cref="V3Status.TickDataMissing"/> when the word is not
    /// known here.
    /// </summary>
    public V3Status NextInitializedTickWithinOneWord(int tick, bool lte, out int next, out bool initialized)
    {
        int compressed = Compress(tick, _tickSpacing);
        if (lte)
        {
            int word = WordOf(compressed);
            int bit = compressed & 0xFF;
            if (word < _knownFrom || word > _knownTo)
            {
                return Missing(out next, out initialized);
            }

            // All the bits at or right of bit.
            UInt256 masked = WordAt(word) & LowMask(bit + 1);
            initialized = !masked.IsZero;
            next = initialized
                ? (compressed - (bit - BitMath.MostSignificantBit(masked))) * _tickSpacing
                : (compressed - bit) * _tickSpacing;
        }
        else
        {
            int word = WordOf(compressed + 1);
            int bit = (compressed + 1) & 0xFF;
            if (word < _knownFrom || word > _knownTo)
            {
                return Missing(out next, out initialized);
            }

            // All the bits at or left of bit.
            UInt256 masked = WordAt(word) & ~LowMask(bit);
            initialized = !masked.IsZero;
            next = initialized
                ? (compressed + 1 + (BitMath.LeastSignificantBit(masked) - bit)) * _tickSpacing
                : (compressed + 1 + (255 - bit)) * _tickSpacing;
        }

        return V3Status.Ok;
    }

    /// <summary>The tick divided by the spacing, rounded towards negative infinity (the contract's "compressed").</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Compress(int tick, int tickSpacing)
    {
        int compressed = tick / tickSpacing;
        return tick < 0 && tick % tickSpacing != 0 ? compressed - 1 : compressed;
    }

    /// <summary>TickBitmap.position's word: int16(compressed &gt;&gt; 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int WordOf(int compressed) => compressed >> 8;

    private static V3Status Missing(out int next, out bool initialized)
    {
        next = 0;
        initialized = false;
        return V3Status.TickDataMissing;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private UInt256 WordAt(int word)
    {
        int index = word - _minWord;
        return (uint)index < (uint)_words.Length ? _words[index] : UInt256.Zero;
    }

    /// <summary>(1 &lt;&lt; bits) - 1 for bits in [0, 256].</summary>
    private static UInt256 LowMask(int bits) => bits >= 256 ? UInt256.MaxValue : (UInt256.One << bits) - UInt256.One;

    private void FlipBit(int tick)
    {
        int compressed = tick / _tickSpacing;
        int index = WordOf(compressed) - _minWord;
        _words[index] ^= UInt256.One << (compressed & 0xFF);
    }

    private void Insert(int index, int tick, V3TickInfo info)
    {
        if (_count == _ticks.Length)
        {
            Grow();
        }

        Array.Copy(_ticks, index, _ticks, index + 1, _count - index);
        Array.Copy(_infos, index, _infos, index + 1, _count - index);
        Array.Copy(_sqrtPrices, index, _sqrtPrices, index + 1, _count - index);
        _ticks[index] = tick;
        _infos[index] = info;
        _sqrtPrices[index] = TickMath.SqrtRatioAtTick((uint)Math.Abs(tick), tick > 0);
        _count++;
    }

    private void Remove(int index)
    {
        _count--;
        Array.Copy(_ticks, index + 1, _ticks, index, _count - index);
        Array.Copy(_infos, index + 1, _infos, index, _count - index);
        Array.Copy(_sqrtPrices, index + 1, _sqrtPrices, index, _count - index);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow()
    {
        Array.Resize(ref _ticks, _ticks.Length * 2);
        Array.Resize(ref _infos, _ticks.Length);
        Array.Resize(ref _sqrtPrices, _ticks.Length);
    }

    [DoesNotReturn]
    private static void ThrowSpacing(int tickSpacing) =>
        throw new ArgumentOutOfRangeException(nameof(tickSpacing), tickSpacing, "tick spacing must be in [1, 16383]");
}
