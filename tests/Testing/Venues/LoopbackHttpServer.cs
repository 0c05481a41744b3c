using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LowLatency.Testing.Venues;

/// <summary>What a loopback route answers: status, body, extra headers, and an optional stall (to play a timeout).</summary>
public sealed record LoopbackResponse(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Stall = default);

/// <summary>
/// A loopback HTTP server for adapter tests (aggregators, venues): each request is handed to the test's function with
/// its path, query and headers, and every request is recorded. Bound to 127.0.0.1 on a free port; stopped on dispose.
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerRequest, LoopbackResponse> _handler;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();

    public LoopbackHttpServer(Func<HttpListenerRequest, LoopbackResponse> handler)
    {
        _handler = handler;
        int port = FreePort();
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUri.ToString());
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public Uri BaseUri { get; }

    /// <summary>Each request seen: path and query, and its headers.</summary>
    public List<(string PathAndQuery, Dictionary<string, string> Headers)> Requests { get; } = [];

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private async Task Serve()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            // Each request on its own task, so a stalled one (a played timeout) does not hold up the next.
            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string? name in context.Request.Headers.AllKeys)
            {
                if (name is not null)
                {
                    headers[name] = context.Request.Headers[name] ?? "";
                }
            }

            lock (Requests)
            {
                Requests.Add((context.Request.Url!.PathAndQuery, headers));
            }

            LoopbackResponse response = _handler(context.Request);
            if (response.Stall > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(response.Stall, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            try
            {
                context.Response.StatusCode = response.Status;
                foreach ((string name, string value) in response.Headers ?? new Dictionary<string, string>())
                {
                    context.Response.Headers[name] = value;
                }

                byte[] body = Encoding.UTF8.GetBytes(response.Body);
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body).ConfigureAwait(false);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
            {
                // The client gave up (a played timeout): nothing to answer.
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
