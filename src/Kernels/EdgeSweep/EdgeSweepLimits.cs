namespace LowLatency.Kernels.EdgeSweep;

/// <summary>Constants and the input checks shared by every edge-sweep implementation. Never allocates.</summary>
public static class EdgeSweepLimits
{
    /// <summary>
    /// Written for every pair that has no edge: a non-tradeable book, an unusable price (see
    /// <see cref="IsUsablePrice"/>) or the diagonal. Negative infinity so that
    /// "edge &gt; threshold" and "max over pairs" need no special case; NaN would poison comparisons.
    /// </summary>
    public const double NoEdge = LowLatency.HotPath.Strategy.EdgeMath.NoEdge;

    /// <summary>Basis points per unit of return.</summary>
    public const double BpsPerUnit = 1e4;

    /// <summary>
    /// Upper bound on venues. Keeps the SIMD twin's per-instrument scratch on the stack (7 × 64 doubles);
    /// venue ids are bytes and real deployments have a handful.
    /// </summary>
    public const int MaxVenues = 64;

    /// <summary>Largest output length: the biggest array a span can index.</summary>
    public const long MaxPairSlots = 0x7FFF_FFC7; // Array.MaxLength

    /// <summary>
    /// Smallest usable price. Together with <see cref="MaxPrice"/> and fees within (−1, 1) it bounds
    /// every edge below 1e35 bps, so a pair of usable quotes always gives a finite edge and no
    /// implementation needs a per-pair overflow test. No real market quotes outside this range;
    /// such a value is a feed error.
    /// </summary>
    public const double MinPrice = LowLatency.HotPath.Strategy.EdgeMath.MinUsablePrice;

    /// <summary>Largest usable price; see <see cref="MinPrice"/>.</summary>
    public const double MaxPrice = LowLatency.HotPath.Strategy.EdgeMath.MaxUsablePrice;

    /// <summary>
    /// A side of a quote can be traded against: flag set and price within
    /// [<see cref="MinPrice"/>, <see cref="MaxPrice"/>] (so not zero, negative, NaN or infinite).
    /// </summary>
    public static bool IsUsablePrice(byte tradeable, double price) =>
        tradeable != 0 && price >= MinPrice && price <= MaxPrice;

    /// <summary>A fee as a fraction (0.001 = 10 bps), finite and within (−1, 1); rebates may be negative.</summary>
    public static bool IsValidFee(double fee) => fee > -1 && fee < 1;

    /// <summary>
    /// Checks lengths and fees; on failure fills both outputs with <see cref="NoEdge"/> and returns why.
    /// Spans may be longer than needed; only the prefix is used.
    /// </summary>
    public static EdgeSweepStatus Validate(
        EdgeSweepShape shape,
        ReadOnlySpan<double> bid,
        ReadOnlySpan<double> ask,
        ReadOnlySpan<byte> tradeable,
        ReadOnlySpan<double> takerFee,
        Span<double> netBps,
        Span<double> grossBps)
    {
        var status = Check(shape, bid, ask, tradeable, takerFee, netBps.Length, grossBps.Length);
        if (status != EdgeSweepStatus.Ok)
        {
            netBps.Fill(NoEdge);
            grossBps.Fill(NoEdge);
        }

        return status;
    }

    private static EdgeSweepStatus Check(
        EdgeSweepShape shape,
        ReadOnlySpan<double> bid,
        ReadOnlySpan<double> ask,
        ReadOnlySpan<byte> tradeable,
        ReadOnlySpan<double> takerFee,
        int netLength,
        int grossLength)
    {
        if (!shape.IsValid)
        {
            return EdgeSweepStatus.InvalidShape;
        }

        int quotes = shape.QuoteCount;
        if (bid.Length < quotes || ask.Length < quotes || tradeable.Length < quotes || takerFee.Length < shape.VenueCount)
        {
            return EdgeSweepStatus.InputTooShort;
        }

        int slots = shape.PairSlotCount;
        if (netLength < slots || grossLength < slots)
        {
            return EdgeSweepStatus.OutputTooShort;
        }

        for (int v = 0; v < shape.VenueCount; v++)
        {
            if (!IsValidFee(takerFee[v]))
            {
                return EdgeSweepStatus.InvalidFee;
            }
        }

        return EdgeSweepStatus.Ok;
    }
}
