using System.Diagnostics.CodeAnalysis;
using LowLatency.Host.Configuration;
using LowLatency.Host.Persistence;
using Microsoft.Extensions.Logging;
using ZLogger;
using ZLogger.Formatters;

namespace LowLatency.Host.Diagnostics;

/// <summary>
/// Structured log sinks of the host: opportunities as one JSON line each in the arbitrage log (ZLogger's
/// source-generated messages and JSON formatter, our <see cref="LogWriter"/> processor over a locked, rotating
/// <see cref="LogFile"/>). Opened at start-up, before the engine starts; called on the host's drain thread, never the
/// strategy thread.
/// </summary>
public sealed partial class EngineLogs : IDisposable
{
    /// <summary>Lines the queue holds before it drops (and counts): about 20 MB of opportunities.</summary>
    internal const int QueueCapacity = 1 << 16;

    private readonly ILoggerFactory _factory;

    private EngineLogs(ILoggerFactory factory, LogWriter writer, LogWriter? console, string path)
    {
        _factory = factory;
        Writer = writer;
        ConsoleMirror = console;
        Path = path;
        Opportunities = factory.CreateLogger("LowLatency.Opportunities");
        Engine = factory.CreateLogger("LowLatency.Engine");
    }

    public ILogger Opportunities { get; }

    /// <summary>Start-up and shutdown decisions of the engine (which scorer decides and why).</summary>
    public ILogger Engine { get; }

    /// <summary>The processor: counters, failure, reopen.</summary>
    public LogWriter Writer { get; }

    /// <summary>The console mirror's processor (<c>--log-console</c>), with its own queue and counters; null: none.</summary>
    public LogWriter? ConsoleMirror { get; }

    /// <summary>The full path of the live log.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens the arbitrage log named by <paramref name="options"/> (creating its folder) and takes its lock. Every reason
    /// it cannot (a directory, a read-only place, another run holding it, a name too long) comes back as one sentence
    /// in <paramref name="error"/>. <paramref name="alert"/> receives write failures and drops, on the writer thread.
    /// </summary>
    public static bool TryOpen(EngineOptions options, Action<string> alert, [NotNullWhen(true)] out EngineLogs? logs, [NotNullWhen(false)] out string? error) =>
        TryOpen(options, alert, null, out logs, out error);

    /// <summary>
    /// As above, and every line also goes to <paramref name="console"/> (null: nowhere else) as the same JSON line,
    /// through a second bounded queue that drops and counts on its own (a slow terminal never holds up the file).
    /// </summary>
    public static bool TryOpen(EngineOptions options, Action<string> alert, TextWriter? console, [NotNullWhen(true)] out EngineLogs? logs, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        logs = null;
        if (!LogFile.TryOpen(new LogFileSettings(options.LogPath, options.LogMaxBytes, options.LogKeepFiles), out LogFile? file, out error))
        {
            return false;
        }

        logs = Create(file, file.Path, alert, QueueCapacity, console is null ? null : new ConsoleLogOutput(console));
        return true;
    }

    /// <summary>Logs over any output (tests give one that fails), mirrored to <paramref name="console"/> when given.</summary>
    internal static EngineLogs Create(ILogOutput output, string path, Action<string> alert, int queueCapacity, ILogOutput? console = null)
    {
        var writer = new LogWriter(output, JsonFormatter(), queueCapacity, alert);
        // Its own processor, so its own provider: ZLogger gives each provider its own pooled entry of every event.
        LogWriter? mirror = console is null ? null : new LogWriter(console, JsonFormatter(), queueCapacity, m => alert("console: " + m));
        ILoggerFactory factory = LoggerFactory.Create(builder =>
        {
            builder.ClearProviders();
            builder.SetMinimumLevel(LogLevel.Information);
            builder.AddZLoggerLogProcessor(writer);
            if (mirror is not null)
            {
                builder.AddZLoggerLogProcessor(mirror);
            }
        });
        return new EngineLogs(factory, writer, mirror, path);
    }

    private static IZLoggerFormatter JsonFormatter() => new ZLoggerOptions()
        .UseJsonFormatter(json => json.IncludeProperties = IncludeProperties.ParameterKeyValues | IncludeProperties.Timestamp)
        .CreateFormatter();

    /// <summary>Writes what is queued and closes the file, waiting at most <paramref name="timeout"/>; the counters stay readable.</summary>
    public void Close(TimeSpan timeout) => Writer.Close(timeout);

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose()
    {
        Writer.Close(TimeSpan.FromSeconds(5));
        ConsoleMirror?.Close(TimeSpan.FromSeconds(5));
        _factory.Dispose();
    }

    [ZLoggerMessage(LogLevel.Information,
        "opportunity {instrument} buy {buyVenue} at {buyPrice} sell {sellVenue} at {sellPrice} qty {quantity} gross {grossBps} bps net {netBps} bps; ticks {buyTickReceiveTimeNs}/{sellTickReceiveTimeNs} decided {decisionTimeNs} after {tickToOpportunityNs} ns; agents at {agentStep}: {agentVotes}",
        JsonSerializerContext = typeof(LogJsonContext))]
    public static partial void Opportunity(
        ILogger logger,
        string instrument,
        string buyVenue,
        string sellVenue,
        string buyPrice,
        string sellPrice,
        string quantity,
        double grossBps,
        double netBps,
        long buyTickReceiveTimeNs,
        long sellTickReceiveTimeNs,
        long decisionTimeNs,
        long tickToOpportunityNs,
        long agentStep,
        IReadOnlyList<Dashboard.AgentVoteView> agentVotes);

    [ZLoggerMessage(LogLevel.Information, "scorer {scorer}: {reason}")]
    public static partial void ScorerChosen(ILogger logger, string scorer, string reason);

    [ZLoggerMessage(LogLevel.Information, "{agents}")]
    public static partial void AgentsChosen(ILogger logger, string agents);
}
