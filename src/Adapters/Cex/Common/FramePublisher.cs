using System.Runtime.CompilerServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>
/// Writes a parsed <see cref="BookMessage"/> into ring slots: levels are laid out bids first then asks,
/// <see cref="TickEvent.MaxLevels"/> per slot, so a message takes <see cref="SlotsNeeded"/> contiguous slots; the first
/// carries <see cref="TickFlags.FirstChunk"/>, the last <see cref="TickFlags.LastChunk"/> (a one-slot message has both),
/// and every chunk repeats the header (kind, ids, timestamps) so a consumer can read it from any chunk.
/// This is how every venue publishes. Producer (I/O) thread; allocation-free.
/// <para>Typical use with the ring: <c>n = SlotsNeeded(msg); ring.TryNext(n, out lo, out hi); for k in 0..n:
/// WriteChunk(msg, k, ref ring[lo + k]); ring.Publish(lo, hi)</c>.</para>
/// </summary>
public static class FramePublisher
{
    /// <summary>Slots the message needs (at least 1: an empty delta still carries its ids).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SlotsNeeded(BookMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        int levels = message.BidCount + message.AskCount;
        return levels == 0 ? 1 : (levels + TickEvent.MaxLevels - 1) / TickEvent.MaxLevels;
    }

    /// <summary>Fills slot <paramref name="chunk"/> (0-based) of the message. Every field of the slot is overwritten.</summary>
    public static void WriteChunk(BookMessage message, int chunk, ref TickEvent slot)
    {
        ArgumentNullException.ThrowIfNull(message);
        int chunks = SlotsNeeded(message);
        TickFlags flags = message.Flags & (TickFlags.HasChecksum | TickFlags.HasPrevUpdateId | TickFlags.AfterLostMessage);
        if (chunk == 0)
        {
            flags |= TickFlags.FirstChunk;
        }

        if (chunk == chunks - 1)
        {
            flags |= TickFlags.LastChunk;
        }

        slot.Kind = message.Kind;
        slot.Flags = flags;
        slot.Venue = message.Venue;
        slot.Instrument = message.Instrument;
        slot.Checksum = message.Checksum;
        slot.FirstUpdateId = message.FirstUpdateId;
        slot.LastUpdateId = message.LastUpdateId;
        slot.PrevUpdateId = message.PrevUpdateId;
        slot.ExchangeTimeNs = message.ExchangeTimeNs;
        slot.ReceiveTimeNs = message.ReceiveTimeNs;
        slot.ReceiveTimestamp = message.ReceiveTimestamp;

        // Level k of the message is bids[k] for k < BidCount, else asks[k - BidCount]: at most two block copies.
        int start = chunk * TickEvent.MaxLevels;
        int bidCount = message.BidCount;
        int end = Math.Min(start + TickEvent.MaxLevels, bidCount + message.AskCount);
        int written = Math.Max(end - start, 0);
        int bidsInSlot = Math.Clamp(bidCount - start, 0, written);
        int asksInSlot = written - bidsInSlot;
        Span<BookLevel> levels = slot.Levels;
        if (bidsInSlot > 0)
        {
            message.Bids.Slice(start, bidsInSlot).CopyTo(levels);
        }

        if (asksInSlot > 0)
        {
            message.Asks.Slice(start + bidsInSlot - bidCount, asksInSlot).CopyTo(levels[bidsInSlot..]);
        }

        slot.BidCount = (byte)bidsInSlot;
        slot.AskCount = (byte)asksInSlot;
    }

    /// <summary>
    /// Writes the whole message into <paramref name="slots"/> (tests, replay tools, a ring whose claimed range does not
    /// wrap). Returns the number of slots written, or -1 (nothing written) when the span is too short.
    /// </summary>
    public static int Write(BookMessage message, Span<TickEvent> slots)
    {
        int n = SlotsNeeded(message);
        if (n > slots.Length)
        {
            return -1;
        }

        for (int k = 0; k < n; k++)
        {
            WriteChunk(message, k, ref slots[k]);
        }

        return n;
    }
}
