using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LowLatency.Testing.Chain;

/// <summary>
/// A JSON-RPC node that can stop answering and come back, on loopback: while <see cref="Answering"/> it forwards each
/// POST body to the real node (anvil) and returns its answer; otherwise it answers 503 at once. A node outage seen by
/// one client only, while everyone else (the relay, the test) still reaches the chain.
/// </summary>
public sealed class SwitchableNode : IAsyncDisposable
{
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _target;
    private WebApplication? _app;
    private volatile bool _answering = true;

    private SwitchableNode(Uri target) => _target = target;

    /// <summary>The proxy's URL (http://127.0.0.1:port/).</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>True: requests reach the node. False: each is answered 503 and counted.</summary>
    public bool Answering { get => _answering; set => _answering = value; }

    /// <summary>Requests answered 503 while not answering.</summary>
    public int Refused => Volatile.Read(ref _refused);

    private int _refused;

    public static async Task<SwitchableNode> StartAsync(Uri target)
    {
        var node = new SwitchableNode(target);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        node._app = builder.Build();
        node._app.MapPost("/", node.HandleAsync);
        await node._app.StartAsync();
        node.Url = new Uri(node._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _upstream.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!_answering)
        {
            Interlocked.Increment(ref _refused);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using HttpResponseMessage answer = await _upstream.PostAsync(_target, content, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        context.Response.ContentType = "application/json";
        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
