using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LowLatency.Testing.Exchanges;

/// <summary>
/// A venue-agnostic loopback WebSocket server (Kestrel): on each connection it waits for the client's first message
/// (its subscription), records it, then sends the given recorded frames in order and keeps reading (so pings and later
/// requests are answered and recorded). For venues whose snapshots come in band (OKX, Kraken).
/// </summary>
public sealed class LoopbackFrameServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IReadOnlyList<byte[]> _frames;
    private readonly List<string> _received = [];
    private readonly TimeSpan _sendDelay;
    private int _served;

    private LoopbackFrameServer(WebApplication app, IReadOnlyList<byte[]> frames, TimeSpan sendDelay)
    {
        _app = app;
        _frames = frames;
        _sendDelay = sendDelay;
    }

    public Uri WsUrl { get; private set; } = null!;

    /// <summary>Connections that were sent every frame.</summary>
    public int Served => Volatile.Read(ref _served);

    /// <summary>Every text message the clients sent, in order.</summary>
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

    /// <param name="sendDelay">Wait this long after the subscription before sending (a venue seen connected before its first book).</param>
    public static async Task<LoopbackFrameServer> StartAsync(IReadOnlyList<byte[]> frames, string path = "/ws", TimeSpan sendDelay = default)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var server = new LoopbackFrameServer(app, frames, sendDelay);
        app.UseWebSockets();
        app.Map(path, server.ServeAsync);
        await app.StartAsync().ConfigureAwait(false);
        var http = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server.WsUrl = new Uri($"ws://{http.Host}:{http.Port}{path}");
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
        var buffer = new byte[64 * 1024];
        bool sent = false;
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, context.RequestAborted).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                lock (_received)
                {
                    _received.Add(System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count));
                }

                if (!sent)
                {
                    sent = true;
                    if (_sendDelay > TimeSpan.Zero)
                    {
                        await Task.Delay(_sendDelay, context.RequestAborted).ConfigureAwait(false);
                    }

                    foreach (byte[] frame in _frames)
                    {
                        await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                    }

                    Interlocked.Increment(ref _served);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            // the client went away
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
