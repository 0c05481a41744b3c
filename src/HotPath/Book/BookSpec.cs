using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// Start-up description of one book of a <see cref="BookSet"/>.
/// </summary>
/// <param name="Venue">Venue id.</param>
/// <param name="Instrument">Instrument id.</param>
/// <param name="Rule">The venue's sequencing rules.</param>
/// <param name="PriceDecimals">Fixed-point scale of prices (the instrument's; checksum rules re-format with it).</param>
/// <param name="QuantityDecimals">Fixed-point scale of quantities.</param>
/// <param name="Capacity">Levels kept per side (deeper levels are truncated and counted by <see cref="L2Book"/>).</param>
/// <param name="PendingSlots">Slots buffered while awaiting a snapshot (oldest messages are dropped first).</param>
/// <param name="TruncateDepth">When &gt; 0 the book is cut to this depth after every message (Kraken's subscribed depth).</param>
public readonly record struct BookSpec(
    VenueId Venue,
    InstrumentId Instrument,
    SequenceRule Rule,
    int PriceDecimals,
    int QuantityDecimals,
    int Capacity = 2048,
    int PendingSlots = 1024,
    int TruncateDepth = 0);
