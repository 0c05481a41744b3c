using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Primitives;
using LowLatency.Fuzz.Tests.Engine;

namespace LowLatency.Fuzz.Tests.Cex;

/// <summary>The parser-side contract every venue parser keeps, checked after each frame.</summary>
internal static class ParserChecks
{
    public const long ReceiveTimeNs = 1_633_998_512_063_356_900;
    public const long ReceiveTimestamp = 77;

    private static readonly ParseError[] s_errors = Enum.GetValues<ParseError>();

    public static long[] Counters(ParseCounters counters)
    {
        var values = new long[2 + s_errors.Length];
        values[0] = counters.Messages;
        values[1] = counters.Ignored;
        for (int i = 0; i < s_errors.Length; i++)
        {
            values[2 + i] = counters.Rejected(s_errors[i]);
        }

        return values;
    }

    /// <summary>Exactly one counter moved, by one, and it is the one the result names (the error's, for a rejection).</summary>
    public static void CountedOnce(long[] before, long[] after, ParseResult result, ParseError lastError)
    {
        int expected = result switch
        {
            ParseResult.Message => 0,
            ParseResult.Ignored => 1,
            _ => 2 + Array.IndexOf(s_errors, lastError),
        };
        Invariant.That(result != ParseResult.Rejected || lastError != ParseError.None, "counters: a rejection without a reason");
        for (int i = 0; i < before.Length; i++)
        {
            long delta = after[i] - before[i];
            Invariant.That(delta == (i == expected ? 1 : 0), $"counters: frame {result}/{lastError} moved counter {i} by {delta}");
        }
    }

    /// <summary>Nothing of a frame that is not a message may be left in the scratch.</summary>
    public static void IsReset(BookMessage m)
    {
        Invariant.That(m.Kind == TickKind.None && m.BidCount == 0 && m.AskCount == 0 && m.Flags == TickFlags.None
                       && m.FirstUpdateId == 0 && m.LastUpdateId == 0 && m.PrevUpdateId == 0 && m.Checksum == 0
                       && m.Venue == default && m.Instrument == default && m.ExchangeTimeNs == 0 && m.ReceiveTimeNs == 0,
            "scratch: a frame that is not a message left data in the scratch");
    }

    /// <summary>What every parsed message satisfies.</summary>
    public static void Message(BookMessage m, VenueId venue, IReadOnlyList<InstrumentSpec> instruments)
    {
        Invariant.That(m.Kind is TickKind.Top or TickKind.Snapshot or TickKind.Delta, "message: no kind");
        Invariant.Equal(venue, m.Venue, "message: venue");
        Invariant.That(instruments.Any(i => i.Id == m.Instrument), "message: unknown instrument");
        Invariant.Equal(ReceiveTimeNs, m.ReceiveTimeNs, "message: receive time");
        Invariant.Equal(ReceiveTimestamp, m.ReceiveTimestamp, "message: receive timestamp");
        Invariant.That(m.ExchangeTimeNs >= 0, "message: negative exchange time");
        foreach (BookLevel l in m.Bids)
        {
            Invariant.That(l.Price.Raw > 0 && l.Quantity.Raw >= 0, "message: bid with a price ≤ 0 or a negative quantity");
        }

        foreach (BookLevel l in m.Asks)
        {
            Invariant.That(l.Price.Raw > 0 && l.Quantity.Raw >= 0, "message: ask with a price ≤ 0 or a negative quantity");
        }

        if (m.Kind == TickKind.Snapshot)
        {
            Invariant.That(m.IsOrderedAndUncrossed(), "message: snapshot out of order or crossed");
        }

        if (m.Kind == TickKind.Top)
        {
            Invariant.That(m.BidCount == 1 && m.AskCount == 1 && m.Bids[0].Price.Raw < m.Asks[0].Price.Raw, "message: top is not one uncrossed bid and ask");
        }
    }
}
