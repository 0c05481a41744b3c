using Microsoft.Extensions.Logging;
using ZLogger;
using ZLogger.Formatters;

namespace LowLatency.Host.Diagnostics;

/// <summary>
/// Structured log sinks of the host: opportunities as one JSON line each in the arbitrage log (ZLogger, bounded
/// background queue that drops and counts when full). Called on the host's drain thread, never the strategy thread.
/// </summary>
public sealed partial class EngineLogs : IDisposable
{
    private readonly ILoggerFactory _factory;

    private EngineLogs(ILoggerFactory factory)
    {
        _factory = factory;
        Opportunities = factory.CreateLogger("LowLatency.Opportunities");
    }

    public ILogger Opportunities { get; }

    /// <summary>Creates the arbitrage log file (and its folder); the file is appended to.</summary>
    public static EngineLogs Create(string logPath)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(logPath));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        ILoggerFactory factory = LoggerFactory.Create(builder =>
        {
            builder.ClearProviders();
            builder.SetMinimumLevel(LogLevel.Information);
            builder.AddZLoggerFile(logPath, options =>
            {
                options.UseJsonFormatter(json => json.IncludeProperties = IncludeProperties.ParameterKeyValues
                    | IncludeProperties.Timestamp);
                options.FullMode = BackgroundBufferFullMode.Drop;
                options.BackgroundBufferCapacity = 1 << 16;
            });
        });
        return new EngineLogs(factory);
    }

    /// <summary>Flushes and closes the files.</summary>
    public void Dispose() => _factory.Dispose();

    [ZLoggerMessage(LogLevel.Information,
        "opportunity {instrument} buy {buyVenue} at {buyPrice} sell {sellVenue} at {sellPrice} qty {quantity} gross {grossBps} bps net {netBps} bps; ticks {buyTickReceiveTimeNs}/{sellTickReceiveTimeNs} decided {decisionTimeNs} after {tickToOpportunityNs} ns")]
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
        long tickToOpportunityNs);
}
