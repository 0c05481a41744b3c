using System.Net;
using System.Net.WebSockets;
using System.Text;
using LowLatency.Adapters.Cex.Execution;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LowLatency.Testing.Venues;

/// <summary>Why a loopback venue refuses a request; each dialect writes it in its venue's real error shape.</summary>
public enum Refusal
{
    InsufficientBalance,
    MinNotional,
    PriceFilter,
    RateLimit,
    ServerError,
    DuplicateClientOrderId,
    BadSignature,
    ClockSkew,
    BadKey,
    UnknownOrder,

    /// <summary>The price is off the symbol's tick.</summary>
    PriceTick,

    /// <summary>The quantity is off the symbol's lot step.</summary>
    LotStep,

    /// <summary>The quantity is below the symbol's least quantity.</summary>
    MinQuantity,
}

/// <summary>
/// One venue's REST (and private stream) dialect on the loopback server: it verifies each request's signature with the
/// venue's algorithm and the test's key (refusing a bad one in the venue's error shape), checks the timestamp window
/// against the ledger's (skewable) clock, and renders the ledger's orders as the venue does.
/// </summary>
public abstract class VenueDialect
{
    protected VenueDialect(VenueLedger ledger) => Ledger = ledger;

    public VenueLedger Ledger { get; }

    /// <summary>How long an <see cref="VenuePlay.AcceptThenStall"/> holds its answer (past any client timeout in the tests).</summary>
    public TimeSpan Stall { get; set; } = TimeSpan.FromSeconds(10);

    public abstract Task HandleAsync(HttpContext context, string body);

    /// <summary>The private stream (when the venue has one); the base refuses the upgrade.</summary>
    public virtual Task StreamAsync(HttpContext context, WebSocket socket) => Task.CompletedTask;

    public virtual bool ServesStream(PathString path) => false;

    protected abstract (int Status, string Body) Render(Refusal refusal);

    protected Task RefuseAsync(HttpContext context, Refusal refusal)
    {
        (int status, string body) = Render(refusal);
        if (refusal == Refusal.RateLimit)
        {
            context.Response.Headers["Retry-After"] = "7";
        }

        if (refusal == Refusal.BadSignature)
        {
            Ledger.CountBadSignature();
        }

        return WriteAsync(context, status, body);
    }

