using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using LowLatency.Adapters.Ethereum;
using LowLatency.HotPath.Risk;
using NATS.Client.JetStream;

namespace LowLatency.Adapters.Cluster.Streams;

/// <summary>
/// Publishes this node's fills, breaker trips and state to JetStream on its own task, never on the strategy thread. The
/// host thread enqueues (no waiting); the task publishes in order and retries each message until the server acknowledged
/// it, with the same message id (node:seq), so a retry after a lost ack is dropped by the stream's duplicate window and a
/// fill is never counted twice. At <see cref="ClusterOptions.PublishHighWater"/> queued messages the lease pauses trading
/// (a fill already made is never dropped); it resumes at a quarter of that.
/// </summary>
public sealed partial class ClusterPublisher : IAsyncDisposable
{
    private readonly INatsJSContext _js;
    private readonly string _node;
    private readonly ClusterLease? _lease;
    private readonly int _highWater;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    // Breaker ids restart with the process: the start time keeps them apart from an earlier process's in the dedupe window.
    private readonly string _instance = ClusterBus.NowMs().ToString(CultureInfo.InvariantCulture);
    private Task? _loop;
    private long _fillSeq;
    private long _stateSeq;
    private long _riskSeq;
    private long _queued;
    private long _published;
    private long _duplicates;
    private long _retries;
    private long _fillsPublished;
    private string? _lastError;

    public ClusterPublisher(INatsJSContext js, string node, ClusterLease? lease, int highWater = 16_384)
    {
        ArgumentNullException.ThrowIfNull(js);
        ArgumentException.ThrowIfNullOrEmpty(node);
        _js = js;
        _node = node;
        _lease = lease;
        _highWater = Math.Max(4, highWater);
    }

    /// <summary>Messages waiting for the server.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>Messages the server acknowledged.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Fills the server acknowledged (this process).</summary>
    public long FillsPublished => Interlocked.Read(ref _fillsPublished);

    /// <summary>Acknowledgements that said "duplicate" (a retry of a message that had landed).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Why the last publish that had to be retried failed (one line); null while none has.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>The sequence of the last fill enqueued (continues across restarts).</summary>
    public long LastFillSeq => Interlocked.Read(ref _fillSeq);

    /// <summary>Fills this node has in the stream (its own records, read back at start).</summary>
    public long FillsAtStart { get; private set; }

    /// <summary>The day's notional this node's lease used before this process started (<see cref="DayNotionalCount"/>).</summary>
    public double NotionalTodayAtStartUsd => DayNotionalAtStart?.TotalUsd ?? 0;

    /// <summary>How <see cref="NotionalTodayAtStartUsd"/> was counted; null before <see cref="StartAsync"/>.</summary>
    public DayNotionalCount? DayNotionalAtStart { get; private set; }

    /// <summary>The day's P&amp;L of this node's fills in the stream before this process started.</summary>
    public double PnlTodayAtStartUsd { get; private set; }

    /// <summary>
    /// Reads this node's last state and earlier fills from the streams (sequence numbering, the day's notional and P&amp;L),
    /// then starts publishing.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_loop != null)
        {
            return;
        }

        long dayStartNs = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
        var last = await StreamReading.LastAsync(_js, ClusterBus.StateStream, "ll.state." + _node, cancellationToken).ConfigureAwait(false);
        if (last is { } l)
        {
            using var doc = JsonDocument.Parse(l.Data);
            _stateSeq = doc.RootElement.GetProperty("seq").GetInt64();
        }

