using System.Buffers;
using System.Text.Json;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace LowLatency.Adapters.Cluster.Streams;

/// <summary>One node as the streams show it.</summary>
/// <param name="State">What the node last said ("trading", "lease-expired", "paused", "stopped"), or "silent" when its
/// heartbeats stopped.</param>
/// <param name="PnlUsd">Σ P&amp;L of the node's fills in the fills stream (not the node's own claim).</param>
/// <param name="Fills">Distinct fills of the node in the stream.</param>
/// <param name="Duplicates">Fill records whose sequence number was already seen (never counted twice).</param>
/// <param name="Gaps">Sequence numbers missing between fills seen.</param>
/// <param name="NotionalTodayUsd">The day's notional the node's lease had used at its last heartbeat (0 when it did not say).</param>
public sealed record ClusterNodeView(string Name, string State, IReadOnlyList<VenueState> Venues, double PnlUsd, long Fills, long Duplicates, long Gaps,
    double ExposureUsd, double ReportedPnlUsd, long LastSeenMs, double NotionalTodayUsd);

/// <summary>The cluster at one moment.</summary>
public sealed record ClusterSnapshot(IReadOnlyList<ClusterNodeView> Nodes, long AtMs)
{
    public double TotalPnlUsd
    {
        get
        {
            double sum = 0;
            foreach (var n in Nodes)
            {
                sum += n.PnlUsd;
            }

            return sum;
        }
    }

