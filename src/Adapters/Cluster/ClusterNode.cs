using LowLatency.Adapters.Cluster.Limits;
using LowLatency.Adapters.Cluster.Streams;
using LowLatency.HotPath.Risk;

namespace LowLatency.Adapters.Cluster;

/// <summary>
/// One engine's membership of the cluster: the connection, this node's <see cref="ClusterLease"/> and its refiller,
/// the stream publisher, the cluster view and a heartbeat. Built by the host before the engine starts; the strategy
/// thread only ever touches <see cref="Lease"/>.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly Func<ClusterNode, NodeStateRecord> _state;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeat;
    private double _pnl;
    private int _stopped;

    private ClusterNode(ClusterOptions options, ClusterBus bus, ClusterLease lease, LeaseRefiller refiller, ClusterPublisher publisher, ClusterView view,
        Func<ClusterNode, NodeStateRecord>? state)
    {
        Options = options;
        Bus = bus;
        Lease = lease;
        Refiller = refiller;
        Publisher = publisher;
        View = view;
        _pnl = publisher.PnlTodayAtStartUsd;
        _state = state ?? DefaultState;
        _heartbeat = Task.Run(() => HeartbeatAsync(_stop.Token));
    }

    public ClusterOptions Options { get; }

    public ClusterBus Bus { get; }

    /// <summary>What the strategy thread checks (after the local <see cref="RiskGate"/> approved).</summary>
    public ClusterLease Lease { get; }

    public LeaseRefiller Refiller { get; }

    public ClusterPublisher Publisher { get; }

    public ClusterView View { get; }

    /// <summary>The day's P&amp;L of this node's fills (including those before a restart).</summary>
    public double PnlUsd => Volatile.Read(ref _pnl);

    /// <summary>"trading", "lease-expired" (NATS unreachable or limits disagree), "paused" (publisher behind) or "stopped".</summary>
    public string TradingState =>
        Volatile.Read(ref _stopped) != 0 ? "stopped" :
        ClusterBus.NowNs() >= Lease.ValidUntilNs ? "lease-expired" :
        Lease.IsPaused ? "paused" : "trading";

    /// <summary>
    /// Connects, reads this node's earlier fills (sequence numbers, the day's totals), adopts its earlier shares, confirms
    /// the lease once, then starts the refiller, the view and the heartbeat. Throws when NATS cannot be reached at start.
    /// </summary>
    public static async Task<ClusterNode> StartAsync(ClusterOptions options, Func<ClusterNode, NodeStateRecord>? state = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        var bus = await ClusterBus.ConnectAsync(options.Url, options.Node, options.Replicas, cancellationToken).ConfigureAwait(false);
        var lease = new ClusterLease(options.Assets.Count, options.Venues.Count);
        var publisher = new ClusterPublisher(bus.JetStream, options.Node, lease, options.PublishHighWater);
        await publisher.StartAsync(cancellationToken).ConfigureAwait(false);
        var refiller = new LeaseRefiller(lease, options, bus.Limits, bus.ConfirmAsync);
        await refiller.AdoptAsync(publisher.NotionalTodayAtStartUsd, publisher.PnlTodayAtStartUsd, cancellationToken).ConfigureAwait(false);
        await refiller.RoundAsync(cancellationToken).ConfigureAwait(false);
        refiller.Start();
        var view = new ClusterView(bus.JetStream, options.StateInterval * 4);
        view.Start();
        return new ClusterNode(options, bus, lease, refiller, publisher, view, state);
    }

    /// <summary>
    /// Host thread: a fill happened; it goes to the stream (never waits) with the day's notional the lease has used, read
    /// now, after its action was approved (what a restart adopts), and its P&amp;L to the loss share.
    /// </summary>
    public long RecordFill(FillRecord fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        long seq = Publisher.EnqueueFill(fill, NotionalTodayUsd());
        if (double.IsFinite(fill.PnlUsd) && fill.PnlUsd != 0)
        {
            double before;
            do
            {
                before = Volatile.Read(ref _pnl);
            }
            while (Interlocked.CompareExchange(ref _pnl, before + fill.PnlUsd, before) != before);
        }

        return seq;
    }

    /// <summary>Host thread: a breaker tripped or reset.</summary>
    public void RecordBreaker(BreakerRecord record) => Publisher.EnqueueBreaker(record);

    /// <summary>
    /// Clean stop: trading ends, the last state says "stopped", queued messages are flushed (within <paramref name="guard"/>)
    /// and every unused share goes back to the cluster.
    /// </summary>
    public async Task StopAsync(TimeSpan guard, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        Lease.Expire();
        await _stop.CancelAsync().ConfigureAwait(false);
        await AwaitQuietly(_heartbeat).ConfigureAwait(false);
        EnqueueState();
        await Publisher.FlushAsync(guard, cancellationToken).ConfigureAwait(false);
        // NATS away at shutdown: the client would wait for it without end; the give-back gets the same guard as the flush.
        using var giveBack = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        giveBack.CancelAfter(guard);
        try
        {
            await Refiller.ReleaseAllAsync(giveBack.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The shares stay counted (safe) until this node returns.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _stopped, 1);
        Lease.Expire();
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await AwaitQuietly(_heartbeat).ConfigureAwait(false);
        await View.DisposeAsync().ConfigureAwait(false);
        await Refiller.DisposeAsync().ConfigureAwait(false);
        await Publisher.DisposeAsync().ConfigureAwait(false);
        await Bus.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private static NodeStateRecord DefaultState(ClusterNode node)
    {
        var venues = new List<VenueState>(node.Options.Venues.Count);
        foreach (var v in node.Options.Venues)
        {
            venues.Add(new VenueState(v, "up"));
        }

        return new NodeStateRecord(node.TradingState, venues, node.PnlUsd, node.ExposureUsd());
    }

    /// <summary>Exposure this node holds now (granted minus left over every exposure slot), USD.</summary>
    public double ExposureUsd()
    {
        long sum = 0;
        for (int a = 0; a < Lease.Assets; a++)
        {
            for (int v = 0; v < Lease.Venues; v++)
            {
                int slot = Lease.ExposureSlot(a, v);
                sum += Refiller.Used(slot);
            }
        }

        return sum / ClusterLease.Scale;
    }

    /// <summary>The day's notional this node's lease has used (granted minus left of the day's share), USD.</summary>
    public double NotionalTodayUsd() => Refiller.Used(Lease.NotionalSlot) / ClusterLease.Scale;

    private void EnqueueState()
    {
        // The fill number first: every fill numbered up to it was of an action the lease had approved, so the reading after
        // it holds that action's notional (DayNotionalCount).
        long fills = Publisher.LastFillSeq;
        Publisher.EnqueueState(_state(this), fills, NotionalTodayUsd());
    }

    private async Task HeartbeatAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // While NATS is away heartbeats would only pile up behind the fills: a few queued are enough.
            if (Publisher.Queued < Options.PublishHighWater / 8)
            {
                EnqueueState();
            }

            await Task.Delay(Options.StateInterval, ct).ConfigureAwait(false);
        }
    }

    private static async Task AwaitQuietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
