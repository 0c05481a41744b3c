using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.Tests.JsonRpc;

/// <summary>A scripted answer of the fake node: HTTP status and body text (null = never answer).</summary>
internal readonly record struct FakeAnswer(int Status, string? Body);

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
    private readonly ConcurrentDictionary<WebSocket, SemaphoreSlim> _sockets = new();
    private readonly ConcurrentBag<HttpListenerContext> _wsContexts = [];
    private int _requests;

    public FakeRpcServer(Func<string, FakeAnswer> handler)
    {
        _handler = handler;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
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
        foreach (var (ws, gate) in _sockets)
        {
            if (ws.State == WebSocketState.Open)
            {
                await SendLockedAsync(ws, gate, message);
            }
        }
    }

    /// <summary>Drops every WebSocket connection without a close handshake.</summary>
    public void AbortWebSockets()
    {
        foreach (var ws in _sockets.Keys)
        {
            ws.Abort();
        }

        // HttpListener's WebSocket.Abort leaves the TCP connection open; abort the response too.
        foreach (var context in _wsContexts)
        {
            context.Response.Abort();
        }

        _sockets.Clear();
        _wsContexts.Clear();
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
        _wsContexts.Add(context);
        var gate = new SemaphoreSlim(1, 1);
        _sockets[ws] = gate;
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
                if (answer.Body is not null)
                {
                    await SendLockedAsync(ws, gate, answer.Body);
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

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
