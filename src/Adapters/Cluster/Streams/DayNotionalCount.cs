using System.Text.Json;

namespace LowLatency.Adapters.Cluster.Streams;

/// <summary>
/// The day's notional a node's lease used before it restarted, rebuilt from its records in the streams. Each fill and
/// each state carries a reading: what the lease had used of the day's share when it was written (a fill's is taken after
/// its action was approved, so the last fill's reading holds every action that filled). The count is the largest
/// reading of the day; readings only grow, except when an action that never traded gives its notional back, so the
/// largest is the latest or a little more (safe; so is a reading just after midnight that still holds yesterday's, before
/// the refiller turns the day). Fills of the day without a reading (an older engine's) after the last reading are added
/// at their leg's notional: a pair's two legs count twice, an over-count, which is also safe.
/// </summary>
public sealed class DayNotionalCount
{
    private readonly long _dayStartNs;
    private double _reading = -1;
    private long _readingAfterFill = -1;
    private List<(long Seq, double Usd)>? _unread;

    /// <param name="dayStartNs">The day's start, Unix ns (UTC midnight).</param>
    /// <param name="lastState">The node's last state message, or empty when it has none.</param>
    public DayNotionalCount(long dayStartNs, ReadOnlySpan<byte> lastState)
    {
        _dayStartNs = dayStartNs;
        if (TryReadMark(lastState, dayStartNs / 1_000_000, out long fills, out double notional))
        {
            Take(fills, notional);
        }
    }

    /// <summary>The day's notional used before the restart, USD.</summary>
    public double TotalUsd
    {
        get
        {
            double total = Math.Max(0, _reading);
            foreach ((long seq, double usd) in _unread ?? [])
            {
                total += seq > _readingAfterFill ? usd : 0;
            }

            return total;
        }
    }

    /// <summary>Whether a reading of the day (a fill's or the last state's) gave the count its start.</summary>
    public bool FromReading => _reading >= 0;

    /// <summary>Fills of the day counted at their leg's notional (those without a reading, after the last reading).</summary>
    public int FillsCountedByLeg
    {
        get
        {
            int n = 0;
            foreach ((long seq, _) in _unread ?? [])
            {
                n += seq > _readingAfterFill ? 1 : 0;
            }

            return n;
        }
    }

    /// <summary>One of the node's fills, in any order; <paramref name="notionalTodayUsd"/> is its reading (null: none).</summary>
    public void Add(long fillSeq, long timeNs, double notionalUsd, double? notionalTodayUsd)
    {
        if (timeNs < _dayStartNs)
        {
            return;
        }

        if (notionalTodayUsd is { } reading && double.IsFinite(reading) && reading >= 0)
        {
            Take(fillSeq, reading);
        }
        else if (double.IsFinite(notionalUsd) && notionalUsd > 0)
        {
            (_unread ??= []).Add((fillSeq, notionalUsd));
        }
    }

    /// <summary>The state's fill number and the day's notional its lease had used, when it has both and is of the day.</summary>
    public static bool TryReadMark(ReadOnlySpan<byte> state, long dayStartMs, out long fills, out double notionalUsd)
    {
        fills = 0;
        notionalUsd = 0;
        if (state.IsEmpty)
        {
            return false;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(state.ToArray());
        }
        catch (JsonException)
        {
            return false; // A damaged state counts as none: the fills alone are counted (safe).
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            bool read = root.ValueKind == JsonValueKind.Object &&
                        root.TryGetProperty("at", out JsonElement at) && at.ValueKind == JsonValueKind.Number && at.TryGetInt64(out long atMs) && atMs >= dayStartMs &&
                        root.TryGetProperty("fills", out JsonElement f) && f.ValueKind == JsonValueKind.Number && f.TryGetInt64(out fills) && fills >= 0 &&
                        TryReading(root, out notionalUsd);
            if (!read)
            {
                fills = 0;
                notionalUsd = 0;
            }

            return read;
        }
    }

    /// <summary>A record's <c>notionalToday</c>: a finite number of 0 or more, else none.</summary>
    public static bool TryReading(JsonElement record, out double notionalUsd)
    {
        notionalUsd = 0;
        return record.TryGetProperty("notionalToday", out JsonElement n) && n.ValueKind == JsonValueKind.Number &&
               n.TryGetDouble(out notionalUsd) && double.IsFinite(notionalUsd) && notionalUsd >= 0;
    }

    private void Take(long afterFill, double reading)
    {
        _reading = Math.Max(_reading, reading);
        _readingAfterFill = Math.Max(_readingAfterFill, afterFill);
    }
}
