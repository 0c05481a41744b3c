using System.Net.WebSockets;
using System.Text.Json;
using LowLatency.Adapters.Cex.Live;

namespace LowLatency.Adapters.Cex.Execution;

/// <summary>What a private order/fill stream message says about one order.</summary>
public enum StreamReportKind : byte
{
    Ack,
    Fill,
    Cancelled,
    Rejected,

    /// <summary>
    /// The order's cumulative state (a venue that streams totals, not trades: Coinbase's <c>user</c> channel):
    /// <see cref="StreamReport.Quantity"/> is the cumulative fill, <see cref="StreamReport.Price"/> its average price.
    /// Applied as reconciliation applies a REST answer, so a repeat changes nothing and a missed update is caught up.
    /// </summary>
    Status,
}

/// <summary>One order event from a venue's private stream (a fill carries its trade id, quantity and price; a status its totals).</summary>
public readonly record struct StreamReport(StreamReportKind Kind, string ClientOrderId, string VenueOrderId, string? TradeId, decimal Quantity, decimal Price,
    VenueOrderStatus Status = VenueOrderStatus.New);

/// <summary>
/// A venue's private order and fill stream into an <see cref="ExecutionSession"/>: connect (and log in or subscribe as
/// the venue needs), then reconcile (the one path for start-up and every reconnect: what happened while we were not
/// listening is read from REST), then apply each report; a dropped connection reconnects with jittered back-off and
/// reconciles again. A frame we cannot read is counted and skipped, never applied and never fatal. Warm path: its own
/// I/O task.
/// </summary>
public abstract class PrivateOrderStream : IDisposable
{
    private readonly Func<IReadOnlyDictionary<string, double>> _expectedBalances;
    private readonly Backoff _backoff;
    private readonly List<StreamReport> _batch = [];
    private int _connections;
    private int _malformed;
    private int _reports;

    protected PrivateOrderStream(ExecutionSession session, Func<IReadOnlyDictionary<string, double>>? expectedBalances, TimeSpan? backoff)
    {
        ArgumentNullException.ThrowIfNull(session);
        Session = session;
        _expectedBalances = expectedBalances ?? (static () => new Dictionary<string, double>());
        TimeSpan initial = backoff ?? TimeSpan.FromMilliseconds(250);
        _backoff = new Backoff(initial, initial * 40, seed: 17);
    }

    public ExecutionSession Session { get; }

    /// <summary>Connections made (the first, then one per reconnect).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Frames that were not in the venue's documented shape: skipped.</summary>
    public int Malformed => Volatile.Read(ref _malformed);

    /// <summary>Reports applied to the session (whatever their outcome).</summary>
    public int Reports => Volatile.Read(ref _reports);

    /// <summary>Set once the stream is subscribed and the reconciliation after it is done.</summary>
    public bool Live { get; private set; }

    /// <summary>Runs until <paramref name="cancel"/>: connect, reconcile, read; reconnect on any drop.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        var buffer = new byte[64 * 1024];
        while (!cancel.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            try
            {
                Uri? url = await ResolveAsync(cancel).ConfigureAwait(false);
                if (url is not null)
                {
                    await socket.ConnectAsync(url, cancel).ConfigureAwait(false);
                    Interlocked.Increment(ref _connections);
                    await SubscribeAsync(socket, cancel).ConfigureAwait(false);

                    // Reports that arrive while we reconcile wait in the socket; trade ids and recovered credit keep them from counting twice.
                    await Session.ReconcileAsync(_expectedBalances(), 1e-9, cancel).ConfigureAwait(false);
                    Live = true;
                    _backoff.Reset();
                    await ReadAsync(socket, buffer, cancel).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or HttpRequestException)
            {
                // dropped: reconnect below
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }

            Live = false;
            try
            {
                await Task.Delay(_backoff.Next(), cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The stream's URL (Binance first asks REST for a listenKey); null when that failed (retried after back-off).</summary>
    protected abstract Task<Uri?> ResolveAsync(CancellationToken cancel);

    /// <summary>What the venue needs before it streams (Bybit: auth then subscribe); nothing by default.</summary>
    protected virtual Task SubscribeAsync(ClientWebSocket socket, CancellationToken cancel) => Task.CompletedTask;

    /// <summary>The reports in one frame; false when the frame is not in the venue's shape. Frames about other things add nothing.</summary>
    protected internal abstract bool Parse(JsonElement root, List<StreamReport> reports);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    protected static Task SendTextAsync(ClientWebSocket socket, string text, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancel);
    }

    private async Task ReadAsync(ClientWebSocket socket, byte[] buffer, CancellationToken cancel)
    {
        while (socket.State == WebSocketState.Open)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancel).ConfigureAwait(false);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            Handle(buffer.AsSpan(0, length));
        }
    }

    /// <summary>One frame: parsed, its reports applied in order; a frame we cannot read is counted.</summary>
    internal void Handle(ReadOnlySpan<byte> frame)
    {
        _batch.Clear();
        bool ok;
        try
        {
            var reader = new Utf8JsonReader(frame);
            using JsonDocument doc = JsonDocument.ParseValue(ref reader);
            ok = Parse(doc.RootElement, _batch);
        }
        catch (JsonException)
        {
            ok = false;
        }

        if (!ok)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        foreach (StreamReport report in _batch)
        {
            Session.OnStream(report);
            Interlocked.Increment(ref _reports);
        }
    }
}
