using System.Buffers;
using System.Text.Json;

namespace LowLatency.Adapters.Cluster.Streams;

/// <summary>One fill as the cluster records it (host thread builds it from the executor's report).</summary>
public sealed record FillRecord(string Asset, string Venue, string Side, double Quantity, double Price, double NotionalUsd, double FeeUsd, double PnlUsd, long TimeNs);

/// <summary>A venue's state as a node sees it ("up", "quarantined", "down", …).</summary>
public sealed record VenueState(string Name, string State);

/// <summary>What a node publishes about itself every state interval.</summary>
public sealed record NodeStateRecord(string State, IReadOnlyList<VenueState> Venues, double PnlUsd, double ExposureUsd);

/// <summary>A breaker trip or reset on a node.</summary>
public sealed record BreakerRecord(string Breaker, string Kind, int Subject, double Value, double Limit, long TimeNs);

/// <summary>The JSON of the stream messages (one writer, one reader: these two must agree).</summary>
public static class ClusterJson
{
    /// <param name="notionalTodayUsd">The day's notional the node's lease had used after this fill's action was approved
    /// (what a restart adopts, <see cref="DayNotionalCount"/>); null: not written.</param>
    public static byte[] Fill(string node, long seq, FillRecord f, double? notionalTodayUsd)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Write(w =>
        {
            w.WriteString("node", node);
            w.WriteNumber("seq", seq);
            w.WriteString("asset", f.Asset);
            w.WriteString("venue", f.Venue);
            w.WriteString("side", f.Side);
            w.WriteNumber("qty", f.Quantity);
            w.WriteNumber("price", f.Price);
            w.WriteNumber("notional", f.NotionalUsd);
            w.WriteNumber("fee", f.FeeUsd);
            w.WriteNumber("pnl", f.PnlUsd);
            w.WriteNumber("ts", f.TimeNs);
            if (notionalTodayUsd is { } used)
            {
                w.WriteNumber("notionalToday", used);
            }
        });
    }

    /// <param name="fills">The last fill number before <paramref name="notionalTodayUsd"/> was read.</param>
    /// <param name="notionalTodayUsd">The day's notional this node's lease has used (what a restart adopts, <see cref="DayNotionalCount"/>).</param>
    public static byte[] State(string node, long seq, long fills, double notionalTodayUsd, long unixMs, NodeStateRecord s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Write(w =>
        {
            w.WriteString("node", node);
            w.WriteNumber("seq", seq);
            w.WriteString("state", s.State);
            w.WriteStartArray("venues");
            foreach (var v in s.Venues)
            {
                w.WriteStartObject();
                w.WriteString("name", v.Name);
                w.WriteString("state", v.State);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("pnl", s.PnlUsd);
            w.WriteNumber("exposure", s.ExposureUsd);
            w.WriteNumber("fills", fills);
            w.WriteNumber("notionalToday", notionalTodayUsd);
            w.WriteNumber("at", unixMs);
        });
    }

    public static byte[] Breaker(string node, long seq, BreakerRecord b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return Write(w =>
        {
            w.WriteString("node", node);
            w.WriteNumber("seq", seq);
            w.WriteString("breaker", b.Breaker);
            w.WriteString("kind", b.Kind);
            w.WriteNumber("subject", b.Subject);
            w.WriteNumber("value", b.Value);
            w.WriteNumber("limit", b.Limit);
            w.WriteNumber("ts", b.TimeNs);
        });
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
