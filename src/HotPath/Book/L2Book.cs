using System.Diagnostics;
using System.Runtime.CompilerServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// A price-level (L2) book for one (venue, instrument): two sorted arrays (bids descending, asks ascending)
/// preallocated at start-up. Updates near the top are a short memmove; no allocation after construction.
/// Owned and mutated by the strategy thread only; others read published snapshots.
/// </summary>
public sealed class L2Book
{
    private readonly BookLevel[] _bids;
    private readonly BookLevel[] _asks;
    private int _bidCount;
    private int _askCount;

    public L2Book(VenueId venue, InstrumentId instrument, int maxLevelsPerSide = 2048)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLevelsPerSide, 1);
        Venue = venue;
        Instrument = instrument;
        _bids = new BookLevel[maxLevelsPerSide];
        _asks = new BookLevel[maxLevelsPerSide];
    }

    public VenueId Venue { get; }

    public InstrumentId Instrument { get; }

    public int Capacity => _bids.Length;

    public int BidCount => _bidCount;

    public int AskCount => _askCount;

    /// <summary>Levels dropped because a side was full (the deepest level goes first).</summary>
    public long TruncatedLevels { get; private set; }

    public BookLevel BestBid
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _bidCount > 0 ? _bids[0] : default;
    }

    public BookLevel BestAsk
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _askCount > 0 ? _asks[0] : default;
    }

    /// <summary>True when both sides exist and best bid ≥ best ask.</summary>
    public bool IsCrossed => _bidCount > 0 && _askCount > 0 && _bids[0].Price.Raw >= _asks[0].Price.Raw;

    public ReadOnlySpan<BookLevel> Bids => _bids.AsSpan(0, _bidCount);

    public ReadOnlySpan<BookLevel> Asks => _asks.AsSpan(0, _askCount);

    public ReadOnlySpan<BookLevel> Levels(Side side) => side == Side.Bid ? Bids : Asks;

    public void Clear()
    {
        _bidCount = 0;
        _askCount = 0;
    }

    /// <summary>Sets a level's quantity; zero removes it (removing a missing level is a no-op, as venues expect).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(Side side, Price price, Quantity quantity)
    {
        if (side == Side.Bid)
        {
            Upsert(_bids, ref _bidCount, price, quantity, descending: true);
        }
        else
        {
            Upsert(_asks, ref _askCount, price, quantity, descending: false);
        }
    }

    /// <summary>Keeps only the best <paramref name="depth"/> levels per side (Kraken expects the book truncated to the subscribed depth).</summary>
    public void Truncate(int depth)
    {
        if (_bidCount > depth)
        {
            _bidCount = depth;
        }

        if (_askCount > depth)
        {
            _askCount = depth;
        }
    }

    /// <summary>Quantity available at or better than <paramref name="limit"/> on one side (depth at size).</summary>
    public long QuantityWithin(Side side, Price limit)
    {
        ReadOnlySpan<BookLevel> levels = Levels(side);
        long total = 0;
        for (int i = 0; i < levels.Length; i++)
        {
            long p = levels[i].Price.Raw;
            if (side == Side.Bid ? p < limit.Raw : p > limit.Raw)
            {
                break;
            }

            total += levels[i].Quantity.Raw;
        }

        return total;
    }

    private void Upsert(BookLevel[] levels, ref int count, Price price, Quantity quantity, bool descending)
    {
        // A level beyond the deepest one (every level of a snapshot, applied in order) needs no search.
        long deepest = count > 0 ? levels[count - 1].Price.Raw : 0;
        int index = count == 0 || (descending ? price.Raw < deepest : price.Raw > deepest) ? ~count : Find(levels, count, price.Raw, descending);
        if (index >= 0)
        {
            if (quantity.IsZero)
            {
                int tail = count - index - 1;
                if (tail > 0)
                {
                    Array.Copy(levels, index + 1, levels, index, tail);
                }

                count--;
            }
            else
            {
                levels[index].Quantity = quantity;
            }

            return;
        }

        if (quantity.IsZero)
        {
            return;
        }

        int insertAt = ~index;
        if (count == levels.Length)
        {
            TruncatedLevels++;
            if (insertAt == count)
            {
                return; // deeper than everything we keep
            }

            count--; // drop the deepest level to make room
        }

        int move = count - insertAt;
        if (move > 0)
        {
            Array.Copy(levels, insertAt, levels, insertAt + 1, move);
        }

        levels[insertAt] = new BookLevel(price, quantity);
        count++;
        Debug.Assert(count <= levels.Length);
    }

    /// <summary>Binary search: the index of the price, or the bitwise complement of where it would go.</summary>
    private static int Find(BookLevel[] levels, int count, long price, bool descending)
    {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            long p = levels[mid].Price.Raw;
            if (p == price)
            {
                return mid;
            }

            bool goRight = descending ? p > price : p < price;
            if (goRight)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }
}
