using System.CommandLine;
using LowLatency.Host.Configuration;
using LowLatency.Host.Lifecycle;

namespace LowLatency.Host.Cli;

/// <summary>The <c>lowlatency</c> command line: run, replay, eth (bench is dispatched by the ./lowlatency launcher).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        RootCommand root = BuildRoot(Console.Out, Console.Error);
        return root.Parse(args).Invoke();
    }

    internal static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("LowLatency: a low-latency crypto arbitrage engine (dry-run by default)");
        root.Add(RunCommand.Create(stdout, stderr));
        root.Add(ReplayCommand.Create(stdout, stderr));
        root.Add(EthVerb.Create(stdout, stderr));
        root.Add(TrainVerb.Create(stdout, stderr));
        root.Add(EvaluateVerb.Create(stdout, stderr));
        return root;
    }
}

/// <summary><c>run</c>: the main job.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var duration = new Option<string?>("--duration") { Description = "stop after this long (30s, 2m, 500ms); default: until Ctrl-C" };
        var config = new Option<string?>("--config") { Description = "JSON settings file (default: appsettings.json when present)" };
        var mode = new Option<string?>("--mode") { Description = "dry-run | paper | live (only dry-run exists in this build)" };
        var threshold = new Option<double?>("--threshold-bps") { Description = "net edge in bps that makes an opportunity" };
        var wait = new Option<string?>("--wait-strategy") { Description = "busy-spin | yielding | blocking" };
        var log = new Option<string?>("--log") { Description = "opportunity log path (default logs/arbitrage.log)" };
        var command = new Command("run", "dry-run the engine on the embedded simulated market") { duration, config, mode, threshold, wait, log };
        command.SetAction(parse =>
        {
            TimeSpan? limit = null;
            if (parse.GetValue(duration) is { } text)
            {
                if (!Duration.TryParse(text, out TimeSpan parsed))
                {
                    stderr.WriteLine($"run: --duration '{text}' is not a duration (e.g. 30s, 2m, 500ms)");
                    return 2;
                }

                limit = parsed;
            }

            string? modeText = parse.GetValue(mode);
            var flagErrors = new List<string>();
            (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(parse.GetValue(config), Environment.GetEnvironmentVariable, o =>
            {
                if (modeText is not null)
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

                if (parse.GetValue(threshold) is { } t)
                {
                    o = o with { ThresholdBps = t };
                }

                if (parse.GetValue(wait) is { } w)
                {
                    o = o with { WaitStrategy = w };
                }

                if (parse.GetValue(log) is { } l)
                {
                    o = o with { LogPath = l };
                }

                return o;
            });

            if (flagErrors.Count + errors.Count > 0)
            {
                stderr.WriteLine("run: the configuration is not valid:");
                foreach (string e in flagErrors.Concat(errors))
                {
                    stderr.WriteLine($"  - {e}");
                }

                return 2;
            }

            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                new DryRunEngine(options, stdout).Run(limit, cancel.Token);
                return 0;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return command;
    }
}
