using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LowLatency.Testing.Exchanges;

/// <summary>
/// What a loopback exchange needs to know of a venue whose snapshots come in band: it keeps each book as the exchange
/// would from the frames it serves (so a snapshot asked for at any moment matches the stream), renumbers frames where
/// the venue numbers them per connection, and tells a resubscribe from the first subscriptions. One model lives as long
/// as the exchange: a reconnecting client meets the same books.
/// </summary>
public interface IInBandVenueModel
{
    /// <summary>Applies a recorded frame to the exchange's books and returns the bytes to send (renumbered if needed).</summary>
    byte[] Apply(byte[] frame);

    /// <summary>
    /// The book keys a client message asks a fresh snapshot of: a book subscription after the first of its kind (a
    /// resubscribe, or any subscription on a later connection), else none.
    /// </summary>
    IReadOnlyList<string> SnapshotRequests(string message);

    /// <summary>
    /// A snapshot frame of one book as the exchange holds it now, or null while it holds none: the book's first snapshot
    /// is still to come in the recorded stream. Asked when the snapshot is sent, not when it was requested: a connection
    /// that asked before that recorded snapshot was served and joined the stream after it would otherwise get neither.
    /// </summary>
    byte[]? Snapshot(string key);

    /// <summary>A new connection is open (per-connection numbering restarts).</summary>
    void OnConnection()
    {
    }

    /// <summary>The venue's answer refusing <paramref name="subscription"/>.</summary>
    byte[] Rejection(string subscription);

    /// <summary>An error message the venue sends unasked.</summary>
    byte[] VenueError();

    /// <summary>
    /// The bytes <paramref name="frame"/> is sent as on one connection, as its <paramref name="sequence"/>-th frame, where
    /// the venue numbers per connection (Coinbase's <c>sequence_num</c>); as is by default. Overlapping connections only.
    /// </summary>
    byte[] Stamp(byte[] frame, long sequence) => frame;

    /// <summary>
    /// A harmless frame (a heartbeat or pong) holding <paramref name="text"/>: <see cref="LoopbackInBandExchange.EndMarker"/>
    /// after the last recorded frame on each connection that gets there, <see cref="LoopbackInBandExchange.SyncMarker"/>
    /// before a disconnect or stall. A client that has handled it has handled everything before it.
    /// </summary>
    byte[] Marker(string text);
}

/// <summary>What the exchange does to one recorded frame on its way (the fault table; one fault a frame, each fires once).</summary>
public enum LoopbackFault
{
    /// <summary>Lost on the way: applied by the exchange, never sent.</summary>
    Drop = 1,

    /// <summary>Sent twice.</summary>
    Duplicate,

    /// <summary>Sent after the frame that follows it.</summary>
    Reorder,

    /// <summary>Garbage bytes sent before it.</summary>
    Garbage,

    /// <summary>Cut in half: the first half is sent in its place (the frame is lost).</summary>
    Truncate,

    /// <summary>A 16 MB message sent before it.</summary>
    Oversized,

    /// <summary>After it the connection is aborted; the next <see cref="LoopbackInBandExchange.LostWhileAway"/> frames stream while the client is away.</summary>
    Disconnect,

    /// <summary>After it the exchange sends nothing at all (no data, no answer) until the client gives up; frames stream meanwhile, as for a disconnect.</summary>
    Stall,

    /// <summary>The venue's unasked error message sent before it.</summary>
    VenueError,
}

/// <summary>
/// A loopback WebSocket exchange (Kestrel) for in-band venues (OKX, Kraken v2, Coinbase Advanced Trade, Bybit v5): after
/// the client's first message it serves the recorded frames in order through its <see cref="IInBandVenueModel"/>, applies
/// the fault table on the way, answers each resubscribe (and every subscription of a later connection) with a snapshot
/// of the book as it stands, and can refuse the first subscriptions. Position and books survive reconnections, so a
/// client that was away missed what streamed meanwhile. Test infrastructure; allocates freely.
/// </summary>
public sealed class LoopbackInBandExchange : IAsyncDisposable
{
    /// <summary>Frames that stream while a disconnected or stalled client is away.</summary>
    public const int LostWhileAway = 5;