        var notional = new DayNotionalCount(dayStartNs, last is { } state ? state.Data : default);
        long lastSeq = 0;
        long fills = 0;
        double pnl = 0;
        await StreamReading.ReadAllAsync(_js, ClusterBus.FillsStream, "ll.fill." + _node, (_, data) =>
        {
            using var doc = JsonDocument.Parse(data);
            var root = doc.RootElement;
            long seq = root.GetProperty("seq").GetInt64();
            long timeNs = root.GetProperty("ts").GetInt64();
            lastSeq = Math.Max(lastSeq, seq);
            fills++;
            notional.Add(seq, timeNs, root.GetProperty("notional").GetDouble(),
                DayNotionalCount.TryReading(root, out double reading) ? reading : null);
            if (timeNs >= dayStartNs)
            {
                pnl += root.GetProperty("pnl").GetDouble();
            }
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        _fillSeq = lastSeq;
        FillsAtStart = fills;
        DayNotionalAtStart = notional;
        PnlTodayAtStartUsd = pnl;
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>
    /// Host thread: records a fill with the day's notional the lease had used after its action was approved (null: none);
    /// returns its sequence number. Never waits.
    /// </summary>
    public long EnqueueFill(FillRecord fill, double? notionalTodayUsd)
    {
        long seq = Interlocked.Increment(ref _fillSeq);
        Enqueue(new Pending("ll.fill." + _node, _node + ":fill:" + seq.ToString(CultureInfo.InvariantCulture), ClusterJson.Fill(_node, seq, fill, notionalTodayUsd), true));
        return seq;
    }

    /// <summary>Host thread: a breaker tripped or reset.</summary>
    public void EnqueueBreaker(BreakerRecord record)
    {
        long seq = Interlocked.Increment(ref _riskSeq);
        Enqueue(new Pending("ll.risk." + _node, _node + ":risk:" + _instance + ":" + seq.ToString(CultureInfo.InvariantCulture),
            ClusterJson.Breaker(_node, seq, record), false));
    }

    /// <summary>
    /// This node's state now (the heartbeat the cluster view reads), with the day's notional its lease has used and the
    /// last fill number read before it (<see cref="ClusterNode"/> reads them in that order).
    /// </summary>
    public void EnqueueState(NodeStateRecord state, long fills, double notionalTodayUsd)
    {
        long seq = Interlocked.Increment(ref _stateSeq);
        Enqueue(new Pending("ll.state." + _node, _node + ":state:" + seq.ToString(CultureInfo.InvariantCulture),
            ClusterJson.State(_node, seq, fills, notionalTodayUsd, ClusterBus.NowMs(), state), false));
    }

    /// <summary>Waits (polling, with a hang guard) until every queued message was acknowledged.</summary>
    public async Task<bool> FlushAsync(TimeSpan guard, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + guard;
        while (Queued > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        if (_loop != null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    private void Enqueue(Pending message)
    {
        long queued = Interlocked.Increment(ref _queued);
        if (queued >= _highWater)
        {
            _lease?.Pause(true);
        }

        // Unbounded by type, bounded by policy: at the high-water mark trading pauses, so only fills in flight still come.
        _queue.Writer.TryWrite(message);
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        await foreach (var message in _queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    var ack = await _js.PublishAsync(message.Subject, message.Data, opts: new NatsJSPubOpts { MsgId = message.MsgId }, cancellationToken: ct)
                        .ConfigureAwait(false);
                    ack.EnsureSuccess();
                    break;
                }
                catch (NatsJSDuplicateMessageException)
                {
                    // The stream has it already: an earlier try landed and its ack was lost. Done, counted once. (EnsureSuccess
                    // throws on a duplicate; retried, it would be a duplicate for ever and the queue behind it would never move.)
                    Interlocked.Increment(ref _duplicates);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // NATS down or slow: the same message again, same id, after a back-off; order is kept.
                    Interlocked.Increment(ref _retries);
                    Volatile.Write(ref _lastError, OneLine(e));
                    await Task.Delay(backoff, ct).ConfigureAwait(false);
                    backoff = TimeSpan.FromMilliseconds(Math.Min(1000, backoff.TotalMilliseconds * 2));
                }
            }

            backoff = TimeSpan.FromMilliseconds(50);
            Interlocked.Increment(ref _published);
            if (message.IsFill)
            {
                Interlocked.Increment(ref _fillsPublished);
            }

            if (Interlocked.Decrement(ref _queued) <= _highWater / 4)
            {
                _lease?.Pause(false);
            }
        }
    }

    /// <summary>How <see cref="LastError"/> words an error: one line, with no key-shaped run and no user:password of a URL in it.</summary>
    public static string OneLine(Exception e) =>
        SecretRedaction.Redact(UrlCredentials().Replace(e.GetType().Name + ": " + e.Message.ReplaceLineEndings(" "), "://"));

    [GeneratedRegex(@"://[^/@\s]+@")]
    private static partial Regex UrlCredentials();

    private sealed record Pending(string Subject, string? MsgId, byte[] Data, bool IsFill);
}
