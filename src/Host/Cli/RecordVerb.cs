using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Host.Configuration;
using LowLatency.Host.Lifecycle;

namespace LowLatency.Host.Cli;

/// <summary>
/// <c>record --venues binance,okx --symbols BTCUSDT,ETHUSDT --out DIR [--duration 1h] [--config FILE] [--rotate-mb N]</c>:
/// connects to the venues (endpoints from <c>venues.&lt;name&gt;</c> in the configuration, else the public ones) and
/// writes every received frame and REST snapshot in the capture layout <c>replay</c> reads, gzip, rotated. One summary
/// line per second (each venue's state and message rate); a <c>done:</c> line with the files and what was recorded or
/// dropped. Exit 0, 1 on a failed write, 2 on a usage or configuration error.
/// </summary>
internal static class RecordVerb
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var venues = new Option<string?>("--venues") { Description = "comma-separated: binance, binance-futures, okx, kraken" };
        var symbols = new Option<string?>("--symbols") { Description = "comma-separated engine symbols (BTCUSDT,ETHUSDT); each venue's spelling is derived" };
        var output = new Option<string?>("--out") { Description = "output folder (created)" };
        var duration = new Option<string?>("--duration") { Description = "stop after this long (30s, 1h); default: until Ctrl-C or SIGTERM" };
        var config = new Option<string?>("--config") { Description = "JSON settings file with venues.<name>.wsUrl / restUrl" };
        var rotate = new Option<string?>("--rotate-mb") { Description = "start a new part after this many MiB of text (default 256)" };
        var command = new Command("record", "record live market data in the capture format replay reads") { venues, symbols, output, duration, config, rotate };
        command.SetAction(parse => Execute(parse.GetValue(venues), parse.GetValue(symbols), parse.GetValue(output), parse.GetValue(duration),
            parse.GetValue(config), parse.GetValue(rotate), stdout, stderr, environment));
        return command;
    }

    internal static int Execute(string? venues, string? symbols, string? output, string? durationText, string? config, string? rotateText,
        TextWriter stdout, TextWriter stderr, Func<string, string?> environment) =>
        Execute(venues, symbols, output, durationText, config, rotateText, stdout, stderr, environment, started: null, CancellationToken.None);

    /// <param name="started">Tests: sees the market once it runs.</param>
    /// <param name="stop">Tests: stops the recording as a signal would.</param>
    internal static int Execute(string? venues, string? symbols, string? output, string? durationText, string? config, string? rotateText,
        TextWriter stdout, TextWriter stderr, Func<string, string?> environment, Action<LiveMarket>? started, CancellationToken stop)
    {
        var errors = new List<string>();
        string[] venueNames = Split(venues);
        string[] symbolNames = Split(symbols);
        if (venueNames.Length == 0)
        {
            errors.Add("--venues: give at least one venue (binance, binance-futures, okx, kraken)");
        }

        if (symbolNames.Length == 0)
        {
            errors.Add("--symbols: give at least one symbol (BTCUSDT)");
        }

        if (string.IsNullOrWhiteSpace(output))
        {
            errors.Add("--out: give the output folder");
        }

        TimeSpan? limit = null;
        if (durationText is not null)
        {
            if (Duration.TryParse(durationText, out TimeSpan d))
            {
                limit = d;
            }
            else
            {
                errors.Add($"--duration: '{durationText}' is not a duration (e.g. 30s, 1h)");
            }
        }

        long rotateBytes = 256L << 20;
        if (rotateText is not null)
        {
            if (int.TryParse(rotateText, NumberStyles.None, CultureInfo.InvariantCulture, out int mb) && mb is >= 1 and <= 65536)
            {
                rotateBytes = (long)mb << 20;
            }
            else
            {
                errors.Add($"--rotate-mb: '{rotateText}' must be a whole number from 1 to 65536");
            }
        }

        (EngineOptions options, IReadOnlyList<string> configErrors) = EngineOptionsLoader.Load(config, environment, o => o);
        errors.AddRange(configErrors);
        List<LiveVenueOptions> live = errors.Count == 0 ? options.BuildLiveVenues(venueNames, symbolNames, errors) : [];
        if (errors.Count > 0)
        {
            stderr.WriteLine("record: the configuration is not valid:");
            foreach (string e in errors)
            {
                stderr.WriteLine($"  - {e}");
            }

            return Program.UsageError;
        }

        var recorders = new List<CaptureRecorder>();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        string? signal = null;
        void OnStop(PosixSignalContext context)
        {
            if (cancel.IsCancellationRequested)
            {
                context.Cancel = false;
                return;
            }

            context.Cancel = true;
            signal = context.Signal.ToString();
            cancel.Cancel();
        }

        using PosixSignalRegistration? interrupt = Register(PosixSignal.SIGINT, OnStop);
        using PosixSignalRegistration? terminate = Register(PosixSignal.SIGTERM, OnStop);
        try
        {
            var market = new LiveMarket(live, [.. live.Select(_ => 0.001)], options.ThresholdBps, options.RingSize, opportunities: null,
                log: line => stderr.WriteLine($"record: {line}"),
                capture: v =>
                {
                    var recorder = new CaptureRecorder(output!, v.Name.ToUpperInvariant().Replace('-', '_'), rotateBytes);
                    recorders.Add(recorder);
                    return recorder;
                });
            market.Start();
            started?.Invoke(market);
            DateTime end = limit is { } l ? DateTime.UtcNow + l : DateTime.MaxValue;
            while (!cancel.IsCancellationRequested && DateTime.UtcNow < end)
            {
                cancel.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(Math.Clamp((end - DateTime.UtcNow).TotalMilliseconds, 1, 1000)));
                stdout.WriteLine($"record: {market.Sample()}");
                if (recorders.FirstOrDefault(r => r.WriteError is not null) is { } failed)
                {
                    stderr.WriteLine($"record: stopped: writing the capture failed: {failed.WriteError!.Message}");
                    break;
                }
            }

            market.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            foreach (CaptureRecorder recorder in recorders)
            {
                recorder.Dispose();
            }
        }

        long records = recorders.Sum(r => r.Records);
        long dropped = recorders.Sum(r => r.Dropped);
        long altered = recorders.Sum(r => r.Altered);
        string files = string.Join(" ", recorders.SelectMany(r => r.Files));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done: {records} records, {dropped} dropped, {altered} with line breaks made spaces; files: {files}"));
        if (signal is not null)
        {
            stderr.WriteLine($"record: stopped on {signal}");
        }

        return recorders.Any(r => r.WriteError is not null) ? Program.Failed : Program.Success;
    }

    private static string[] Split(string? text) =>
        text is null ? [] : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];

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