    /// <summary>The text inside <see cref="IInBandVenueModel.Marker"/> after the last recorded frame.</summary>
    public const string EndMarker = "loopback-end";

    /// <summary>The text inside the marker sent before a disconnect or stall (see <see cref="ClientHandled"/>).</summary>
    public const string SyncMarker = "loopback-sync";

    private static readonly byte[] s_syncMarker = Encoding.UTF8.GetBytes(SyncMarker);

    private readonly WebApplication _app;
    private readonly IReadOnlyList<byte[]> _frames;
    private readonly Func<IInBandVenueModel> _newModel;
    private readonly ConcurrentDictionary<int, LoopbackFault> _faults;
    private readonly List<string> _received = [];
    private readonly SemaphoreSlim _sending = new(1, 1);
    private int _rejectSubscriptions;
    private int _next;
    private int _sent;
    private int _snapshotsSent;
    private int _finished;
    private int _connections;
    private int _faultsFired;
    private int _syncHandled;
    private readonly List<OverlapConnection> _open = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _pump;

    private LoopbackInBandExchange(WebApplication app, IReadOnlyList<byte[]> frames, Func<IInBandVenueModel> newModel, IReadOnlyDictionary<int, LoopbackFault> faults, int rejectSubscriptions)
    {
        _app = app;
        _frames = frames;
        _newModel = newModel;
        _faults = new ConcurrentDictionary<int, LoopbackFault>(faults);
        _rejectSubscriptions = rejectSubscriptions;
    }

    public Uri WsUrl { get; private set; } = null!;

    /// <summary>Frames sent to clients (recorded ones and snapshots).</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Snapshots sent in answer to resubscribes.</summary>
    public int SnapshotsSent => Volatile.Read(ref _snapshotsSent);

    /// <summary>Connections that reached the end of the recorded frames (the first of them finished the session).</summary>
    public int Finished => Volatile.Read(ref _finished);

    /// <summary>WebSocket connections accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Faults of the table that were applied.</summary>
    public int FaultsFired => Volatile.Read(ref _faultsFired);