    protected static async Task WriteAsync(HttpContext context, int status, string body)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body).ConfigureAwait(false);
    }

    /// <summary>
    /// A new order through the ledger's next play: refusals before it is taken, then the ways its answer can be lost
    /// after it is taken (stall, drop, 5xx), else <paramref name="ack"/>'s answer.
    /// </summary>
    protected async Task PlaceAsync(HttpContext context, string clientOrderId, string symbol, bool buy, decimal quantity, decimal price, Func<LoopbackOrder, string> ack)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(ack);

        // The venue's filters come first, as on the real ones: a refused order takes no play and is never on the book.
        RuleBreach breach = Ledger.Check(symbol, quantity, price);
        if (breach != RuleBreach.None)
        {
            await RefuseAsync(context, breach switch
            {
                RuleBreach.Tick => Refusal.PriceTick,
                RuleBreach.Step => Refusal.LotStep,
                RuleBreach.MinQuantity => Refusal.MinQuantity,
                _ => Refusal.MinNotional,
            }).ConfigureAwait(false);
            return;
        }

        VenuePlay play = Ledger.NextPlay();
        switch (play)
        {
            case VenuePlay.DropBeforeAccept:
                context.Abort();
                return;
            case VenuePlay.RateLimit:
                await RefuseAsync(context, Refusal.RateLimit).ConfigureAwait(false);
                return;
            case VenuePlay.InsufficientBalance:
                await RefuseAsync(context, Refusal.InsufficientBalance).ConfigureAwait(false);
                return;
            case VenuePlay.MinNotional:
                await RefuseAsync(context, Refusal.MinNotional).ConfigureAwait(false);
                return;
            case VenuePlay.PriceFilter:
                await RefuseAsync(context, Refusal.PriceFilter).ConfigureAwait(false);
                return;
        }

        LoopbackOrder? order = Ledger.Take(clientOrderId, symbol, buy, quantity, price, play);
        if (order is null)
        {
            await DuplicateAsync(context, Ledger.Get(clientOrderId)!, ack).ConfigureAwait(false);
            return;
        }

        switch (play)
        {
            case VenuePlay.AcceptThenStall:
                try
                {
                    await Task.Delay(Stall, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                break;
            case VenuePlay.AcceptThenDrop:
                context.Abort();
                return;
            case VenuePlay.ServerErrorAfterAccept:
                await RefuseAsync(context, Refusal.ServerError).ConfigureAwait(false);
                return;
        }

        await WriteAsync(context, 200, ack(order)).ConfigureAwait(false);
    }

    /// <summary>A client order id already on the book: refused by most venues (Coinbase answers with the first order).</summary>
    protected virtual Task DuplicateAsync(HttpContext context, LoopbackOrder existing, Func<LoopbackOrder, string> ack) =>
        RefuseAsync(context, Refusal.DuplicateClientOrderId);

    protected static string Num(decimal value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private CancellationTokenSource _dropStreams = new();
    private int _streams;

    /// <summary>Private stream connections accepted so far.</summary>
    public int StreamConnections => Volatile.Read(ref _streams);

    /// <summary>Drops every private stream connection (plays a disconnect); later connections are served again.</summary>
    public void DropStreams()
    {
        CancellationTokenSource old = Interlocked.Exchange(ref _dropStreams, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
    }

    /// <summary>
    /// Serves one private stream: each client message goes to <paramref name="onMessage"/> (its reply, if any, is sent);
    /// once <paramref name="subscribed"/> says so, every ledger event is rendered by <paramref name="render"/> and sent in
    /// order. Ends when the client closes or the test drops the streams.
    /// </summary>
    protected async Task PumpAsync(HttpContext context, WebSocket socket, Func<string, string?> onMessage, Func<bool> subscribed, Func<LedgerEvent, string?> render)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(onMessage);
        ArgumentNullException.ThrowIfNull(subscribed);
        ArgumentNullException.ThrowIfNull(render);
        Interlocked.Increment(ref _streams);
        var outbox = System.Threading.Channels.Channel.CreateUnbounded<string>(new() { SingleReader = true });
        void OnChanged(LedgerEvent e)
        {
            if (subscribed() && render(e) is { } text)
            {
                outbox.Writer.TryWrite(text);
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _dropStreams.Token);
        Ledger.Changed += OnChanged;
        try
        {
            Task sender = Task.Run(async () =>
            {
                await foreach (string text in outbox.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, stop.Token).ConfigureAwait(false);
                }
            }, stop.Token);
            var buffer = new byte[16 * 1024];
            while (socket.State == WebSocketState.Open && !stop.IsCancellationRequested)
            {
                WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, stop.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (onMessage(Encoding.UTF8.GetString(buffer, 0, result.Count)) is { } reply)
                {
                    outbox.Writer.TryWrite(reply);
                }
            }

            outbox.Writer.TryComplete();
            await sender.ConfigureAwait(false);
        }
        finally
        {
            Ledger.Changed -= OnChanged;
            if (stop.IsCancellationRequested)
            {
                socket.Abort();
            }
        }
    }
}

/// <summary>
/// A loopback venue (Kestrel on 127.0.0.1, a free port): every request goes to its <see cref="VenueDialect"/>; the test
/// drives the <see cref="VenueLedger"/> (plays, out-of-band fills, clock skew) and reads what was seen.
/// </summary>
public sealed class LoopbackVenueServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackVenueServer(WebApplication app, VenueDialect dialect)
    {
        _app = app;
        Dialect = dialect;
    }

    public VenueDialect Dialect { get; }

    public VenueLedger Ledger => Dialect.Ledger;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The same host as <see cref="BaseUrl"/> with the ws scheme (for private streams).</summary>
    public Uri WsBase => new($"ws://{BaseUrl.Host}:{BaseUrl.Port}");

    public static async Task<LoopbackVenueServer> StartAsync(VenueDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var server = new LoopbackVenueServer(app, dialect);
        app.UseWebSockets();
        app.Run(server.ServeAsync);
        await app.StartAsync().ConfigureAwait(false);
        var http = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server.BaseUrl = new Uri($"http://{http.Host}:{http.Port}");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ServeAsync(HttpContext context)
    {
        Dialect.Ledger.CountRequest();
        if (context.WebSockets.IsWebSocketRequest && Dialect.ServesStream(context.Request.Path))
        {
            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            try
            {
                await Dialect.StreamAsync(context, socket).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
            {
                // the client went away, or the test dropped the stream
            }

            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        string body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        await Dialect.HandleAsync(context, body).ConfigureAwait(false);
    }
}