    /// <summary>The <c>GET /api/cluster</c> body: <c>{"nodes":[{"name","state","venues","pnl",…}],"pnl":…}</c>.</summary>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("nodes");
            foreach (var n in Nodes)
            {
                w.WriteStartObject();
                w.WriteString("name", n.Name);
                w.WriteString("state", n.State);
                w.WriteStartArray("venues");
                foreach (var v in n.Venues)
                {
                    w.WriteStartObject();
                    w.WriteString("name", v.Name);
                    w.WriteString("state", v.State);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteNumber("pnl", Math.Round(n.PnlUsd, 6));
                w.WriteNumber("fills", n.Fills);
                w.WriteNumber("duplicates", n.Duplicates);
                w.WriteNumber("gaps", n.Gaps);
                w.WriteNumber("exposureUsd", Math.Round(n.ExposureUsd, 6));
                w.WriteNumber("notionalTodayUsd", Math.Round(n.NotionalTodayUsd, 6));
                w.WriteNumber("lastSeenMs", n.LastSeenMs);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("pnl", Math.Round(TotalPnlUsd, 6));
            w.WriteNumber("at", AtMs);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>
/// The one view of the cluster, built from the streams only: every node's fills (P&amp;L, counts, duplicates and gaps
/// by sequence number) and its latest heartbeat (state, venues). Reads on two background tasks; <see cref="Snapshot"/>
/// from any thread. A node whose heartbeats stop for <c>silentAfter</c> shows as "silent".
/// </summary>
public sealed class ClusterView : IAsyncDisposable
{
    private readonly INatsJSContext _js;
    private readonly TimeSpan _silentAfter;
    private readonly object _gate = new();
    private readonly Dictionary<string, NodeAgg> _nodes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _fills;
    private Task? _states;
    private long _malformed;

    public ClusterView(INatsJSContext js, TimeSpan silentAfter)
    {
        ArgumentNullException.ThrowIfNull(js);
        _js = js;
        _silentAfter = silentAfter;
    }

    /// <summary>Stream messages that were not well-formed records (counted, skipped).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    public void Start()
    {
        _fills ??= Task.Run(() => FollowAsync(ClusterBus.FillsStream, "ll.fill.*", OnFill, _stop.Token));
        _states ??= Task.Run(() => FollowAsync(ClusterBus.StateStream, "ll.state.*", OnState, _stop.Token));
    }

    public ClusterSnapshot Snapshot()
    {
        long now = ClusterBus.NowMs();
        var list = new List<ClusterNodeView>();
        lock (_gate)
        {
            foreach (var (name, n) in _nodes)
            {
                string state = n.LastSeenMs == 0 ? "unknown" : now - n.LastSeenMs > _silentAfter.TotalMilliseconds ? "silent" : n.State;
                list.Add(new ClusterNodeView(name, state, n.Venues, n.Pnl, n.Fills, n.Duplicates, n.Gaps, n.Exposure, n.ReportedPnl, n.LastSeenMs, n.NotionalToday));
            }
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new ClusterSnapshot(list, now);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var t in new[] { _fills, _states })
        {
            if (t != null)
            {
                try
                {
                    await t.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        _stop.Dispose();
    }

    private async Task FollowAsync(string stream, string filter, Action<ReadOnlyMemory<byte>> onMessage, CancellationToken ct)
    {
        ulong last = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var opts = new NatsJSOrderedConsumerOpts { FilterSubjects = [filter] };
                if (last > 0)
                {
                    // Resume after the last message applied: a reconnect never applies one twice.
                    opts = opts with { DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence, OptStartSeq = last + 1 };
                }

                var consumer = await _js.CreateOrderedConsumerAsync(stream, opts, ct).ConfigureAwait(false);
                await foreach (var msg in consumer.ConsumeAsync<byte[]>(cancellationToken: ct).ConfigureAwait(false))
                {
                    ulong seq = msg.Metadata?.Sequence.Stream ?? 0;
                    if (seq != 0 && seq <= last)
                    {
                        continue;
                    }

                    last = seq;
                    if (StreamReading.SubjectMatches(filter, msg.Subject))
                    {
                        onMessage(msg.Data ?? []);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // NATS away: try again shortly from where we were.
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
        }
    }

    private void OnFill(ReadOnlyMemory<byte> data)
    {
        if (!TryParse(data, out var root, out var doc))
        {
            return;
        }

        using (doc)
        {
            if (!root.TryGetProperty("node", out var node) || node.GetString() is not { } name ||
                !root.TryGetProperty("seq", out var seqEl) || !seqEl.TryGetInt64(out long seq) ||
                !root.TryGetProperty("pnl", out var pnlEl) || !pnlEl.TryGetDouble(out double pnl))
            {
                Interlocked.Increment(ref _malformed);
                return;
            }

            lock (_gate)
            {
                var n = Get(name);
                if (seq <= n.LastSeq)
                {
                    n.Duplicates++;
                    return;
                }

                n.Gaps += seq - n.LastSeq - 1;
                n.LastSeq = seq;
                n.Fills++;
                n.Pnl += pnl;
            }
        }
    }

    private void OnState(ReadOnlyMemory<byte> data)
    {
        if (!TryParse(data, out var root, out var doc))
        {
            return;
        }

        using (doc)
        {
            if (!root.TryGetProperty("node", out var node) || node.GetString() is not { } name ||
                !root.TryGetProperty("state", out var state) || state.GetString() is not { } st ||
                !root.TryGetProperty("at", out var at) || !at.TryGetInt64(out long atMs) ||
                !root.TryGetProperty("venues", out var venues) || venues.ValueKind != JsonValueKind.Array)
            {
                Interlocked.Increment(ref _malformed);
                return;
            }

            var list = new List<VenueState>();
            foreach (var v in venues.EnumerateArray())
            {
                if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("name", out var vn) && v.TryGetProperty("state", out var vs))
                {
                    list.Add(new VenueState(vn.GetString() ?? "", vs.GetString() ?? ""));
                }
            }

            double exposure = root.TryGetProperty("exposure", out var e) && e.TryGetDouble(out double ex) ? ex : 0;
            double reported = root.TryGetProperty("pnl", out var p) && p.TryGetDouble(out double rp) ? rp : 0;
            double notionalToday = DayNotionalCount.TryReading(root, out double used) ? used : 0;
            lock (_gate)
            {
                var n = Get(name);
                if (atMs >= n.LastSeenMs)
                {
                    n.LastSeenMs = atMs;
                    n.State = st;
                    n.Venues = list;
                    n.Exposure = exposure;
                    n.ReportedPnl = reported;
                    n.NotionalToday = notionalToday;
                }
            }
        }
    }

    private bool TryParse(ReadOnlyMemory<byte> data, out JsonElement root, out JsonDocument? doc)
    {
        try
        {
            doc = JsonDocument.Parse(data);
            root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                return true;
            }

            doc.Dispose();
        }
        catch (JsonException)
        {
        }

        Interlocked.Increment(ref _malformed);
        doc = null;
        root = default;
        return false;
    }

    private NodeAgg Get(string name)
    {
        if (!_nodes.TryGetValue(name, out var n))
        {
            n = new NodeAgg();
            _nodes[name] = n;
        }

        return n;
    }

    private sealed class NodeAgg
    {
        public string State = "unknown";
        public IReadOnlyList<VenueState> Venues = [];
        public long LastSeq;
        public long Fills;
        public long Duplicates;
        public long Gaps;
        public double Pnl;
        public double Exposure;
        public double NotionalToday;
        public double ReportedPnl;
        public long LastSeenMs;
    }
}
