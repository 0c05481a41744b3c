using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FrameError = LowLatency.Adapters.Cex.Common.ParseError;
using FrameResult = LowLatency.Adapters.Cex.Common.ParseResult;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.Host.Configuration;
using LowLatency.Kernels;
using LowLatency.Kernels.EdgeSweep;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Host.Cli;

/// <summary><c>replay FILE... [--speed max|recorded] [--print books|tops|opportunities] [--depth N]</c>.</summary>
internal static class ReplayCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var files = new Argument<string[]>("files") { Description = "capture files: a session's WebSocket file and its REST snapshot file", Arity = ArgumentArity.OneOrMore };
        var speed = new Option<string?>("--speed") { Description = "max | recorded (default: the replaySpeed setting, max)" };
        var print = new Option<string?>("--print") { Description = "books | tops | opportunities" };
        var depth = new Option<int>("--depth") { Description = "levels per side printed by --print books", DefaultValueFactory = _ => 10 };
        var threshold = new Option<double?>("--threshold-bps") { Description = "net edge in bps that makes an opportunity" };
        var config = new Option<string?>("--config") { Description = "JSON settings file (fees, threshold)" };
        var command = new Command("replay", "run the hot path over recorded captures") { files, speed, print, depth, threshold, config };
        command.SetAction(parse =>
        {
            string? speedFlag = parse.GetValue(speed);
            string? printText = parse.GetValue(print);
            int levels = parse.GetValue(depth);
            var problems = new List<string>();
            if (speedFlag is not (null or "max" or "recorded"))
            {
                problems.Add($"--speed: '{speedFlag}' must be max or recorded");
            }

            if (printText is not (null or "books" or "tops" or "opportunities"))
            {
                problems.Add($"--print: '{printText}' must be books, tops or opportunities");
            }

            if (levels < 1)
            {
                problems.Add($"--depth: {levels} must be at least 1");
            }

            (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(parse.GetValue(config), Environment.GetEnvironmentVariable,
                o => parse.GetValue(threshold) is { } t ? o with { ThresholdBps = t } : o);
            problems.AddRange(errors);
            string[] paths = parse.GetValue(files) ?? [];
            foreach (string path in paths)
            {
                if (!File.Exists(path))
                {
                    problems.Add($"{path}: no such file");
                }
            }

            if (problems.Count > 0)
            {
                foreach (string p in problems)
                {
                    stderr.WriteLine($"replay: {p}");
                }

                return 2;
            }

            ReplaySession session;
            try
            {
                session = ReplaySession.Load(paths);
            }
            catch (InvalidDataException e)
            {
                stderr.WriteLine($"replay: {e.Message}");
                return 2;
            }

            return Run(session, options, (speedFlag ?? options.ReplaySpeed) == "recorded", printText, levels, stdout, stderr);
        });
        return command;
    }

    private static int Run(ReplaySession session, EngineOptions options, bool recordedSpeed, string? print, int depth, TextWriter stdout, TextWriter stderr)
    {
        var opportunities = new RingBuffer<Opportunity>(1 << 12, ProducerType.Single, WaitStrategyKind.Yielding);
        using var kernels = new KernelHost(new EdgeSweepShape(Math.Max(1, session.Instruments.Count), Math.Max(2, session.Venues.Count)));
        var pipeline = new ReplayPipeline(session, venue => options.TakerFees.TryGetValue(venue, out double fee) ? fee : 0.001, options.ThresholdBps, opportunities,
            kernels, options.FullSweepMinTouched);
        var drain = new OpportunityPrinter(pipeline, print == "opportunities" ? stdout : null);
        var drainProcessor = new BatchEventProcessor<Opportunity, OpportunityPrinter>(opportunities, opportunities.NewBarrier(), drain);
        opportunities.AddGatingSequences(drainProcessor.Sequence);

        var lastTops = new (long Bid, long BidQty, long Ask, long AskQty)[pipeline.Books.Count];
        long firstNs = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < session.Tape.Count; i++)
        {
            ref readonly var record = ref session.Tape[i];
            if (recordedSpeed && record.TimestampNs > 0)
            {
                firstNs = firstNs == 0 ? record.TimestampNs : firstNs;
                TimeSpan due = TimeSpan.FromTicks((record.TimestampNs - firstNs) / 100);
                TimeSpan wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    Thread.Sleep(wait);
                }
            }

            FrameResult result = pipeline.Step(i);
            drainProcessor.Poll();
            if (print == "tops" && result == FrameResult.Message)
            {
                PrintTopChanges(pipeline, lastTops, record.TimestampNs, stdout);
            }
        }

        drainProcessor.Poll();
        if (print == "books")
        {
            PrintBooks(pipeline, depth, stdout);
        }

        PrintSummary(pipeline, drain.State.Count, clock.Elapsed, stderr);
        return 0;
    }

    private static void PrintTopChanges(ReplayPipeline pipeline, (long Bid, long BidQty, long Ask, long AskQty)[] last, long timeNs, TextWriter stdout)
    {
        BookSet books = pipeline.Books;
        foreach (int index in books.TouchedBooks)
        {
            L2Book book = books.Book(index);
            ref readonly TopOfBook top = ref books.Top(index);
            BookLevel bid = book.BidCount > 0 ? book.BestBid : top.Bid;
            BookLevel ask = book.AskCount > 0 ? book.BestAsk : top.Ask;
            var now = (bid.Price.Raw, bid.Quantity.Raw, ask.Price.Raw, ask.Quantity.Raw);
            if (now == last[index])
            {
                continue;
            }

            last[index] = now;
            ref readonly BookSyncState state = ref books.State(index);
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("ts", timeNs);
                json.WriteString("venue", pipeline.VenueNameOf(state.Venue));
                json.WriteString("symbol", pipeline.SymbolOf(index));
                WriteLevel(json, "bid", bid, state);
                WriteLevel(json, "ask", ask, state);
                json.WriteString("status", StatusText(books, index));
                json.WriteEndObject();
            }

            stdout.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    private static void PrintBooks(ReplayPipeline pipeline, int depth, TextWriter stdout)
    {
        BookSet books = pipeline.Books;
        for (int index = 0; index < books.Count; index++)
        {
            L2Book book = books.Book(index);
            ref readonly BookSyncState state = ref books.State(index);
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("venue", pipeline.VenueNameOf(state.Venue));
                json.WriteString("symbol", pipeline.SymbolOf(index));
                json.WriteString("status", StatusText(books, index));
                WriteSide(json, "bids", book.Bids, depth, state);
                WriteSide(json, "asks", book.Asks, depth, state);
                json.WriteEndObject();
            }

            stdout.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    private static string StatusText(BookSet books, int index) => books.State(index).Status switch
    {
        BookStatus.Live => books.Book(index).IsCrossed ? "crossed" : "live",
        BookStatus.Resync => "resync",
        _ => "awaiting-snapshot",
    };

    private static void WriteSide(Utf8JsonWriter json, string name, ReadOnlySpan<BookLevel> levels, int depth, in BookSyncState state)
    {
        json.WriteStartArray(name);
        for (int i = 0; i < levels.Length && i < depth; i++)
        {
            json.WriteStartArray();
            json.WriteStringValue(FixedPoint.ToDecimalString(levels[i].Price.Raw, state.PriceDecimals));
            json.WriteStringValue(FixedPoint.ToDecimalString(levels[i].Quantity.Raw, state.QuantityDecimals));
            json.WriteEndArray();
        }

        json.WriteEndArray();
    }

    private static void WriteLevel(Utf8JsonWriter json, string name, in BookLevel level, in BookSyncState state)
    {
        json.WriteStartArray(name);
        if (level.Price.IsSet)
        {
            json.WriteStringValue(FixedPoint.ToDecimalString(level.Price.Raw, state.PriceDecimals));
            json.WriteStringValue(FixedPoint.ToDecimalString(level.Quantity.Raw, state.QuantityDecimals));
        }

        json.WriteEndArray();
    }

    private static void PrintSummary(ReplayPipeline pipeline, long opportunities, TimeSpan elapsed, TextWriter stderr)
    {
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay: {pipeline.Session.Tape.Count} records, {pipeline.Published} messages, {pipeline.Rejected} rejected, {pipeline.Strategy.Events} ring events, {opportunities} opportunities in {elapsed.TotalMilliseconds:0} ms"));
        foreach (ReplayVenue venue in pipeline.Session.Venues)
        {
            VenueIntegrity integrity = pipeline.Books.Integrity(venue.Id);
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {venue.Name}: {venue.Symbols.Count} instruments, {venue.Counters.Messages} messages, {venue.Counters.Ignored} ignored, {venue.Counters.TotalRejected} rejected; gaps {integrity.Gaps}, checksum failures {integrity.ChecksumFailures}, crossed {integrity.CrossedBooks}, stale {integrity.StaleDrops}, resyncs {integrity.Resyncs}, snapshots {integrity.Snapshots}"));
            foreach (FrameError error in Enum.GetValues<FrameError>())
            {
                long count = error == FrameError.None ? 0 : venue.Counters.Rejected(error);
                if (count > 0)
                {
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    dropped {count} frame(s): {error}"));
                }
            }
        }
    }

    /// <summary>Prints opportunities as JSON lines (replay's --print opportunities) and counts them.</summary>
    private readonly struct OpportunityPrinter(ReplayPipeline pipeline, TextWriter? stdout) : IEventHandler<Opportunity>
    {
        public PrinterState State { get; } = new();

        public void OnEvent(ref Opportunity evt, long sequence, bool endOfBatch)
        {
            State.Count++;
            if (stdout is null)
            {
                return;
            }

            InstrumentSpec spec = pipeline.Session.Instruments[evt.Instrument.Value];
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("instrument", spec.Name);
                json.WriteString("buyVenue", pipeline.VenueNameOf(evt.BuyVenue));
                json.WriteString("sellVenue", pipeline.VenueNameOf(evt.SellVenue));
                json.WriteString("buyPrice", FixedPoint.ToDecimalString(evt.BuyPrice.Raw, spec.PriceDecimals));
                json.WriteString("sellPrice", FixedPoint.ToDecimalString(evt.SellPrice.Raw, spec.PriceDecimals));
                json.WriteString("quantity", FixedPoint.ToDecimalString(evt.Quantity.Raw, spec.QuantityDecimals));
                json.WriteNumber("grossBps", Math.Round(evt.GrossEdgeBps, 4));
                json.WriteNumber("netBps", Math.Round(evt.NetEdgeBps, 4));
                json.WriteNumber("buyTickReceiveTimeNs", evt.BuyTickReceiveTimeNs);
                json.WriteNumber("sellTickReceiveTimeNs", evt.SellTickReceiveTimeNs);
                json.WriteNumber("decisionTimeNs", evt.DecisionTimeNs);
                json.WriteEndObject();
            }

            stdout.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    private sealed class PrinterState
    {
        public long Count { get; set; }
    }
}
