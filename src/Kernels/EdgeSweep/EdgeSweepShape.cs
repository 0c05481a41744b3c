namespace LowLatency.Kernels.EdgeSweep;

/// <summary>
/// Dimensions of one cross-venue edge sweep and the index maps every implementation shares.
/// Quotes (bid, ask, tradeable) are laid out <c>[instrument * venueCount + venue]</c>; outputs
/// (net and gross bps) <c>[(instrument * venueCount + buyVenue) * venueCount + sellVenue]</c>,
/// the diagonal (buy venue == sell venue) always holding <see cref="EdgeSweepLimits.NoEdge"/>.
/// Immutable value; any thread; never allocates.
/// </summary>
public readonly struct EdgeSweepShape : IEquatable<EdgeSweepShape>
{
    public EdgeSweepShape(int instrumentCount, int venueCount)
    {
        InstrumentCount = instrumentCount;
        VenueCount = venueCount;
    }

    public int InstrumentCount { get; }

    public int VenueCount { get; }

    /// <summary>True when both counts are in range and every index fits an <see cref="int"/>.</summary>
    public bool IsValid =>
        InstrumentCount >= 0
        && VenueCount >= 0
        && VenueCount <= EdgeSweepLimits.MaxVenues
        && (long)InstrumentCount * VenueCount * VenueCount <= EdgeSweepLimits.MaxPairSlots;

    /// <summary>Length of the bid, ask and tradeable arrays: instruments × venues.</summary>
    public int QuoteCount => InstrumentCount * VenueCount;

    /// <summary>Length of the net and gross outputs: instruments × venues² (diagonal included).</summary>
    public int PairSlotCount => InstrumentCount * VenueCount * VenueCount;

    /// <summary>Ordered pairs of distinct venues: instruments × venues × (venues − 1).</summary>
    public int PairCount => VenueCount == 0 ? 0 : InstrumentCount * VenueCount * (VenueCount - 1);

    public int QuoteIndex(int instrument, int venue) => (instrument * VenueCount) + venue;

    public int PairIndex(int instrument, int buyVenue, int sellVenue) =>
        (((instrument * VenueCount) + buyVenue) * VenueCount) + sellVenue;

    public bool Equals(EdgeSweepShape other) =>
        InstrumentCount == other.InstrumentCount && VenueCount == other.VenueCount;

    public override bool Equals(object? obj) => obj is EdgeSweepShape other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(InstrumentCount, VenueCount);

    public static bool operator ==(EdgeSweepShape left, EdgeSweepShape right) => left.Equals(right);

    public static bool operator !=(EdgeSweepShape left, EdgeSweepShape right) => !left.Equals(right);

    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{InstrumentCount}x{VenueCount}");
}
