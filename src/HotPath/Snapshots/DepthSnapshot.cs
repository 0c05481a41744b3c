using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Snapshots;

/// <summary>
/// The top levels of one book as the strategy thread last published them. Unmanaged, so it travels through a
/// <see cref="Seqlock{T}"/>. A book that is not tradeable (awaiting a snapshot, in resync, crossed) is published with no
/// levels: nothing can fill against it.
/// </summary>
public struct BookDepth
{
    /// <summary>Most levels per side a snapshot carries.</summary>
    public const int MaxLevels = 16;

    /// <summary>Stopwatch timestamp of the publish.</summary>
    public long TakenTimestamp;

    /// <summary>Recorded receive time (Unix ns) of the batch that published it (0 when unknown).</summary>
    public long ReceiveTimeNs;

    public int BidCount;

    public int AskCount;

    /// <summary>Bids, best (highest) first.</summary>
    public DepthLevelArray Bids;

    /// <summary>Asks, best (lowest) first.</summary>
    public DepthLevelArray Asks;
}

/// <summary>Fixed-size levels of one side of a <see cref="BookDepth"/>.</summary>
[InlineArray(BookDepth.MaxLevels)]
public struct DepthLevelArray
{
    private BookLevel _element;
}

/// <summary>
/// Publishes the top <see cref="Levels"/> levels of every book the batch touched, one seqlock per book, so that another
/// thread (the paper exchange on the execution thread) fills against the depth the strategy thread owns without ever
/// touching its books. Strategy thread writes (<see cref="Publish"/>, 0 B, no lock, never waits); any thread reads
/// (<see cref="TryRead"/>, 0 B). Books not touched keep their last publish.
/// </summary>
public sealed class DepthSnapshotPublisher
{
    private readonly Seqlock<BookDepth>[] _books;
    private readonly BookSet _set;
    private BookDepth _scratch;

    /// <param name="books">The strategy thread's books (its index map is read from any thread; the books only by the writer).</param>
    /// <param name="levels">Levels per side, 1 … <see cref="BookDepth.MaxLevels"/>.</param>
    public DepthSnapshotPublisher(BookSet books, int levels = BookDepth.MaxLevels)
    {
        ArgumentNullException.ThrowIfNull(books);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(levels, BookDepth.MaxLevels);
        _set = books;
        Levels = levels;
        _books = new Seqlock<BookDepth>[books.Count];
        for (int i = 0; i < _books.Length; i++)
        {
            _books[i] = new Seqlock<BookDepth>();
        }
    }

    /// <summary>Levels per side published.</summary>
    public int Levels { get; }

    /// <summary>Books covered (the book set's indices).</summary>
    public int Count => _books.Length;

    /// <summary>
    /// Strategy thread, end of a batch: publishes every book the batch touched. <paramref name="depthTimestamps"/> is
    /// when each book's depth last changed (the strategy's per-book receive stamps): a venue's top-of-book stream that is
    /// fresher leads the published levels, as it leads the edges. Allocation-free.
    /// </summary>
    public void Publish(long nowTimestamp, long receiveTimeNs, ReadOnlySpan<long> depthTimestamps = default)
    {
        foreach (int index in _set.TouchedBooks)
        {
            PublishBook(index, nowTimestamp, receiveTimeNs, depthTimestamps);
        }
    }

    /// <summary>Strategy thread (or once it stopped): publishes every book. Allocation-free.</summary>
    public void PublishAll(long nowTimestamp, long receiveTimeNs, ReadOnlySpan<long> depthTimestamps = default)
    {
        for (int index = 0; index < _books.Length; index++)
        {
            PublishBook(index, nowTimestamp, receiveTimeNs, depthTimestamps);
        }
    }

    /// <summary>Any thread: the last published depth of (venue, instrument); false when there is no such book or no whole copy.</summary>
    public bool TryRead(VenueId venue, InstrumentId instrument, out BookDepth depth)
    {
        int index = _set.IndexOf(venue, instrument);
        if ((uint)index >= (uint)_books.Length)
        {
            depth = default;
            return false;
        }

        return _books[index].TryRead(out depth);
    }

    /// <summary>Publishes so far for (venue, instrument) (0 when none or no such book). Any thread.</summary>
    public long Version(VenueId venue, InstrumentId instrument)
    {
        int index = _set.IndexOf(venue, instrument);
        return (uint)index < (uint)_books.Length ? _books[index].Version : 0;
    }

    /// <summary>One side of a copy as a span (over the caller's copy: it lives as long as that copy).</summary>
    public static ReadOnlySpan<BookLevel> Side(ref BookDepth depth, Side side) => side == Primitives.Side.Bid
        ? MemoryMarshal.CreateReadOnlySpan(ref depth.Bids[0], Math.Clamp(depth.BidCount, 0, BookDepth.MaxLevels))
        : MemoryMarshal.CreateReadOnlySpan(ref depth.Asks[0], Math.Clamp(depth.AskCount, 0, BookDepth.MaxLevels));

    private void PublishBook(int index, long nowTimestamp, long receiveTimeNs, ReadOnlySpan<long> depthTimestamps)
    {
        ref BookDepth s = ref _scratch;
        s.TakenTimestamp = nowTimestamp;
        s.ReceiveTimeNs = receiveTimeNs;
        L2Book book = _set.Book(index);
        ref readonly TopOfBook top = ref _set.Top(index);

        // The same choice the edges make (StrategyHandler.EndBatch): the top-of-book stream leads when the book has no
        // depth, follows no sequence, or is fresher than the depth.
        bool useTop = top.IsSet && top.Bid.Price.Raw < top.Ask.Price.Raw
            && (_set.State(index).Rule == SequenceRule.None || book.BidCount == 0 || book.AskCount == 0
                || ((uint)index < (uint)depthTimestamps.Length && top.ReceiveTimestamp >= depthTimestamps[index]));
        if (!_set.IsTradeable(index))
        {
            s.BidCount = 0;
            s.AskCount = 0;
        }
        else if (useTop)
        {
            s.BidCount = Merge(top.Bid, book.Bids, bid: true, ref s.Bids);
            s.AskCount = Merge(top.Ask, book.Asks, bid: false, ref s.Asks);
        }
        else
        {
            s.BidCount = Copy(book.Bids, ref s.Bids);
            s.AskCount = Copy(book.Asks, ref s.Asks);
        }

        _books[index].Publish(in s);
    }

    // The top first, then the depth strictly behind it.
    private int Merge(BookLevel best, ReadOnlySpan<BookLevel> depth, bool bid, ref DepthLevelArray to)
    {
        int n = 0;
        if (best.Quantity.Raw > 0)
        {
            to[n++] = best;
        }

        foreach (BookLevel l in depth)
        {
            if (n == Levels)
            {
                break;
            }

            if (bid ? l.Price.Raw < best.Price.Raw : l.Price.Raw > best.Price.Raw)
            {
                to[n++] = l;
            }
        }

        return n;
    }

    private int Copy(ReadOnlySpan<BookLevel> from, ref DepthLevelArray to)
    {
        int n = Math.Min(from.Length, Levels);
        from[..n].CopyTo(to);
        return n;
    }
}