    /// <summary>
    /// The client's frame observer calls this with each frame it has handled. A disconnect or stall waits for the sync
    /// marker here first: Kestrel acknowledges a send once the frame is in its output buffer, and an abort discards that
    /// buffer, so without the wait a loaded box could lose everything sent so far (books never live, no gap to see).
    /// Allocation-free (it runs inside the client's measured frame path).
    /// </summary>
    public void ClientHandled(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 256 && frame.IndexOf(s_syncMarker) >= 0)
        {
            Volatile.Write(ref _syncHandled, 1);
        }
    }

    /// <summary>
    /// Overlapping connections (a client renewing its connection before the venue's forced disconnect): every open
    /// connection is served the same stream from the moment it subscribed, its subscription answered first with
    /// snapshots of the books as they stand, numbered per connection (<see cref="IInBandVenueModel.Stamp"/>). No fault
    /// table. Set before the first connection.
    /// </summary>
    public bool Overlapping { get; set; }

    /// <summary>With <see cref="Overlapping"/>: the stream holds before this frame until <see cref="OverlapRelease"/> (-1: never).</summary>
    public int OverlapHoldAt { get; set; } = -1;

    /// <summary>What releases the hold (the client has renewed its connection); default: a second connection streams.</summary>
    public Func<bool>? OverlapRelease { get; set; }

    /// <summary>The exchange's books.</summary>
    public IInBandVenueModel? Model { get; private set; }

    /// <summary>Every text message clients sent, in order.</summary>
    public IReadOnlyList<string> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <param name="frames">The recorded frames, in order.</param>
    /// <param name="newModel">The exchange model (made once, at the first connection).</param>
    /// <param name="drop">Indices of frames lost on the way (applied by the exchange, never sent).</param>
    public static Task<LoopbackInBandExchange> StartAsync(IReadOnlyList<byte[]> frames, Func<IInBandVenueModel> newModel, IEnumerable<int>? drop = null) =>
        StartAsync(frames, newModel, (drop ?? []).ToDictionary(i => i, _ => LoopbackFault.Drop));

    /// <param name="frames">The recorded frames, in order.</param>
    /// <param name="newModel">The exchange model (made once, at the first connection).</param>
    /// <param name="faults">The fault table: frame index → what happens to it.</param>
    /// <param name="rejectSubscriptions">How many connections have their first subscription refused.</param>
    public static async Task<LoopbackInBandExchange> StartAsync(IReadOnlyList<byte[]> frames, Func<IInBandVenueModel> newModel, IReadOnlyDictionary<int, LoopbackFault> faults, int rejectSubscriptions = 0)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var server = new LoopbackInBandExchange(app, frames, newModel, faults, rejectSubscriptions);
        app.UseWebSockets();
        app.Run(server.ServeAsync); // any path: tests reach it as /ws or under a venue's own path (/v2)
        await app.StartAsync().ConfigureAwait(false);
        var http = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server.WsUrl = new Uri($"ws://{http.Host}:{http.Port}/ws");
        return server;
    }

    private async Task ServeAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        Interlocked.Increment(ref _connections);
        IInBandVenueModel model;
        lock (_received)
        {
            model = Model ??= _newModel();
        }

        var requests = new BlockingCollection<string>();
        var subscribed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        Task sender = Overlapping
            ? Task.Run(() => JoinOverlappingAsync(socket, model, requests, subscribed.Task, closed.Token))
            : Task.Run(() => SendAsync(socket, model, requests, subscribed.Task, closed.Token));
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, closed.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                string message = Encoding.UTF8.GetString(buffer, 0, result.Count);
                lock (_received)
                {
                    _received.Add(message);
                }

                if (message.StartsWith('{'))
                {
                    // JSON requests only: OKX's ping is the bare text "ping".
                    IReadOnlyList<string> keys;
                    lock (model)
                    {
                        keys = model.SnapshotRequests(message); // the sender applies frames to the same model meanwhile
                    }

                    foreach (string key in keys)
                    {
                        requests.Add(key);
                    }
                }

                subscribed.TrySetResult(message);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            // the client went away
        }
        finally
        {
            await closed.CancelAsync().ConfigureAwait(false);
            requests.CompleteAdding();
            try
            {
                await sender.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // the connection ended under the sender
            }
        }
    }

    private async Task SendAsync(WebSocket socket, IInBandVenueModel model, BlockingCollection<string> requests, Task<string> subscribed, CancellationToken cancellationToken)
    {
        // One connection is served at a time: a reconnecting client waits until the old connection's sender is done.
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            model.OnConnection();
            string first = await subscribed.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Interlocked.Decrement(ref _rejectSubscriptions) >= 0)
            {
                await SendOneAsync(socket, model.Rejection(first), cancellationToken).ConfigureAwait(false);
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false); // the client drops the connection
            }

            Volatile.Write(ref _rejectSubscriptions, 0);
            while (true)
            {
                while (requests.TryTake(out string? key))
                {
                    await SendSnapshotAsync(socket, model, key, cancellationToken).ConfigureAwait(false);
                }

                if (_next >= _frames.Count)
                {
                    break;
                }

                int i = _next++;
                byte[] frame = Locked(model, m => m.Apply(_frames[i]));
                if (!_faults.TryRemove(i, out LoopbackFault fault))
                {
                    await SendOneAsync(socket, frame, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                Interlocked.Increment(ref _faultsFired);
                switch (fault)
                {
                    case LoopbackFault.Drop:
                        break;
                    case LoopbackFault.Duplicate:
                        await SendOneAsync(socket, frame, cancellationToken).ConfigureAwait(false);
                        await SendOneAsync(socket, frame, cancellationToken).ConfigureAwait(false);
                        break;
                    case LoopbackFault.Reorder:
                        if (_next < _frames.Count)
                        {
                            await SendOneAsync(socket, Locked(model, m => m.Apply(_frames[_next++])), cancellationToken).ConfigureAwait(false);
                        }

                        await SendOneAsync(socket, frame, cancellationToken).ConfigureAwait(false);
                        break;
                    case LoopbackFault.Garbage:
                        await SendOneAsync(socket, "\u0001\u0002}{ not json ]]"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                        await SendOneAsync(socket, frame, cancellationToken).ConfigureAwait(false);
                        break;
                    case LoopbackFault.Truncate:
                        await SendOneAsync(socket, frame[..(frame.Length / 2)], cancellationToken).ConfigureAwait(false);
                        break;
                    case LoopbackFault.Oversized:
                        byte[] huge = new byte[16 << 20];
                        huge.AsSpan().Fill((byte)' ');
                        huge[0] = (byte)'{';
                        await SendOneAsync(socket, huge, cancellationToken).ConfigureAwait(false);
                        await SendOneAsync(socket, frame, cancellationToken).ConfigureAwait(false);
                        break;
                    case LoopbackFault.VenueError:
                        await SendOneAsync(socket, model.VenueError(), cancellationToken).ConfigureAwait(false);
                        await SendOneAsync(socket, frame, cancellationToken).ConfigureAwait(false);
                        break;
                    case LoopbackFault.Disconnect:
                    case LoopbackFault.Stall:
                        await SendOneAsync(socket, frame, cancellationToken).ConfigureAwait(false);
                        await SyncAsync(socket, model, cancellationToken).ConfigureAwait(false);
                        for (int k = 0; k < LostWhileAway && _next < _frames.Count; k++)
                        {
                            _ = Locked(model, m => m.Apply(_frames[_next++]));
                        }

                        if (fault == LoopbackFault.Disconnect)
                        {
                            socket.Abort();
                            return;
                        }

                        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                        return;
                }
            }

            // Every connection that reaches the end says so: frames sent into a connection the client had already
            // dropped (it refused a venue error) never arrived, and the marker must reach the client that is there now.
            Interlocked.Increment(ref _finished);
            await SendOneAsync(socket, Locked(model, m => m.Marker(EndMarker)), cancellationToken).ConfigureAwait(false);

            foreach (string key in requests.GetConsumingEnumerable(cancellationToken))
            {
                await SendSnapshotAsync(socket, model, key, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>One connection of an overlapping exchange: it joins the pump once subscribed and lives until it closes.</summary>
    private async Task JoinOverlappingAsync(WebSocket socket, IInBandVenueModel model, BlockingCollection<string> requests, Task<string> subscribed, CancellationToken cancellationToken)
    {
        await subscribed.WaitAsync(cancellationToken).ConfigureAwait(false);
        var connection = new OverlapConnection(socket, requests);
        lock (_open)
        {
            _open.Add(connection);
            _pump ??= Task.Run(() => PumpAsync(model));
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection.Dead = true;
            lock (_open)
            {
                _open.Remove(connection);
            }
        }
    }

    /// <summary>
    /// The overlapping exchange's one stream: each recorded frame goes to every open connection, each connection's
    /// snapshot requests are answered before the next frame (so a snapshot is in stream order on its connection).
    /// Independent of any connection, so the old one closing never interrupts the new one.
    /// </summary>
    private async Task PumpAsync(IInBandVenueModel model)
    {
        bool ended = false;
        while (!_stopping.IsCancellationRequested)
        {
            OverlapConnection[] open;
            lock (_open)
            {
                open = [.. _open.Where(c => !c.Dead)];
            }

            foreach (OverlapConnection c in open)
            {
                while (c.Requests.TryTake(out string? key))
                {
                    if (Locked(model, m => m.Snapshot(key)) is { } snapshot)
                    {
                        await SendToAsync(c, model, snapshot).ConfigureAwait(false);
                        Interlocked.Increment(ref _snapshotsSent);
                    }
                }
            }

            bool holding = _next == OverlapHoldAt && !(OverlapRelease?.Invoke() ?? open.Length >= 2);
            if (open.Length == 0 || holding || ended || _next >= _frames.Count)
            {
                if (!ended && _next >= _frames.Count)
                {
                    ended = true;
                    Interlocked.Increment(ref _finished);
                }

                foreach (OverlapConnection c in open.Where(c => ended && !c.MarkerSent))
                {
                    c.MarkerSent = true;
                    await SendToAsync(c, model, Locked(model, m => m.Marker(EndMarker))).ConfigureAwait(false);
                }

                await Task.Delay(5).ConfigureAwait(false);
                continue;
            }

            int i = _next++;
            byte[] frame = Locked(model, m => m.Apply(_frames[i]));
            foreach (OverlapConnection c in open)
            {
                await SendToAsync(c, model, frame).ConfigureAwait(false);
            }
        }
    }

    private async Task SendToAsync(OverlapConnection c, IInBandVenueModel model, byte[] frame)
    {
        if (c.Dead)
        {
            return;
        }

        try
        {
            await c.Socket.SendAsync(model.Stamp(frame, c.Sequence++), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _sent);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            c.Dead = true; // the client closed it (the old connection after a renewal)
        }
    }

    private sealed class OverlapConnection(WebSocket socket, BlockingCollection<string> requests)
    {
        public WebSocket Socket { get; } = socket;

        public BlockingCollection<string> Requests { get; } = requests;

        public long Sequence { get; set; }

        public bool MarkerSent { get; set; }

        public volatile bool Dead;
    }

    /// <summary>Sends the sync marker and waits until the client has handled it (so everything before it reached the client).</summary>
    private async Task SyncAsync(WebSocket socket, IInBandVenueModel model, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _syncHandled, 0);
        await SendOneAsync(socket, Locked(model, m => m.Marker(SyncMarker)), cancellationToken).ConfigureAwait(false);
        await Wait.UntilAsync(() => Volatile.Read(ref _syncHandled) != 0 || cancellationToken.IsCancellationRequested,
            "the client to handle the frames sent before the fault").ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task SendSnapshotAsync(WebSocket socket, IInBandVenueModel model, string key, CancellationToken cancellationToken)
    {
        if (Locked(model, m => m.Snapshot(key)) is not { } snapshot)
        {
            return; // its recorded snapshot is still to come on this connection
        }

        await SendOneAsync(socket, snapshot, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _snapshotsSent);
    }

    private async Task SendOneAsync(WebSocket socket, byte[] frame, CancellationToken cancellationToken)
    {
        await socket.SendAsync(frame, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _sent);
    }

    private static T Locked<T>(IInBandVenueModel model, Func<IInBandVenueModel, T> call)
    {
        lock (model)
        {
            return call(model);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_pump is { } pump)
        {
            await pump.ConfigureAwait(false);
        }

        _stopping.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _sending.Dispose();
    }
}

/// <summary>One side of an exchange's book: price → (price text, size text), best first on read.</summary>
internal sealed class ModelSide
{
    private readonly SortedDictionary<decimal, (string Price, string Size)> _levels = [];

    public void Clear() => _levels.Clear();

    public void Set(string price, string size)
    {
        decimal p = decimal.Parse(price, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (decimal.Parse(size, NumberStyles.Float, CultureInfo.InvariantCulture) == 0)
        {
            _levels.Remove(p);
        }
        else
        {
            _levels[p] = (price, size);
        }
    }

    /// <summary>Keeps the best <paramref name="depth"/> levels (asks are kept lowest first, bids highest first).</summary>
    public void Truncate(int depth, bool descending)
    {
        while (_levels.Count > depth)
        {
            _levels.Remove(descending ? _levels.Keys.First() : _levels.Keys.Last());
        }
    }

    /// <summary>Whether any of <paramref name="prices"/> lies within the best <paramref name="depth"/> levels (or the side is shallower).</summary>
    public bool Touches(IEnumerable<string> prices, int depth, bool descending)
    {
        List<decimal> top = [.. (descending ? _levels.Keys.Reverse() : _levels.Keys).Take(depth)];
        return prices.Select(p => decimal.Parse(p, NumberStyles.Float, CultureInfo.InvariantCulture))
            .Any(p => top.Count < depth || (descending ? p >= top[^1] : p <= top[^1]));
    }

    public IEnumerable<(string Price, string Size)> Best(bool descending) =>
        descending ? _levels.Reverse().Select(kv => kv.Value) : _levels.Select(kv => kv.Value);
}

/// <summary>
/// Coinbase Advanced Trade as an exchange: <c>sequence_num</c> numbered per connection across every channel (a
/// dropped frame still takes its number), <c>l2_data</c> books kept per product, a later <c>level2</c> subscribe of a
/// product answered by an <c>l2_data</c> snapshot of it.
/// </summary>
public sealed partial class CoinbaseExchangeModel : IInBandVenueModel
{
    private readonly Dictionary<string, (ModelSide Bids, ModelSide Asks)> _books = new(StringComparer.Ordinal);
    private long _sequence;
    private bool _level2Subscribed;

    [GeneratedRegex("\"sequence_num\":\\d+")]
    private static partial Regex SequenceNum();

    public byte[] Apply(byte[] frame)
    {
        string text = Encoding.UTF8.GetString(frame);
        if (text.StartsWith("{\"channel\":\"l2_data\"", StringComparison.Ordinal))
        {
            using JsonDocument document = JsonDocument.Parse(frame);
            foreach (JsonElement e in document.RootElement.GetProperty("events").EnumerateArray())
            {
                (ModelSide bids, ModelSide asks) = Book(e.GetProperty("product_id").GetString()!);
                if (e.GetProperty("type").ValueEquals("snapshot"u8))
                {
                    bids.Clear();
                    asks.Clear();
                }

                foreach (JsonElement u in e.GetProperty("updates").EnumerateArray())
                {
                    ModelSide side = u.GetProperty("side").ValueEquals("bid"u8) ? bids : asks;
                    side.Set(u.GetProperty("price_level").GetString()!, u.GetProperty("new_quantity").GetString()!);
                }
            }
        }

        return Encoding.UTF8.GetBytes(SequenceNum().Replace(text, $"\"sequence_num\":{_sequence++}", 1));
    }

    public IReadOnlyList<string> SnapshotRequests(string message)
    {
        using JsonDocument document = JsonDocument.Parse(message);
        JsonElement root = document.RootElement;
        if (!root.GetProperty("type").ValueEquals("subscribe"u8) || !root.GetProperty("channel").ValueEquals("level2"u8))
        {
            return [];
        }

        if (!_level2Subscribed)
        {
            _level2Subscribed = true; // the first subscription's snapshots are in the recording
            return [];
        }

        return [.. root.GetProperty("product_ids").EnumerateArray().Select(p => p.GetString()!)];
    }

    public void OnConnection() => _sequence = 0; // sequence_num restarts on every connection

    public byte[] Stamp(byte[] frame, long sequence) =>
        Encoding.UTF8.GetBytes(SequenceNum().Replace(Encoding.UTF8.GetString(frame), $"\"sequence_num\":{sequence}", 1));

    public byte[] Marker(string text) =>
        Apply(Encoding.UTF8.GetBytes($"{{\"channel\":\"heartbeats\",\"client_id\":\"{text}\",\"timestamp\":\"2026-08-09T21:05:48.856364007Z\",\"sequence_num\":0,\"events\":[]}}"));

    public byte[] Rejection(string subscription) =>
        "{\"type\":\"error\",\"message\":\"Failed to subscribe\",\"reason\":\"loopback refuses this subscription\"}"u8.ToArray();

    public byte[] VenueError() => "{\"type\":\"error\",\"message\":\"rate limit exceeded\"}"u8.ToArray();

    public byte[]? Snapshot(string key)
    {
        if (!_books.TryGetValue(key, out (ModelSide Bids, ModelSide Asks) book))
        {
            return null;
        }

        (ModelSide bids, ModelSide asks) = book;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"channel\":\"l2_data\",\"client_id\":\"\",\"sequence_num\":{_sequence++},\"events\":[{{\"type\":\"snapshot\",\"product_id\":\"{key}\",\"updates\":[");
        bool first = true;
        foreach ((string side, IEnumerable<(string Price, string Size)> levels) in new[] { ("bid", bids.Best(true)), ("offer", asks.Best(false)) })
        {
            foreach ((string price, string size) in levels)
            {
                sb.Append(first ? "" : ",").Append(CultureInfo.InvariantCulture, $"{{\"side\":\"{side}\",\"price_level\":\"{price}\",\"new_quantity\":\"{size}\"}}");
                first = false;
            }
        }

        sb.Append("]}]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private (ModelSide Bids, ModelSide Asks) Book(string product)
    {
        if (!_books.TryGetValue(product, out (ModelSide, ModelSide) book))
        {
            book = (new ModelSide(), new ModelSide());
            _books.Add(product, book);
        }

        return book;
    }
}

/// <summary>
/// Bybit v5 as an exchange: <c>orderbook.{depth}.SYMBOL</c> books kept per topic with their last <c>u</c> and
/// <c>seq</c>; a later subscribe of a book topic is answered by a snapshot of it (the same <c>u</c>, so the next delta
/// follows by one).
/// </summary>
public sealed class BybitExchangeModel : IInBandVenueModel
{
    private readonly Dictionary<string, (ModelSide Bids, ModelSide Asks, long U, long Seq, long Ts)> _books = new(StringComparer.Ordinal);
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);

    public byte[] Apply(byte[] frame)
    {
        if (!frame.AsSpan().StartsWith("{\"topic\":\"orderbook."u8))
        {
            return frame;
        }

        using JsonDocument document = JsonDocument.Parse(frame);
        JsonElement root = document.RootElement;
        string topic = root.GetProperty("topic").GetString()!;
        JsonElement data = root.GetProperty("data");
        if (!_books.TryGetValue(topic, out var book))
        {
            book = (new ModelSide(), new ModelSide(), 0, 0, 0);
        }

        if (root.GetProperty("type").ValueEquals("snapshot"u8))
        {
            book.Bids.Clear();
            book.Asks.Clear();
        }

        foreach ((string name, ModelSide side) in new[] { ("b", book.Bids), ("a", book.Asks) })
        {
            foreach (JsonElement level in data.GetProperty(name).EnumerateArray())
            {
                side.Set(level[0].GetString()!, level[1].GetString()!);
            }
        }

        _books[topic] = (book.Bids, book.Asks, data.GetProperty("u").GetInt64(), data.GetProperty("seq").GetInt64(), root.GetProperty("ts").GetInt64());
        return frame;
    }

    public IReadOnlyList<string> SnapshotRequests(string message)
    {
        using JsonDocument document = JsonDocument.Parse(message);
        JsonElement root = document.RootElement;
        if (!root.GetProperty("op").ValueEquals("subscribe"u8))
        {
            return [];
        }

        var keys = new List<string>();
        foreach (JsonElement arg in root.GetProperty("args").EnumerateArray())
        {
            string topic = arg.GetString()!;
            if (topic.StartsWith("orderbook.", StringComparison.Ordinal) && !_subscribed.Add(topic))
            {
                keys.Add(topic); // subscribed before: a resubscribe
            }
        }

        return keys;
    }

    public byte[] Rejection(string subscription) =>
        "{\"success\":false,\"ret_msg\":\"error:handler not found\",\"conn_id\":\"loopback\",\"op\":\"subscribe\"}"u8.ToArray();

    public byte[] VenueError() => "{\"success\":false,\"ret_msg\":\"Invalid request\",\"conn_id\":\"loopback\",\"op\":\"ping\"}"u8.ToArray();

    public byte[] Marker(string text) => Encoding.UTF8.GetBytes($"{{\"success\":true,\"ret_msg\":\"pong\",\"conn_id\":\"{text}\",\"op\":\"ping\"}}");

    public byte[]? Snapshot(string key)
    {
        if (!_books.TryGetValue(key, out var book))
        {
            return null;
        }

        static string Levels(IEnumerable<(string Price, string Size)> levels) =>
            string.Join(',', levels.Select(l => $"[\"{l.Price}\",\"{l.Size}\"]"));
        string symbol = key[(key.LastIndexOf('.') + 1)..];
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"topic\":\"{key}\",\"type\":\"snapshot\",\"ts\":{book.Ts},\"data\":{{\"s\":\"{symbol}\",\"b\":[{Levels(book.Bids.Best(true))}],\"a\":[{Levels(book.Asks.Best(false))}],\"u\":{book.U},\"seq\":{book.Seq}}},\"cts\":{book.Ts}}}"));
    }
}
