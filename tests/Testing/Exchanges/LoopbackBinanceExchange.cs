using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LowLatency.Testing.Exchanges;

/// <summary>A REST fault the loopback exchange answers the next snapshot request with.</summary>
public enum RestFault
{
    /// <summary>429 Too Many Requests with <c>Retry-After</c>.</summary>
    TooManyRequests,

    /// <summary>418 (Binance's IP ban after ignoring 429s) with <c>Retry-After</c>.</summary>
    Banned,

    /// <summary>The session's recorded snapshot, older than what the stream has sent since.</summary>
    StaleSnapshot,
}

/// <summary>
/// A Binance exchange on loopback (Kestrel): the combined stream <c>/stream</c> (SUBSCRIBE, acks, frames) and REST
/// depth (<c>/api/v3/depth</c>, and the futures' <c>/fapi/v1/depth</c>, <c>/dapi/v1/depth</c>), serving a recorded
/// session's frames. The test drives it step by step: nothing is sent until <see cref="SendAsync"/>. Like Binance it
/// serves any number of connections at once: each frame goes to every subscribed connection, so a connection that
/// subscribes later sees the stream from where it is then (a client's overlapping renewal). It keeps every symbol's book as the exchange would (the recorded snapshot, then every depth
/// diff it has streamed, sent or lost), so a snapshot asked for at any moment is consistent with the stream, and
/// <see cref="Top"/> is the fault-free book the client must end with. Faults are explicit calls: lose frames
/// (<see cref="SkipAsync"/>), send anything (<see cref="SendRawAsync"/>), <see cref="Disconnect"/>, refuse
/// subscriptions, REST faults, hold subscriptions, <see cref="Stall"/> one connection. Every message it sends is counted; <see cref="SyncAsync"/> sends a marker (an ack with a
/// fresh id) the test waits for.
/// </summary>
public sealed class LoopbackBinanceExchange : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly Dictionary<string, ServerBook> _books = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _recordedSnapshots = new(StringComparer.Ordinal);
    private readonly Queue<(RestFault Fault, TimeSpan RetryAfter)> _restFaults = new();
    private readonly List<(DateTime Time, string Symbol, int Status)> _restLog = [];
    private readonly object _gate = new();
    private Subscribed[] _streaming = []; // the subscribed connections, in subscription order (copied on change)
    private int _connections;
    private int _subscriptions;
    private volatile bool _holdSubscriptions;
    private int _rejectSubscriptions;
    private long _markerId = 1000;

    private LoopbackBinanceExchange(WebApplication app, IReadOnlyList<RecordedFrame> frames)
    {
        _app = app;
        Frames = frames;
    }

    /// <summary>The recorded frames, in order.</summary>
    public IReadOnlyList<RecordedFrame> Frames { get; }

    /// <summary>The next frame <see cref="SendAsync"/> or <see cref="SkipAsync"/> takes.</summary>
    public int Position { get; private set; }

    public Uri WsUrl { get; private set; } = null!;

    public Uri RestUrl { get; private set; } = null!;

    /// <summary>WebSocket connections accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Subscriptions accepted (one per connection that subscribed).</summary>
    public int Subscriptions => Volatile.Read(ref _subscriptions);

    /// <summary>Subscribed connections open now.</summary>
    public int Streaming => Volatile.Read(ref _streaming).Length;

    /// <summary>
    /// While set, a SUBSCRIBE is recorded but not answered: the connection joins the stream (ack, then frames from that
    /// moment) once it is cleared. Frames sent meanwhile never reach it (a subscription that takes effect late).
    /// </summary>
    public bool HoldSubscriptions
    {
        get => _holdSubscriptions;
        set => _holdSubscriptions = value;
    }

    /// <summary>The SUBSCRIBE requests received, verbatim.</summary>
    public List<string> SubscribeRequests { get; } = [];

    /// <summary>Every REST snapshot request: when, which symbol, the status answered.</summary>
    public IReadOnlyList<(DateTime Time, string Symbol, int Status)> RestLog
    {
        get
        {
            lock (_gate)
            {
                return [.. _restLog];
            }
        }
    }

    /// <summary>The symbols of the recorded session (upper case, as Binance writes them in frames).</summary>
    public IReadOnlyCollection<string> Symbols => _books.Keys;

    /// <summary>Starts the exchange on a free loopback port with a session's stream and REST captures.</summary>
    public static async Task<LoopbackBinanceExchange> StartAsync(string wsCapture, string httpCapture)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = 1 << 20;
        });
        WebApplication app = builder.Build();
        var exchange = new LoopbackBinanceExchange(app, RecordedCapture.Frames(wsCapture));
        foreach (RecordedResponse response in RecordedCapture.Responses(httpCapture))
        {
            string symbol = QueryValue(response.Url, "symbol");
            exchange._recordedSnapshots[symbol] = response.Body;
            exchange._books[symbol] = ServerBook.FromSnapshot(response.Body);
        }

        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Map("/stream", exchange.StreamAsync);
        app.MapGet("/api/v3/depth", exchange.DepthAsync);
        app.MapGet("/fapi/v1/depth", exchange.DepthAsync); // USD-M
        app.MapGet("/dapi/v1/depth", exchange.DepthAsync); // COIN-M
        await app.StartAsync().ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var http = new Uri(address);
        exchange.RestUrl = http;
        exchange.WsUrl = new Uri($"ws://{http.Host}:{http.Port}/stream");
        return exchange;
    }

    /// <summary>The next <paramref name="n"/> subscriptions are refused with Binance's error answer.</summary>
    public void RejectSubscriptions(int n) => Volatile.Write(ref _rejectSubscriptions, n);

    /// <summary>The next snapshot request is answered with <paramref name="fault"/>.</summary>
    public void AddRestFault(RestFault fault, TimeSpan retryAfter = default)
    {
        lock (_gate)
        {
            _restFaults.Enqueue((fault, retryAfter));
        }
    }

    /// <summary>Waits until <paramref name="n"/> subscriptions have been accepted in all.</summary>
    public Task WaitForSubscriptionsAsync(int n) => Wait.UntilAsync(() => Subscriptions >= n && Streaming > 0, $"{n} accepted subscription(s)");

    /// <summary>Waits until <paramref name="n"/> SUBSCRIBE requests have arrived (answered or held).</summary>
    public Task WaitForSubscribeRequestsAsync(int n) => Wait.UntilAsync(() =>
    {
        lock (_gate)
        {
            return SubscribeRequests.Count >= n;
        }
    }, $"{n} SUBSCRIBE request(s)");

    /// <summary>
    /// The connection of the <paramref name="subscription"/>-th accepted subscription (1-based) is sent nothing more
    /// (no data, no ack) and stays open: one connection stalls silently while the others stream.
    /// </summary>
    public void Stall(int subscription)
    {
        foreach (Subscribed s in Volatile.Read(ref _streaming))
        {
            if (s.Subscription == subscription)
            {
                s.Stalled = true;
            }
        }
    }

    /// <summary>Streams the next <paramref name="n"/> recorded frames (each one applied to the exchange's books first).</summary>
    public async Task SendAsync(int n)
    {
        for (int i = 0; i < n && Position < Frames.Count; i++)
        {
            RecordedFrame frame = Frames[Position++];
            Apply(frame.Bytes);
            await SendRawAsync(frame.Bytes).ConfigureAwait(false);
        }
    }

    /// <summary>Streams every remaining frame.</summary>
    public Task SendRestAsync() => SendAsync(Frames.Count - Position);

    /// <summary>Advances the stream by <paramref name="n"/> frames that the client never gets (lost, or sent while it was away).</summary>
    public Task SkipAsync(int n)
    {
        for (int i = 0; i < n && Position < Frames.Count; i++)
        {
            Apply(Frames[Position++].Bytes);
        }

        return Task.CompletedTask;
    }

    /// <summary>Sends any bytes as one text message to every subscribed connection (garbage, truncated JSON, venue errors, huge frames).</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (Subscribed s in Volatile.Read(ref _streaming))
            {
                if (s.Stalled || s.Socket.State != WebSocketState.Open)
                {
                    continue;
                }

                try
                {
                    await s.Socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
                {
                    // the client went away: the frame is lost, as on a real exchange
                }
            }
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Sends a marker (<c>{"result":null,"id":N}</c>, an ack the client ignores) and returns N.</summary>
    public async Task<long> SyncAsync()
    {
        long id = Interlocked.Increment(ref _markerId);
        await SendRawAsync(Encoding.UTF8.GetBytes($"{{\"result\":null,\"id\":{id}}}")).ConfigureAwait(false);
        return id;
    }

    /// <summary>Drops every connection mid-stream (TCP reset, no close handshake).</summary>
    public void Disconnect()
    {
        foreach (Subscribed s in Volatile.Read(ref _streaming))
        {
            s.Socket.Abort();
        }
    }

    /// <summary>The exchange's own book, the top <paramref name="n"/> levels of a side as (price, quantity) text.</summary>
    public IReadOnlyList<(decimal Price, decimal Quantity)> Top(string symbol, bool bids, int n) => _books[symbol].Top(bids, n);

    /// <summary>The exchange's last update id of a symbol's book.</summary>
    public long LastUpdateId(string symbol) => _books[symbol].LastUpdateId;

    /// <summary>Index of the k-th depth frame of a symbol (to aim faults at the middle of a stream).</summary>
    public int DepthFrameIndex(string symbol, int k)
    {
        int seen = 0;
        for (int i = 0; i < Frames.Count; i++)
        {
            if (DepthSymbol(Frames[i].Bytes) == symbol && seen++ == k)
            {
                return i;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(k), $"{symbol} has fewer than {k + 1} depth frames");
    }

    /// <summary>Depth frames of a symbol in the session.</summary>
    public int DepthFrameCount(string symbol) => Frames.Count(f => DepthSymbol(f.Bytes) == symbol);

    public async ValueTask DisposeAsync()
    {
        Disconnect();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _sendGate.Dispose();
    }

    private void Apply(byte[] frame)
    {
        using JsonDocument doc = JsonDocument.Parse(frame);
        if (!doc.RootElement.TryGetProperty("data", out JsonElement data) || !data.TryGetProperty("e", out JsonElement e) || e.GetString() != "depthUpdate")
        {
            return;
        }

        string symbol = data.GetProperty("s").GetString()!;
        if (_books.TryGetValue(symbol, out ServerBook? book))
        {
            book.ApplyDiff(data);
        }
    }

    private static string? DepthSymbol(byte[] frame)
    {
        using JsonDocument doc = JsonDocument.Parse(frame);
        return doc.RootElement.TryGetProperty("data", out JsonElement data) && data.TryGetProperty("e", out JsonElement e) && e.GetString() == "depthUpdate"
            ? data.GetProperty("s").GetString()
            : null;
    }

    private async Task StreamAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        Interlocked.Increment(ref _connections);
        var buffer = new byte[64 * 1024];
        Subscribed? joined = null;
        try
        {
            // The first message must be the SUBSCRIBE; later ones are read (so pings are answered) and ignored.
            bool subscribed = false;
            while (socket.State == WebSocketState.Open)
            {
                WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, context.RequestAborted).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (subscribed)
                {
                    continue;
                }

                string request = Encoding.UTF8.GetString(buffer, 0, result.Count);
                lock (_gate)
                {
                    SubscribeRequests.Add(request);
                }

                if (Interlocked.Decrement(ref _rejectSubscriptions) >= 0)
                {
                    await socket.SendAsync("{\"error\":{\"code\":2,\"msg\":\"Invalid request: stream refused\"},\"id\":1}"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                    continue;
                }

                Volatile.Write(ref _rejectSubscriptions, 0);
                await Wait.UntilAsync(() => !_holdSubscriptions || context.RequestAborted.IsCancellationRequested, "subscriptions to be let through").ConfigureAwait(false);
                await _sendGate.WaitAsync().ConfigureAwait(false);
                try
                {
                    // The ack and the joining are one step under the send gate: the connection gets every frame after its ack.
                    await socket.SendAsync("{\"result\":null,\"id\":1}"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                    lock (_gate)
                    {
                        joined = new Subscribed(socket, Interlocked.Increment(ref _subscriptions));
                        Volatile.Write(ref _streaming, [.. _streaming, joined]);
                    }
                }
                finally
                {
                    _sendGate.Release();
                }

                subscribed = true;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            // aborted by either side
        }
        finally
        {
            if (joined is not null)
            {
                lock (_gate)
                {
                    Volatile.Write(ref _streaming, [.. _streaming.Where(s => s != joined)]);
                }
            }
        }
    }

    /// <summary>A subscribed connection: its socket, which subscription it was (1-based), whether it is stalled.</summary>
    private sealed class Subscribed(WebSocket socket, int subscription)
    {
        public WebSocket Socket { get; } = socket;

        public int Subscription { get; } = subscription;

        public volatile bool Stalled;
    }

    private async Task DepthAsync(HttpContext context)
    {
        string symbol = context.Request.Query["symbol"].ToString();
        (RestFault Fault, TimeSpan RetryAfter)? fault = null;
        lock (_gate)
        {
            if (_restFaults.Count > 0)
            {
                fault = _restFaults.Dequeue();
            }
        }

        int status = !_books.ContainsKey(symbol) ? 400 : fault?.Fault switch
        {
            RestFault.TooManyRequests => 429,
            RestFault.Banned => 418,
            _ => 200,
        };
        lock (_gate)
        {
            _restLog.Add((DateTime.UtcNow, symbol, status));
        }

        context.Response.StatusCode = status;
        if (status is 429 or 418)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(fault!.Value.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await context.Response.WriteAsync("{\"code\":-1003,\"msg\":\"Too many requests.\"}").ConfigureAwait(false);
            return;
        }

        if (status == 400)
        {
            await context.Response.WriteAsync("{\"code\":-1121,\"msg\":\"Invalid symbol.\"}").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        byte[] body = fault?.Fault == RestFault.StaleSnapshot ? _recordedSnapshots[symbol] : _books[symbol].SnapshotJson();
        await context.Response.Body.WriteAsync(body).ConfigureAwait(false);
    }

    private static string QueryValue(string url, string key)
    {
        int at = url.IndexOf(key + "=", StringComparison.Ordinal);
        string rest = url[(at + key.Length + 1)..];
        int amp = rest.IndexOf('&', StringComparison.Ordinal);
        return amp < 0 ? rest : rest[..amp];
    }

    /// <summary>The exchange's book of one symbol: recorded price/quantity text keyed by price.</summary>
    private sealed class ServerBook
    {
        private readonly SortedDictionary<decimal, (string Price, string Quantity)> _bids = new(Comparer<decimal>.Create((a, b) => b.CompareTo(a)));
        private readonly SortedDictionary<decimal, (string Price, string Quantity)> _asks = new();
        private readonly object _gate = new();

        private string _times = ""; // futures snapshots carry "E" and "T" (the recorded ones are served again)

        public long LastUpdateId { get; private set; }

        public static ServerBook FromSnapshot(byte[] body)
        {
            using JsonDocument doc = JsonDocument.Parse(body);
            var book = new ServerBook { LastUpdateId = doc.RootElement.GetProperty("lastUpdateId").GetInt64() };
            if (doc.RootElement.TryGetProperty("E", out JsonElement e) && doc.RootElement.TryGetProperty("T", out JsonElement t))
            {
                book._times = $",\"E\":{e.GetRawText()},\"T\":{t.GetRawText()}";
            }

            Load(book._bids, doc.RootElement.GetProperty("bids"));
            Load(book._asks, doc.RootElement.GetProperty("asks"));
            return book;
        }

        public void ApplyDiff(JsonElement data)
        {
            long last = data.GetProperty("u").GetInt64();
            lock (_gate)
            {
                if (last <= LastUpdateId)
                {
                    return; // already in the recorded snapshot
                }

                Load(_bids, data.GetProperty("b"));
                Load(_asks, data.GetProperty("a"));
                LastUpdateId = last;
            }
        }

        public IReadOnlyList<(decimal Price, decimal Quantity)> Top(bool bids, int n)
        {
            lock (_gate)
            {
                return [.. (bids ? _bids : _asks).Take(n).Select(kv => (kv.Key, decimal.Parse(kv.Value.Quantity, CultureInfo.InvariantCulture)))];
            }
        }

        public byte[] SnapshotJson()
        {
            lock (_gate)
            {
                var sb = new StringBuilder();
                sb.Append(CultureInfo.InvariantCulture, $"{{\"lastUpdateId\":{LastUpdateId}{_times},\"bids\":[");
                AppendLevels(sb, _bids);
                sb.Append("],\"asks\":[");
                AppendLevels(sb, _asks);
                sb.Append("]}");
                return Encoding.UTF8.GetBytes(sb.ToString());
            }
        }

        private static void AppendLevels(StringBuilder sb, SortedDictionary<decimal, (string Price, string Quantity)> side)
        {
            bool first = true;
            foreach ((string price, string quantity) in side.Values)
            {
                sb.Append(first ? "" : ",").Append("[\"").Append(price).Append("\",\"").Append(quantity).Append("\"]");
                first = false;
            }
        }

        private static void Load(SortedDictionary<decimal, (string Price, string Quantity)> side, JsonElement levels)
        {
            foreach (JsonElement level in levels.EnumerateArray())
            {
                string price = level[0].GetString()!;
                string quantity = level[1].GetString()!;
                decimal key = decimal.Parse(price, CultureInfo.InvariantCulture);
                if (decimal.Parse(quantity, CultureInfo.InvariantCulture) == 0)
                {
                    side.Remove(key);
                }
                else
                {
                    side[key] = (price, quantity);
                }
            }
        }
    }
}
