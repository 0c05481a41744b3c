using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LowLatency.Kernels.EdgeSweep;

/// <summary>
/// The <see cref="Vector{T}"/> twin of <see cref="EdgeSweepReference"/>: the CPU path of
/// <see cref="KernelHost"/>. Per instrument it prepares each venue once: an unusable sell side becomes
/// bid = −∞, an unusable buy side ask = +∞ with scale 1, so that (bid − ask)·scale is −∞
/// (<see cref="EdgeSweepLimits.NoEdge"/>) exactly when a side is unusable, and one reciprocal
/// 1e4/ask replaces two divisions per pair. Each buy-venue row is then two subtractions, two
/// multiplications and two stores per vector of sell venues, with no branch and no validity test
/// (the price range of <see cref="EdgeSweepLimits.MinPrice"/> keeps usable results finite).
/// A row's last partial vector overlaps the previous one; fewer venues than
/// <see cref="Vector{T}.Count"/> run scalar. Results match the reference to a few ulp
/// (x·(1e4/a) instead of x/a·1e4). Any thread (no shared state); never allocates (about 4.6 KB of
/// scratch on the stack).
/// </summary>
public static class EdgeSweepSimd
{
    /// <summary>Same contract and layout as <see cref="EdgeSweepReference.Sweep"/>.</summary>
    [SkipLocalsInit] // the scratch is written before it is read; zeroing it per call is waste
    public static EdgeSweepStatus Sweep(
        EdgeSweepShape shape,
        ReadOnlySpan<double> bid,
        ReadOnlySpan<double> ask,
        ReadOnlySpan<byte> tradeable,
        ReadOnlySpan<double> takerFee,
        Span<double> netBps,
        Span<double> grossBps)
    {
        var status = EdgeSweepLimits.Validate(shape, bid, ask, tradeable, takerFee, netBps, grossBps);
        if (status != EdgeSweepStatus.Ok)
        {
            return status;
        }

        int venues = shape.VenueCount;
        if (venues < Vector<double>.Count)
        {
            SweepScalar(shape, bid, ask, tradeable, takerFee, netBps, grossBps);
            return EdgeSweepStatus.Ok;
        }

        var rows = new Rows(stackalloc double[Rows.ScratchLength], takerFee, venues);

        // Lengths were validated above; from here on offsets are in range by construction.
        ref double bid0 = ref MemoryMarshal.GetReference(bid);
        ref double ask0 = ref MemoryMarshal.GetReference(ask);
        ref byte flag0 = ref MemoryMarshal.GetReference(tradeable);
        ref double net0 = ref MemoryMarshal.GetReference(netBps);
        ref double gross0 = ref MemoryMarshal.GetReference(grossBps);
        for (int i = 0; i < shape.InstrumentCount; i++)
        {
            nuint q0 = (nuint)(i * venues);
            rows.Load(ref Unsafe.Add(ref bid0, q0), ref Unsafe.Add(ref ask0, q0), ref Unsafe.Add(ref flag0, q0));
            for (int b = 0; b < venues; b++)
            {
                nuint row = (q0 + (nuint)b) * (nuint)venues;
                ref double netRow = ref Unsafe.Add(ref net0, row);
                ref double grossRow = ref Unsafe.Add(ref gross0, row);
                rows.SweepRow(b, ref netRow, ref grossRow);
                Unsafe.Add(ref netRow, b) = EdgeSweepLimits.NoEdge;
                Unsafe.Add(ref grossRow, b) = EdgeSweepLimits.NoEdge;
            }
        }

        return EdgeSweepStatus.Ok;
    }

    /// <summary>Fewer venues than a vector holds: the same folding and arithmetic one pair at a time.</summary>
    private static void SweepScalar(
        EdgeSweepShape shape,
        ReadOnlySpan<double> bid,
        ReadOnlySpan<double> ask,
        ReadOnlySpan<byte> tradeable,
        ReadOnlySpan<double> takerFee,
        Span<double> netBps,
        Span<double> grossBps)
    {
        int venues = shape.VenueCount;
        for (int i = 0; i < shape.InstrumentCount; i++)
        {
            for (int b = 0; b < venues; b++)
            {
                int qb = shape.QuoteIndex(i, b);
                bool buyOk = EdgeSweepLimits.IsUsablePrice(tradeable[qb], ask[qb]);
                double buyGross = buyOk ? ask[qb] : double.PositiveInfinity;
                double buyNet = buyOk ? ask[qb] * (1 + takerFee[b]) : double.PositiveInfinity;
                double scale = buyOk ? EdgeSweepLimits.BpsPerUnit / ask[qb] : 1;
                for (int s = 0; s < venues; s++)
                {
                    int qs = shape.QuoteIndex(i, s);
                    bool sellOk = EdgeSweepLimits.IsUsablePrice(tradeable[qs], bid[qs]);
                    double sellGross = sellOk ? bid[qs] : double.NegativeInfinity;
                    double sellNet = sellOk ? bid[qs] * (1 - takerFee[s]) : double.NegativeInfinity;
                    int p = shape.PairIndex(i, b, s);
                    netBps[p] = b == s ? EdgeSweepLimits.NoEdge : (sellNet - buyNet) * scale;
                    grossBps[p] = b == s ? EdgeSweepLimits.NoEdge : (sellGross - buyGross) * scale;
                }
            }
        }
    }

