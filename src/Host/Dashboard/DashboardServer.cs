using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using LowLatency.Host.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace LowLatency.Host.Dashboard;

/// <summary>
/// The dashboard: Kestrel with the seed's JSON API, <c>/metrics</c> and the static page. Every handler reads the
/// feed's current immutable snapshot (one volatile read); nothing here touches the strategy thread or its state, so a
/// slow or hostile client costs the engine a Kestrel connection slot at most (limits below). Started and stopped by
/// the host thread; handlers run on the thread pool.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    /// <summary>Most items a <c>limit</c> query returns.</summary>
    public const int MaxLimit = 200;

    private static readonly byte[] s_noCluster = "{\"nodes\":[]}"u8.ToArray();

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Safety net only: snapshots hold null, not NaN, for a figure that does not exist.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly WebApplication _app;
    private readonly TrainingJobs _jobs;

    private DashboardServer(WebApplication app, TrainingJobs jobs, string url)
    {
        _app = app;
        _jobs = jobs;
        Url = url;
    }

    /// <summary>The address it listens on (the bound port when 0 was asked for).</summary>
    public string Url { get; }

    /// <summary>Starts listening; false with a one-line reason (an address in use, a refused bind).</summary>
    public static bool TryStart(DashboardOptions options, DashboardFeed feed, TrainingJobs jobs, [NotNullWhen(true)] out DashboardServer? server, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(jobs);
        server = null;
        string webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear(); // no ASPNETCORE_* variables or appsettings.json of ASP.NET's own: ours are the options
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(options.Address, options.Port);
            k.AddServerHeader = false;
            k.Limits.MaxConcurrentConnections = 64;
            k.Limits.MaxRequestBodySize = 4096;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
        });
        WebApplication app = builder.Build();
        var models = new ModelsHolder(options.ModelsFolder);
        jobs.Finished += _ => models.Reload();
        var metrics = new PrometheusMetrics(() => feed.Current);

        app.Use(async (context, next) =>
        {
            // The page loads nothing from anywhere else; the browser enforces it.
            context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self'";
            context.Response.Headers["X-Content-Type-Options"] = "nosniff";
            context.Response.Headers["Cache-Control"] = "no-store";
            await next(context).ConfigureAwait(false);
        });
        if (Directory.Exists(webRoot))
        {
            var files = new PhysicalFileProvider(webRoot);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }

        Map(app, feed, jobs, models, metrics, options.Token);
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            ((IDisposable)app).Dispose();
            error = $"{options.Url(options.Port)}: {DescribeBindError(e)}";
            return false;
        }

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? options.Url(options.Port);
        int port = Uri.TryCreate(bound, UriKind.Absolute, out Uri? u) ? u.Port : options.Port;
        server = new DashboardServer(app, jobs, options.Url(port));
        error = null;
        return true;
    }

    /// <summary>Stops listening (open requests get <paramref name="timeout"/>) and asks a running training job to stop.</summary>
    public void Stop(TimeSpan timeout)
    {
        _jobs.Stop();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            _app.StopAsync(cancel.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // Connections still open after the grace period are cut; the engine's stop does not wait for clients.
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);

    private static string DescribeBindError(Exception e) =>
        e is IOException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse } } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
            ? "the address is in use (another run's dashboard?); give --dashboard-url or --no-dashboard"
            : e.Message.TrimEnd('.');

    private static void Map(WebApplication app, DashboardFeed feed, TrainingJobs jobs, ModelsHolder models, PrometheusMetrics metrics, string? token)
    {
        app.MapGet("/api/health", () => Results.Json(feed.Current.Health, Json));
        app.MapGet("/api/opportunities/recent", (HttpRequest r) => WithLimit(r, 50, limit =>
        {
            OpportunitiesResponse o = feed.Current.Opportunities;
            return o with { Opportunities = Take(o.Opportunities, limit) };
        }));
        app.MapGet("/api/latency", () => Results.Json(feed.Current.Latency, Json));
        app.MapGet("/api/venues", () => Results.Json(feed.Current.Venues, Json));
        app.MapGet("/api/breakers", () => Results.Json(feed.Current.Breakers, Json));
        app.MapGet("/api/pnl", () => Results.Json(feed.Current.Pnl, Json));
        // One box is a cluster of none: the same shape, no nodes.
        app.MapGet("/api/cluster", () => Results.Bytes(feed.Cluster is { } cluster ? cluster() : s_noCluster, "application/json"));
        app.MapGet("/api/execution/matrix", () => Results.Json(feed.Current.Execution, Json));
        app.MapGet("/api/ai/decisions/recent", (HttpRequest r) => WithLimit(r, 20, limit => new DecisionsResponse(TakeNewest(feed.Current.Decisions.Decisions, limit))));
        app.MapGet("/api/ml/predictions/recent", (HttpRequest r) => WithLimit(r, 50, limit => new PredictionsResponse(TakeNewest(feed.Current.Predictions.Predictions, limit))));
        app.MapGet("/api/ml/performance", () => Results.Json(models.Current, Json));
        app.MapGet("/api/ml/curves", () => Results.Json(LearningCurves.List(models.Folder), Json));
        app.MapGet("/api/ml/curves/{**name}", (string name) =>
            name.EndsWith(".png", StringComparison.Ordinal) && LearningCurves.Find(models.Folder).TryGetValue(name[..^4], out string? file)
                ? Results.File(file, "image/png")
                : Results.Json(new ErrorResponse("no such learning curve: GET /api/ml/curves lists them"), Json, statusCode: 404));
        app.MapGet("/api/rl/agents/status", () => Results.Json(feed.Current.Agents, Json));
        app.MapGet("/api/ml/train", () => Results.Json(new TrainingJobsResponse(jobs.All()), Json));
        app.MapGet("/api/ml/train/{id}", (string id) => jobs.Get(id) is { } job
            ? Results.Json(job, Json)
            : Results.Json(new ErrorResponse($"no training job '{Clip(id)}'"), Json, statusCode: StatusCodes.Status404NotFound));
        app.MapPost("/api/ml/train", (HttpRequest r) =>
        {
            if (Refuse(r, token, "training") is { } refused)
            {
                return refused;
            }

            string? type = r.Query["model_type"].Count == 1 ? r.Query["model_type"][0] : null;
            if (type is null || !TrainingJobs.ModelTypes.Contains(type))
            {
                return Results.Json(new ErrorResponse("model_type: must be one of predictive, slippage, rl, all"), Json, statusCode: StatusCodes.Status400BadRequest);
            }

            TrainingJobView? job = jobs.TryStart(type, out string? refusal);
            return job is null
                ? Results.Json(new ErrorResponse(refusal!), Json, statusCode: StatusCodes.Status409Conflict)
                : Results.Json(job, Json, statusCode: StatusCodes.Status202Accepted);
        });
        app.MapPost("/api/breakers/reset", (HttpRequest r) =>
        {
            if (Refuse(r, token, "resetting breakers") is { } refused)
            {
                return refused;
            }

            string? name = r.Query["breaker"].Count == 1 ? r.Query["breaker"][0] : null;
            if (!TryParseBreaker(name, out LowLatency.HotPath.Risk.RiskReason breaker))
            {
                return Results.Json(new ErrorResponse("breaker: must be a breaker's name as /api/breakers lists it (e.g. killSwitch, dailyLossLimit)"), Json, statusCode: StatusCodes.Status400BadRequest);
            }

            string? refusal = feed.ResetBreaker is { } reset ? reset(breaker) : "this run has no risk gate";
            return refusal is null
                ? Results.Json(new BreakerResetResponse(LowLatency.Host.Dashboard.RiskText.Reason(breaker), "requested"), Json, statusCode: StatusCodes.Status202Accepted)
                : Results.Json(new ErrorResponse(refusal), Json, statusCode: StatusCodes.Status409Conflict);
        });
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
        app.MapFallback("/api/{**path}", (HttpContext c) => Results.Json(new ErrorResponse($"no such endpoint: {c.Request.Method} {Clip(c.Request.Path.Value ?? "")}"), Json, statusCode: StatusCodes.Status404NotFound));
    }

    // Every POST: off without a token configured, 401 without the right one.
    private static IResult? Refuse(HttpRequest r, string? token, string what)
    {
        if (token is null)
        {
            return Results.Json(new ErrorResponse($"{what} from the dashboard is off: start the engine with DASHBOARD_TOKEN set"), Json, statusCode: StatusCodes.Status403Forbidden);
        }

        if (!TokenMatches(r, token))
        {
            r.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Json(new ErrorResponse("a valid token is needed: Authorization: Bearer <DASHBOARD_TOKEN>"), Json, statusCode: StatusCodes.Status401Unauthorized);
        }

        return null;
    }

    private static bool TryParseBreaker(string? name, out LowLatency.HotPath.Risk.RiskReason breaker)
    {
        breaker = LowLatency.HotPath.Risk.RiskReason.None;
        return name is not null && !name.Any(char.IsDigit) && Enum.TryParse(name, ignoreCase: true, out breaker)
            && breaker != LowLatency.HotPath.Risk.RiskReason.None && Enum.IsDefined(breaker);
    }

    private static IResult WithLimit<T>(HttpRequest request, int fallback, Func<int, T> answer)
    {
        int limit = fallback;
        if (request.Query.TryGetValue("limit", out Microsoft.Extensions.Primitives.StringValues values))
        {
            if (values.Count != 1 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit)
            {
                return Results.Json(new ErrorResponse($"limit: must be a whole number from 1 to {MaxLimit}"), Json, statusCode: StatusCodes.Status400BadRequest);
            }
        }

        return Results.Json(answer(limit), Json);
    }

    private static List<T> Take<T>(IReadOnlyList<T> items, int limit)
    {
        var list = new List<T>(Math.Min(limit, items.Count));
        for (int i = 0; i < items.Count && i < limit; i++)
        {
            list.Add(items[i]);
        }

        return list;
    }

    // Decisions and predictions are kept oldest first; the API answers newest first.
    private static List<T> TakeNewest<T>(IReadOnlyList<T> items, int limit)
    {
        var list = new List<T>(Math.Min(limit, items.Count));
        for (int i = items.Count - 1; i >= 0 && list.Count < limit; i--)
        {
            list.Add(items[i]);
        }

        return list;
    }

    private static bool TokenMatches(HttpRequest request, string token)
    {
        string? given = null;
        string? authorization = request.Headers.Authorization.Count == 1 ? request.Headers.Authorization[0] : null;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            given = authorization["Bearer ".Length..].Trim();
        }
        else if (request.Headers.TryGetValue("X-Dashboard-Token", out Microsoft.Extensions.Primitives.StringValues header) && header.Count == 1)
        {
            given = header[0];
        }

        if (given is null)
        {
            return false;
        }

        // Hash both so the comparison's time says nothing about the length or any prefix of the token.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    private static string Clip(string text) => LowLatency.Adapters.Ethereum.SecretRedaction.Redact(text.Length > 80 ? text[..80] + "…" : text);

    /// <summary>The models folder's manifests, read at start and again after each training job.</summary>
    private sealed class ModelsHolder
    {
        private readonly string _folder;
        private ModelsResponse _current;

        public ModelsHolder(string folder)
        {
            _folder = folder;
            _current = ModelCatalog.Load(folder);
        }

        public ModelsResponse Current => Volatile.Read(ref _current);

        public string Folder => _folder;

        public void Reload() => Volatile.Write(ref _current, ModelCatalog.Load(_folder));
    }
}

/// <summary><c>POST /api/breakers/reset</c>: the reset is asked of the strategy thread (applied at its next batch).</summary>
public sealed record BreakerResetResponse(string Breaker, string Status);

/// <summary>Every 4xx answer: one line that says what is wrong.</summary>
public sealed record ErrorResponse(string Error);
