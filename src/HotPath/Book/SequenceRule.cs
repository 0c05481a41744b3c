namespace LowLatency.HotPath.Book;

/// <summary>Which venue sequencing rules a book follows. Chosen per book at start-up.</summary>
public enum SequenceRule : byte
{
    /// <summary>No venue ids to check (simulated market): the book starts live and applies everything.</summary>
    None = 0,

    /// <summary>Binance spot diff depth: REST snapshot <c>lastUpdateId</c>, then <c>U</c>/<c>u</c> contiguity.</summary>
    BinanceSpot = 1,

    /// <summary>Binance USD-M futures diff depth: REST snapshot, then <c>pu</c> == previous <c>u</c>.</summary>
    BinanceFutures = 2,

    /// <summary>OKX v5 <c>books</c>: in-band snapshot, then <c>prevSeqId</c>/<c>seqId</c>, CRC32 checksum.</summary>
    Okx = 3,

    /// <summary>Kraken v1 <c>book</c>: in-band snapshot, updates verified by CRC32 of the top 10.</summary>
    Kraken = 4,

    /// <summary>Coinbase Advanced Trade <c>level2</c>: in-band snapshot; the connection-wide <c>sequence_num</c> is checked by the parser.</summary>
    Coinbase = 5,

    /// <summary>Bybit v5 <c>orderbook.N</c>: in-band snapshot, then <c>u</c> = previous <c>u</c> + 1 per topic.</summary>
    Bybit = 6,
}

/// <summary>Where a book is in its synchronisation life cycle.</summary>
public enum BookStatus : byte
{
    /// <summary>No snapshot yet; deltas are buffered in the book's pending buffer.</summary>
    AwaitingSnapshot = 0,

    /// <summary>Synchronised: deltas apply in sequence. Tradeable unless crossed.</summary>
    Live = 1,

    /// <summary>A gap, checksum failure or crossed book was seen: never tradeable until a new snapshot re-syncs it.</summary>
    Resync = 2,
}

/// <summary>A rule's decision about one delta message (taken on its first chunk).</summary>
public enum SequenceVerdict : byte
{
    /// <summary>In sequence: apply its levels. The rule has already advanced <see cref="BookSyncState.LastUpdateId"/>.</summary>
    Apply = 0,

    /// <summary>Older than or equal to what the book has (duplicate, late, pre-snapshot): drop and count.</summary>
    Stale = 1,

    /// <summary>Something is missing between the book and this message: the book goes to resync.</summary>
    Gap = 2,
}
