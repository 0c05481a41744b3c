using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Lifecycle;

namespace LowLatency.Host.Cli;

/// <summary>
/// <c>run</c>: the main job. Flags are read as text and checked here, so a bad value is a clear line in the
/// configuration report (exit 2) rather than System.CommandLine's type error. SIGINT and SIGTERM stop the engine
/// cleanly (a second one kills it); SIGHUP reopens the log. A failed log write or a stdout that can no longer be
/// written stops it with exit 1.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliStreams streams, Func<string, string?> environment)
    {
        var duration = new Option<string?>("--duration") { Description = "stop after this long (30s, 2m, 500ms); default: until Ctrl-C or SIGTERM" };
        var ticks = new Option<string?>("--ticks") { Description = "stop after this many market ticks, once all of them are processed" };
        var config = new Option<string?>("--config") { Description = "JSON settings file (default: appsettings.json in the working directory, when present)" };
        var mode = new Option<string?>("--mode") { Description = "dry-run | paper | live (only dry-run exists in this build)" };
        var threshold = new Option<string?>("--threshold-bps") { Description = "net edge in bps that makes an opportunity" };
        var wait = new Option<string?>("--wait-strategy") { Description = "busy-spin | yielding | blocking" };
        var log = new Option<string?>("--log") { Description = "opportunity log path (default logs/arbitrage.log, relative to the working directory)" };
        var feeds = new Option<string?>("--feeds") { Description = "simulated (default) | live: the venues under venues.<name> in the configuration" };
        var command = new Command("run", "dry-run the engine on the embedded simulated market (or live market data with --feeds live)") { duration, ticks, config, mode, threshold, wait, log, feeds };
        command.SetAction(parse => Execute(
            new Arguments(parse.GetValue(duration), parse.GetValue(ticks), parse.GetValue(config), parse.GetValue(mode), parse.GetValue(threshold), parse.GetValue(wait), parse.GetValue(log))
            {
                Feeds = parse.GetValue(feeds),
            },
            streams,
            environment));
        return command;
    }

    internal sealed record Arguments(string? Duration, string? Ticks, string? Config, string? Mode, string? ThresholdBps, string? WaitStrategy, string? Log)
    {
        /// <summary><c>--feeds</c>: simulated or live (overrides <c>marketData</c>).</summary>
        public string? Feeds { get; init; }
    }

    internal static int Execute(Arguments arguments, CliStreams streams, Func<string, string?> environment)
    {
        TextWriter stderr = streams.Error;
        var flagErrors = new List<string>();
        TimeSpan? limit = null;
        if (arguments.Duration is { } text)
        {
            if (Duration.TryParse(text, out TimeSpan parsed))
            {
                limit = parsed;
            }
            else
            {
                flagErrors.Add($"--duration: '{text}' is not a duration (e.g. 30s, 2m, 500ms)");
            }
        }

        long? maxTicks = null;
        if (arguments.Ticks is { } ticksText)
        {
            if (long.TryParse(ticksText, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n is > 0 and <= 1_000_000_000_000)
            {
                maxTicks = n;
            }
            else
            {
                flagErrors.Add($"--ticks: '{ticksText}' must be a whole number between 1 and 1000000000000");
            }
        }

        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(arguments.Config, environment, o => ApplyFlags(o, arguments, flagErrors));
        List<LiveVenueOptions>? liveVenues = null;
        if (flagErrors.Count + errors.Count == 0 && options.MarketData == "live")
        {
            liveVenues = options.BuildLiveVenues(null, null, flagErrors);
        }

        if (flagErrors.Count + errors.Count > 0)
        {
            stderr.WriteLine("run: the configuration is not valid:");
            foreach (string e in flagErrors.Concat(errors))
            {
                stderr.WriteLine($"  - {e}");
            }

            return Program.UsageError;
        }

        if (!EngineLogs.TryOpen(options, message => stderr.WriteLine($"run: alert: {message}"), out EngineLogs? logs, out string? logError))
        {
            stderr.WriteLine($"run: log: {logError}");
            return Program.UsageError;
        }

        using var cancel = new CancellationTokenSource();
        string? signal = null;
        void OnStop(PosixSignalContext context)
        {
            // The first signal asks for the clean stop; a second one, while it runs, gets the default (terminate).
            if (cancel.IsCancellationRequested)
            {
                context.Cancel = false;
                return;
            }

            context.Cancel = true;
            signal = context.Signal.ToString();
            cancel.Cancel();
        }

        void OnStdoutFailed(GuardedTextWriter _) => cancel.Cancel();
        using PosixSignalRegistration? interrupt = Register(PosixSignal.SIGINT, OnStop);
        using PosixSignalRegistration? terminate = Register(PosixSignal.SIGTERM, OnStop);
        using PosixSignalRegistration? hangUp = Register(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            logs.Writer.RequestReopen();
        });
        streams.OutGuard.Failed += OnStdoutFailed;
        try
        {
            using (logs)
            {
                DryRunEngine.Result result = liveVenues is not null
                    ? new LiveRunEngine(options, liveVenues, streams.Out, logs, line => stderr.WriteLine($"run: {line}")).Run(new RunLimits(limit, maxTicks), cancel.Token)
                    : new DryRunEngine(options, streams.Out, logs).Run(new RunLimits(limit, maxTicks), cancel.Token);
                string figures = string.Create(CultureInfo.InvariantCulture,
                    $"{result.Ticks} ticks, {result.Opportunities} opportunities; log {DryRunEngine.DescribeLog(result.Log)}");
                if (result.Reason == StopReason.LogFailed)
                {
                    stderr.WriteLine($"run: stopped: {logs.Writer.Failure} ({logs.Path}); {figures}");
                    return Program.Failed;
                }

                if (streams.OutGuard.Failure is { } failure)
                {
                    stderr.WriteLine($"run: stopped: cannot write to stdout: {failure}; {figures}");
                    return Program.Failed;
                }

                if (signal is not null)
                {
                    stderr.WriteLine($"run: stopped on {signal}");
                }

                return Program.Success;
            }
        }
        finally
        {
            streams.OutGuard.Failed -= OnStdoutFailed;
        }
    }

    private static EngineOptions ApplyFlags(EngineOptions o, Arguments arguments, List<string> flagErrors)
    {
        if (arguments.Mode is { } modeText)
        {
            if (EngineOptionsLoader.TryParseMode(modeText, out TradingMode m))
            {
                o = o with { Mode = m };
            }
            else
            {
                flagErrors.Add($"--mode: '{modeText}' must be dry-run, paper or live");
            }
        }

        if (arguments.ThresholdBps is { } t)
        {
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double bps))
            {
                o = o with { ThresholdBps = bps };
            }
            else
            {
                flagErrors.Add($"--threshold-bps: '{t}' is not a number");
            }
        }

        if (arguments.WaitStrategy is { } w)
        {
            o = o with { WaitStrategy = w };
        }

        if (arguments.Log is { } l)
        {
            o = o with { LogPath = l };
        }

        if (arguments.Feeds is { } f)
        {
            if (f is "simulated" or "live")
            {
                o = o with { MarketData = f };
            }
            else
            {
                flagErrors.Add($"--feeds: '{f}' must be simulated or live");
            }
        }

        return o;
    }

    // Signals exist on Unix; elsewhere (and where registration is refused) the run simply has no handler for it.
    private static PosixSignalRegistration? Register(PosixSignal signal, Action<PosixSignalContext> handler)
    {
        try
        {
            return PosixSignalRegistration.Create(signal, handler);
        }
        catch (Exception e) when (e is PlatformNotSupportedException or IOException)
        {
            return null;
        }
    }
}