    /// <summary>
    /// One instrument's venues as vectors, on the caller's stack. A row of V venues is covered by
    /// ceil(V / W) vectors starting at min(k·W, V − W) (the last overlaps its neighbour); each is kept
    /// in its own W-wide slot so that every load of the row sweep matches exactly one earlier store
    /// (overlapping stores would defeat store-to-load forwarding on every instrument).
    /// </summary>
    private readonly ref struct Rows
    {
        public const int ScratchLength = 8 * (EdgeSweepLimits.MaxVenues + 8);

        private readonly Span<double> _sellFactor;  // 1 − fee
        private readonly Span<double> _buyFactor;   // 1 + fee
        private readonly Span<double> _sellNet;     // bid·(1 − fee), or −∞
        private readonly Span<double> _sellGross;   // bid, or −∞
        private readonly Span<double> _buyNet;      // ask·(1 + fee), or +∞
        private readonly Span<double> _buyGross;    // ask, or +∞
        private readonly Span<double> _buyScale;    // 1e4 / ask, or 1
        private readonly Vector<long> _laneBits;    // 1, 2, 4, ... per lane
        private readonly int _venues;
        private readonly int _chunks;
        private readonly int _last;

        public Rows(Span<double> scratch, ReadOnlySpan<double> takerFee, int venues)
        {
            int width = Vector<double>.Count;
            _venues = venues;
            _chunks = (venues + width - 1) / width;
            _last = venues - width;
            int length = _chunks * width;
            _sellFactor = scratch.Slice(0 * length, length);
            _buyFactor = scratch.Slice(1 * length, length);
            _sellNet = scratch.Slice(2 * length, length);
            _sellGross = scratch.Slice(3 * length, length);
            _buyNet = scratch.Slice(4 * length, length);
            _buyGross = scratch.Slice(5 * length, length);
            _buyScale = scratch.Slice(6 * length, length);
            Span<long> bits = MemoryMarshal.Cast<double, long>(scratch.Slice(7 * length, width));
            for (int lane = 0; lane < width; lane++)
            {
                bits[lane] = 1L << lane;
            }

            _laneBits = new Vector<long>(bits);
            for (int k = 0; k < _chunks; k++)
            {
                int at = Math.Min(k * width, _last);
                for (int lane = 0; lane < width; lane++)
                {
                    _sellFactor[(k * width) + lane] = 1 - takerFee[at + lane];
                    _buyFactor[(k * width) + lane] = 1 + takerFee[at + lane];
                }
            }
        }

        /// <summary>Prepares the slots from one instrument's quotes (V ≥ W, offsets in range).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Load(ref double bid, ref double ask, ref byte tradeable)
        {
            // Tradeable flags as a bit mask without a data-dependent branch: with a few books down a
            // branch per quote mispredicts often enough to cost more than the row sweep.
            ulong flags = 0;
            for (int v = 0; v < _venues; v++)
            {
                flags |= (ulong)((uint)-Unsafe.Add(ref tradeable, v) >> 31) << v; // 1 when flag != 0
            }

            int width = Vector<double>.Count;
            var min = new Vector<double>(EdgeSweepLimits.MinPrice);
            var max = new Vector<double>(EdgeSweepLimits.MaxPrice);
            var plusInfinity = new Vector<double>(double.PositiveInfinity);
            var minusInfinity = new Vector<double>(double.NegativeInfinity);
            var bps = new Vector<double>(EdgeSweepLimits.BpsPerUnit);
            for (int k = 0; k < _chunks; k++)
            {
                int at = Math.Min(k * width, _last);
                nuint slot = (nuint)(k * width);
                var flagged = Vector.Equals(new Vector<long>((long)(flags >> at)) & _laneBits, _laneBits);

                var sell = Vector.LoadUnsafe(ref bid, (nuint)at);
                var sellOk = flagged & Vector.GreaterThanOrEqual(sell, min) & Vector.LessThanOrEqual(sell, max);
                Vector.ConditionalSelect(sellOk, sell, minusInfinity).StoreUnsafe(ref Slot(_sellGross), slot);
                Vector.ConditionalSelect(sellOk, sell * Vector.LoadUnsafe(ref Slot(_sellFactor), slot), minusInfinity)
                    .StoreUnsafe(ref Slot(_sellNet), slot);

                var buy = Vector.LoadUnsafe(ref ask, (nuint)at);
                var buyOk = flagged & Vector.GreaterThanOrEqual(buy, min) & Vector.LessThanOrEqual(buy, max);
                Vector.ConditionalSelect(buyOk, buy, plusInfinity).StoreUnsafe(ref Slot(_buyGross), slot);
                Vector.ConditionalSelect(buyOk, buy * Vector.LoadUnsafe(ref Slot(_buyFactor), slot), plusInfinity)
                    .StoreUnsafe(ref Slot(_buyNet), slot);
                Vector.ConditionalSelect(buyOk, bps / buy, Vector<double>.One).StoreUnsafe(ref Slot(_buyScale), slot);
            }
        }

        /// <summary>One buy-venue row: net = (sellNet − buyNet)·scale, gross = (sellGross − buyGross)·scale.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void SweepRow(int buy, ref double netRow, ref double grossRow)
        {
            int width = Vector<double>.Count;
            int lastSlot = (_chunks - 1) * width;
            int buySlot = buy < lastSlot ? buy : lastSlot + (buy - _last);
            var buyNet = new Vector<double>(_buyNet[buySlot]);
            var buyGross = new Vector<double>(_buyGross[buySlot]);
            var scale = new Vector<double>(_buyScale[buySlot]);
            for (int k = 0; k < _chunks; k++)
            {
                nuint at = (nuint)Math.Min(k * width, _last);
                nuint slot = (nuint)(k * width);
                ((Vector.LoadUnsafe(ref Slot(_sellNet), slot) - buyNet) * scale).StoreUnsafe(ref netRow, at);
                ((Vector.LoadUnsafe(ref Slot(_sellGross), slot) - buyGross) * scale).StoreUnsafe(ref grossRow, at);
            }
        }

        private static ref double Slot(Span<double> span) => ref MemoryMarshal.GetReference(span);
    }
}
