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
/// A Binance spot exchange on loopback (Kestrel): the combined stream <c>/stream</c> (SUBSCRIBE, acks, frames) and REST
/// <c>/api/v3/depth</c>, serving a recorded session's frames. The test drives it step by step: nothing is sent until
/// <see cref="SendAsync"/>. It keeps every symbol's book as the exchange would (the recorded snapshot, then every depth
/// diff it has streamed, sent or lost), so a snapshot asked for at any moment is consistent with the stream, and
/// <see cref="Top"/> is the fault-free book the client must end with. Faults are explicit calls: lose frames
/// (<see cref="SkipAsync"/>), send anything (<see cref="SendRawAsync"/>), <see cref="Disconnect"/>, refuse
/// subscriptions, REST faults. Every message it sends is counted; <see cref="SyncAsync"/> sends a marker (an ack with a
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
    private WebSocket? _socket;
    private TaskCompletionSource _socketClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _subscriptions;
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
    public int Connections { get; private set; }

    /// <summary>Subscriptions accepted (one per connection that subscribed).</summary>
    public int Subscriptions => Volatile.Read(ref _subscriptions);

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
    public Task WaitForSubscriptionsAsync(int n) => Wait.UntilAsync(() => Subscriptions >= n && _socket is not null, $"{n} accepted subscription(s)");

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

    /// <summary>Sends any bytes as one text message to the connected client (garbage, truncated JSON, venue errors, huge frames).</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            WebSocket? socket = _socket;
            if (socket is { State: WebSocketState.Open })
            {
                try
                {
                    await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
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

    /// <summary>Drops the connection mid-stream (TCP reset, no close handshake).</summary>
    public void Disconnect()
    {
        WebSocket? socket = Interlocked.Exchange(ref _socket, null);
        socket?.Abort();
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
        Connections++;
        var buffer = new byte[64 * 1024];
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
                await _sendGate.WaitAsync().ConfigureAwait(false);
                try
                {
                    await socket.SendAsync("{\"result\":null,\"id\":1}"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                    Interlocked.Exchange(ref _socket, socket)?.Abort();
                }
                finally
                {
                    _sendGate.Release();
                }

                subscribed = true;
                Interlocked.Increment(ref _subscriptions);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            // aborted by either side
        }
        finally
        {
            Interlocked.CompareExchange(ref _socket, null, socket);
        }
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

        public long LastUpdateId { get; private set; }

        public static ServerBook FromSnapshot(byte[] body)
        {
            using JsonDocument doc = JsonDocument.Parse(body);
            var book = new ServerBook { LastUpdateId = doc.RootElement.GetProperty("lastUpdateId").GetInt64() };
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
                sb.Append(CultureInfo.InvariantCulture, $"{{\"lastUpdateId\":{LastUpdateId},\"bids\":[");
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
