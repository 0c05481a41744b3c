using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using LowLatency.Host.Composition;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Cluster;
using LowLatency.Host.Configuration;
using LowLatency.Host.Dashboard;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Lifecycle;
using LowLatency.Host.Persistence;
using LowLatency.HotPath.Ring;

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
        var mode = new Option<string?>("--mode") { Description = "dry-run (default) | paper | live" };
        var live = new Option<bool>("--live") { Description = "live mode (the same as --mode live); needs --execute and the keys" };
        var execute = new Option<bool>("--execute") { Description = "act on decisions: paper fills in paper mode, real orders in live mode" };
        var noAi = new Option<bool>("--no-ai") { Description = "rules only (ENABLE_AI_ORCHESTRATION=false): no RL agents on the strategy thread either" };
        var threshold = new Option<string?>("--threshold-bps") { Description = "net edge in bps that makes an opportunity" };
        var wait = new Option<string?>("--wait-strategy") { Description = "busy-spin | yielding | blocking" };
        var log = new Option<string?>("--log") { Description = "opportunity log path (default logs/arbitrage.log, relative to the working directory)" };
        var dashboardUrl = new Option<string?>("--dashboard-url") { Description = $"where the dashboard listens (default {DashboardOptions.DefaultUrl}; loopback only unless --dashboard-allow-remote)" };
        var noDashboard = new Option<bool>("--no-dashboard") { Description = "run without the dashboard" };
        var allowRemote = new Option<bool>("--dashboard-allow-remote") { Description = "allow --dashboard-url to bind an address reachable from other machines" };
        var database = new Option<string?>("--db") { Description = $"SQLite database (default {DefaultDatabase}, relative to the working directory)" };
        var noDatabase = new Option<bool>("--no-db") { Description = "run without the SQLite database" };
        var models = new Option<string?>("--models") { Description = "trained models folder: the dashboard shows it, the agents load from its multi_agent_rl/ (default models)" };
        var feeds = new Option<string?>("--feeds") { Description = "simulated (default) | live: the venues under venues.<name> in the configuration" };
        var logConsole = new Option<bool>("--log-console") { Description = "the log's JSON lines on stdout too (for | jq .); the summary lines move to stderr" };
        var command = new Command("run", "dry-run the engine on the embedded simulated market (or live market data with --feeds live)") { duration, ticks, config, mode, threshold, wait, log, live, execute, noAi, dashboardUrl, noDashboard, allowRemote, database, noDatabase, models, feeds, logConsole };
        var cluster = new Option<string?>("--cluster") { Description = "cluster mode: the NATS JetStream server(s) shared with the other engines, nats://host:4222 (needs --node)" };
        var node = new Option<string?>("--node") { Description = "this engine's name in the cluster: 1-32 of A-Z a-z 0-9 _ - (needs --cluster)" };
        command.Options.Add(cluster);
        command.Options.Add(node);
        var replay = new Option<string[]>("--replay") { Description = "paper mode on recorded captures (the files replay reads) instead of the simulated market", AllowMultipleArgumentsPerToken = true };
        command.Options.Add(replay);
        command.SetAction(parse => Execute(
            new Arguments(parse.GetValue(duration), parse.GetValue(ticks), parse.GetValue(config), parse.GetValue(mode), parse.GetValue(threshold), parse.GetValue(wait), parse.GetValue(log))
            {
                Live = parse.GetValue(live),
                Execute = parse.GetValue(execute),
                NoAi = parse.GetValue(noAi),
                DashboardUrl = parse.GetValue(dashboardUrl),
                NoDashboard = parse.GetValue(noDashboard),
                DashboardAllowRemote = parse.GetValue(allowRemote),
                Database = parse.GetValue(database),
                NoDatabase = parse.GetValue(noDatabase),
                Models = parse.GetValue(models),
                Feeds = parse.GetValue(feeds),
                Replay = parse.GetValue(replay),
                LogConsole = parse.GetValue(logConsole),
                Cluster = parse.GetValue(cluster),
                Node = parse.GetValue(node),
            },
            streams,
            environment));
        return command;
    }

    /// <summary>The default SQLite file, relative to the working directory.</summary>
    internal const string DefaultDatabase = "data/lowlatency.db";

    internal sealed record Arguments(string? Duration, string? Ticks, string? Config, string? Mode, string? ThresholdBps, string? WaitStrategy, string? Log)
    {
        public bool Live { get; init; }

        public bool Execute { get; init; }

        public bool NoAi { get; init; }

        public string? DashboardUrl { get; init; }

        public bool NoDashboard { get; init; }

        public bool DashboardAllowRemote { get; init; }

        public string? Database { get; init; }

        public bool NoDatabase { get; init; }

        public string? Models { get; init; }

        /// <summary><c>--feeds</c>: simulated or live (overrides <c>marketData</c>).</summary>
        public string? Feeds { get; init; }

        /// <summary><c>--replay FILES…</c>: paper trading on recorded captures (PaperReplaySession).</summary>
        public string[]? Replay { get; init; }

        /// <summary><c>--log-console</c>: stdout carries only the log's JSON lines; the lines for people go to stderr.</summary>
        public bool LogConsole { get; init; }

        /// <summary><c>--cluster URL</c>: the NATS server(s) of cluster mode (with <see cref="Node"/>).</summary>
        public string? Cluster { get; init; }

        /// <summary><c>--node NAME</c>: this engine's name in the cluster.</summary>
        public string? Node { get; init; }
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

        // A .env file in the working directory is read too; the process environment wins over it.
        environment = DotEnv.Layer(environment, DotEnv.FileName, flagErrors);

        DashboardOptions? dashboard = null;
        if (!arguments.NoDashboard
            && !DashboardOptions.TryParse(arguments.DashboardUrl ?? DashboardOptions.DefaultUrl, arguments.DashboardAllowRemote, environment("DASHBOARD_TOKEN"), arguments.Models ?? "models", TrainVerb.DefaultDataRoot(), out dashboard, out string? dashboardError))
        {
            flagErrors.Add(dashboardError);
        }

        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(arguments.Config, environment, o => ApplyFlags(o, arguments, flagErrors));
        ModeChecks.Check(options, arguments.Execute, environment, flagErrors);
        List<LiveVenueOptions>? liveVenues = null;
        if (flagErrors.Count + errors.Count == 0 && options.MarketData == "live")
        {
            liveVenues = options.BuildLiveVenues(null, null, flagErrors);
        }

        // Live mode has passed ModeChecks only with --execute: its order clients, or the reasons there are none.
        using LiveExecution? liveExecution = liveVenues is not null && flagErrors.Count + errors.Count == 0 && options.Mode == TradingMode.Live && arguments.Execute
            ? LiveExecution.TryCreate(options, liveVenues, environment, flagErrors)
            : null;

        // And on-chain where a chain names our executor: its keys, node and relays are checked here, before anything starts.
        // The dry run on live data follows those chains too, signing and simulating what it would send; it needs no key.
        using OnChainExecution? onChainExecution = flagErrors.Count + errors.Count > 0 ? null
            : liveExecution is not null ? OnChainExecution.TryCreate(options, environment, flagErrors)
            : liveVenues is not null && options.Mode == TradingMode.DryRun ? OnChainExecution.TryCreateDryRun(options, environment)
            : null;

        Adapters.Cex.Replay.ReplaySession? replaySession = null;
        if (arguments.Replay is { Length: > 0 } replayFiles && flagErrors.Count + errors.Count == 0)
        {
            if (options.Mode != TradingMode.Paper || options.MarketData == "live")
            {
                flagErrors.Add("--replay: trades on paper only (--mode paper, simulated feeds); the replay verb replays without trading");
            }
            else
            {
                PaperReplaySession.TryLoad(options, replayFiles, out replaySession, flagErrors);
            }
        }

        // Checked with the rest (every problem is reported together); it needs only valid settings.
        ClusterOptions? clusterOptions = errors.Count == 0
            ? ClusterMode.TryBuild(arguments.Cluster, arguments.Node, options, arguments.Replay is { Length: > 0 }, liveVenues, flagErrors)
            : null;

        if (flagErrors.Count + errors.Count > 0)
        {
            stderr.WriteLine("run: the configuration is not valid:");
            foreach (string e in flagErrors.Concat(errors))
            {
                stderr.WriteLine($"  - {e}");
            }

            return Program.UsageError;
        }

        // --log-console: stdout is JSON lines only (the log's, unredacted as in the file, whose text fields are redacted
        // already), so `run --log-console | jq .` parses every line; the summary lines for people move to stderr.
        TextWriter human = arguments.LogConsole ? stderr : streams.Out;
        if (!EngineLogs.TryOpen(options, message => stderr.WriteLine($"run: alert: {message}"), arguments.LogConsole ? streams.DataOut : null, out EngineLogs? logs, out string? logError))
        {
            stderr.WriteLine($"run: log: {logError}");
            return Program.UsageError;
        }

        StoreWriter? store = null;
        if (!arguments.NoDatabase)
        {
            if (!SqliteStore.TryOpen(arguments.Database ?? DefaultDatabase, out SqliteStore? opened, out string? dbError))
            {
                logs.Dispose();
                stderr.WriteLine($"run: db: {dbError}; give --db FILE or --no-db");
                return Program.UsageError;
            }

            store = new StoreWriter(opened);
        }

        // Cluster mode: join before the engine starts, so its first approval already checks a confirmed lease.
        ClusterNode? clusterNode = null;
        if (clusterOptions is not null)
        {
            if (!ClusterMode.TryJoin(clusterOptions, out clusterNode, out string? joinError))
            {
                store?.Dispose();
                logs.Dispose();
                stderr.WriteLine($"run: cluster: {joinError}");
                return Program.Failed;
            }

            human.WriteLine(ClusterMode.Describe(clusterNode));
        }

        // The agents: --no-ai / ENABLE_RL_AGENTS=false load them off (no forward pass); a missing model is said, not fatal.
        bool agentsOn = LowLatency.Ml.Agents.AgentEnsemble.Enabled(!(options.Execution?.EnableAiOrchestration ?? true), environment("ENABLE_RL_AGENTS"));
        string agentsFolder = Path.Combine(arguments.Models ?? "models", "multi_agent_rl");
        LowLatency.Ml.Agents.AgentEnsemble? ensemble = LowLatency.Ml.Agents.AgentEnsemble.Load(agentsFolder, agentsOn, out string? agentsProblem);
        var services = new RunServices
        {
            Store = store,
            Agents = ensemble,
            AgentsProblem = agentsProblem,
            Cluster = clusterNode,
            StartDashboard = dashboard is null ? null : feed =>
            {
                feed.SetAgents(AgentStatus.Load(agentsFolder, agentsOn));
                return StartDashboard(dashboard, feed, streams.Error, human);
            },
        };

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
                DryRunEngine.Result result = replaySession is not null
                    ? PaperReplaySession.Create(options, replaySession, human, logs, ensemble, agentsProblem).Run(new RunLimits(limit, maxTicks), cancel.Token)
                    : liveVenues is not null
                    ? new LiveRunEngine(options, liveVenues, human, logs, line => stderr.WriteLine($"run: {line}")) { Execution = liveExecution, OnChain = onChainExecution, Agents = ensemble, AgentsProblem = agentsProblem, Cluster = clusterNode }.Run(new RunLimits(limit, maxTicks), cancel.Token)
                    : new DryRunEngine(options, human, logs, services).Run(new RunLimits(limit, maxTicks), cancel.Token);
                if (clusterNode is not null)
                {
                    human.WriteLine(ClusterMode.Leave(clusterNode));
                }

                if (store is not null)
                {
                    store.Close(TimeSpan.FromMilliseconds(300)); // within the 2 s clean-stop bound; what is left is counted
                    StoreCounters db = store.Counters;
                    human.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"db: {db.Written} rows written, {db.Dropped} dropped (queue full), {db.Failed} failed, {store.Queued} not written at close; {store.Path}"));
                    if (store.LastError is { } dbFailure)
                    {
                        stderr.WriteLine($"run: alert: db: {dbFailure}");
                    }
                }
                if (logs.ConsoleMirror is { } mirror)
                {
                    mirror.Close(TimeSpan.FromMilliseconds(300));
                    LogCounters c = mirror.Counters;
                    human.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"log-console: {c.Written} lines written to stdout, {c.Dropped} dropped (queue full), {c.Lost} lost"));
                }

                string figures = string.Create(CultureInfo.InvariantCulture,
                    $"{result.Ticks} ticks, {result.Opportunities} opportunities; log {EngineText.Log(result.Log)}");
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
            clusterNode?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            store?.Dispose();
        }
    }

    // The engine trades without its dashboard: a dashboard that cannot start is an alert, not a stop.
    private static Action? StartDashboard(DashboardOptions options, DashboardFeed feed, TextWriter stderr, TextWriter human)
    {
        var jobs = new TrainingJobs(TrainingJobs.Trainer(options.DataRoot, options.ModelsFolder));
        if (!DashboardServer.TryStart(options, feed, jobs, out DashboardServer? server, out string? error))
        {
            stderr.WriteLine($"run: alert: dashboard not started: {error}; the engine runs without it");
            return null;
        }

        human.WriteLine($"dashboard on {server.Url} (JSON API under /api, Prometheus at /metrics){(options.Token is null ? "; POST /api/ml/train is off until DASHBOARD_TOKEN is set" : "")}");
        return () =>
        {
            server.Stop(TimeSpan.FromMilliseconds(200));
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        };
    }

    private static EngineOptions ApplyFlags(EngineOptions o, Arguments arguments, List<string> flagErrors)
    {
        if (arguments.Live)
        {
            if (arguments.Mode is { } m && !(EngineOptionsLoader.TryParseMode(m, out TradingMode asked) && asked == TradingMode.Live))
            {
                flagErrors.Add("--live: conflicts with --mode " + m);
            }

            o = o with { Mode = TradingMode.Live };
        }

        if (arguments.NoAi && o.Execution is not null)
        {
            o = o with { Execution = o.Execution with { EnableAiOrchestration = false } };
        }

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
            if (OptionSpellings.TryParseWaitStrategy(w, out WaitStrategyKind kind))
            {
                o = o with { WaitStrategy = kind };
            }
            else
            {
                flagErrors.Add(OptionSpellings.WaitStrategyError(w));
            }
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
