using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace LowLatency.Adapters.Ethereum.Tests.JsonRpc;

/// <summary>
/// A scripted answer of the fake node: HTTP status and body text (null = never answer). Over WebSocket,
/// <paramref name="Preamble"/> is sent as its own message just before the body (garbage, a stray notification).
/// </summary>
internal readonly record struct FakeAnswer(int Status, string? Body, string? Preamble = null);

/// <summary>
/// A loopback JSON-RPC node for tests: HTTP POST and WebSocket on one HttpListener. The handler sees each
/// request body (HTTP) or message (WS) and decides what to answer, including garbage or nothing.
/// </summary>
internal sealed class FakeRpcServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, FakeAnswer> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<WebSocket, (SemaphoreSlim Gate, HttpListenerContext Context)> _sockets = new();
    private readonly Channel<string> _answered = Channel.CreateUnbounded<string>();
    private int _requests;

    public FakeRpcServer(Func<string, FakeAnswer> handler)
    {
        _handler = handler;
        Port = ListenOnFreePort(_listener);
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>
    /// Every answer (and preamble) after it has been written to the client, in order per connection: a test awaits
    /// these instead of polling, and anything it sends afterwards on the same WebSocket arrives after the answer.
    /// </summary>
    public ChannelReader<string> Answered => _answered.Reader;

    /// <summary>Reads <see cref="Answered"/> until an answer satisfies <paramref name="match"/>.</summary>
    public async Task<string> AnsweredAsync(Func<string, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            var answer = await _answered.Reader.ReadAsync(cancellationToken);
            if (match(answer))
            {
                return answer;
            }
        }
    }

    public int Port { get; }

    public Uri HttpUrl => new($"http://127.0.0.1:{Port}/");

    public Uri WsUrl => new($"ws://127.0.0.1:{Port}/");

    public int Requests => Volatile.Read(ref _requests);

    public ConcurrentQueue<string> Received { get; } = new();

    public int WsConnections;

    /// <summary>Sends a text message to every open WebSocket (notifications).</summary>
    public async Task PushAsync(string message)
    {
        foreach (var (ws, (gate, _)) in _sockets)
        {
            if (ws.State == WebSocketState.Open)
            {
                await SendLockedAsync(ws, gate, message);
            }
        }
    }

    /// <summary>
    /// Drops every WebSocket connection open now, without a close handshake. A client that reconnects at once is not
    /// dropped with them: only the sockets seen here are removed.
    /// </summary>
    public void AbortWebSockets()
    {
        foreach (var (ws, (_, context)) in _sockets.ToArray())
        {
            ws.Abort();

            // HttpListener's WebSocket.Abort leaves the TCP connection open; abort the response too.
            context.Response.Abort();
            _sockets.TryRemove(ws, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        AbortWebSockets();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>Answers a JSON-RPC request object with a result for its id.</summary>
    public static string Result(string request, string resultJson)
    {
        using var doc = JsonDocument.Parse(request);
        return "{\"jsonrpc\":\"2.0\",\"id\":" + doc.RootElement.GetProperty("id").GetRawText() + ",\"result\":" + resultJson + "}";
    }

    public static string Error(string request, int code, string message, string? dataJson = null)
    {
        using var doc = JsonDocument.Parse(request);
        return "{\"jsonrpc\":\"2.0\",\"id\":" + doc.RootElement.GetProperty("id").GetRawText() +
               ",\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\"" + (dataJson is null ? "" : ",\"data\":" + dataJson) + "}}";
    }

    public static string Method(string request)
    {
        using var doc = JsonDocument.Parse(request);
        return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.GetProperty("method").GetString()! : "batch";
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => context.Request.IsWebSocketRequest ? ServeWsAsync(context) : ServeHttpAsync(context));
        }
    }

    private async Task ServeHttpAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            Interlocked.Increment(ref _requests);
            Received.Enqueue(body);
            var answer = _handler(body);
            if (answer.Body is null)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
                return;
            }

            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
            _answered.Writer.TryWrite(answer.Body);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
        }
    }

    private async Task ServeWsAsync(HttpListenerContext context)
    {
        WebSocket ws;
        try
        {
            ws = (await context.AcceptWebSocketAsync(null)).WebSocket;
        }
        catch (Exception ex) when (ex is HttpListenerException or WebSocketException or ObjectDisposedException)
        {
            return;
        }

        Interlocked.Increment(ref WsConnections);
        var gate = new SemaphoreSlim(1, 1);
        _sockets[ws] = (gate, context);
        var buffer = new byte[1 << 16];
        try
        {
            while (ws.State == WebSocketState.Open && !_stop.IsCancellationRequested)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult r;
                do
                {
                    r = await ws.ReceiveAsync(buffer, _stop.Token);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, r.Count);
                }
                while (!r.EndOfMessage);

                var text = Encoding.UTF8.GetString(message.ToArray());
                Interlocked.Increment(ref _requests);
                Received.Enqueue(text);
                var answer = _handler(text);
                if (answer.Preamble is not null)
                {
                    await SendLockedAsync(ws, gate, answer.Preamble);
                    _answered.Writer.TryWrite(answer.Preamble);
                }

                if (answer.Body is not null)
                {
                    await SendLockedAsync(ws, gate, answer.Body);
                    _answered.Writer.TryWrite(answer.Body);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or HttpListenerException)
        {
        }
    }

    private static async Task SendLockedAsync(WebSocket ws, SemaphoreSlim gate, string message)
    {
        await gate.WaitAsync();
        try
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            gate.Release();
        }
    }

    // HttpListener cannot bind port 0: take a free port and start; if another process took it in between, try another.
    private static int ListenOnFreePort(HttpListener listener)
    {
        for (var attempt = 1; ; attempt++)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
            }

            listener.Prefixes.Clear();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return port;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
            }
        }
    }
}
