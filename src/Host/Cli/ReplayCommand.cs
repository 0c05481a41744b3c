using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FrameError = LowLatency.Adapters.Cex.Common.ParseError;
using FrameResult = LowLatency.Adapters.Cex.Common.ParseResult;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.Adapters.Ethereum;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.Kernels;
using LowLatency.Kernels.EdgeSweep;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Host.Cli;

/// <summary>
/// <c>replay FILE... [--speed max|recorded] [--max-gap 5s] [--print books|tops|opportunities] [--depth N]</c>.
/// Exit codes: 0 a clean replay; 1 the captures cannot be replayed (venue not read, no book frames, a limit) or are
/// damaged (what comes before the damage is replayed, and the verdict says so); 2 usage or configuration.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr) => Create(stdout, stderr, Thread.Sleep);

    /// <summary>As <see cref="Create(TextWriter, TextWriter)"/>, with the sleep of <c>--speed recorded</c> injected (tests).</summary>
    internal static Command Create(TextWriter stdout, TextWriter stderr, Action<TimeSpan> sleep)
    {
        var files = new Argument<string[]>("files") { Description = "capture files: a session's WebSocket file and its REST snapshot file", Arity = ArgumentArity.OneOrMore };
        var speed = new Option<string?>("--speed") { Description = "max | recorded (default: the replaySpeed setting, max)" };
        var maxGap = new Option<string?>("--max-gap") { Description = "at recorded speed, the longest recorded gap waited in full (default: the replayMaxGap setting, 5s)" };
        var print = new Option<string?>("--print") { Description = "books | tops | opportunities" };
        var depth = new Option<int>("--depth") { Description = "levels per side printed by --print books", DefaultValueFactory = _ => 10 };
        var threshold = new Option<double?>("--threshold-bps") { Description = "net edge in bps that makes an opportunity" };
        var config = new Option<string?>("--config") { Description = "JSON settings file (fees, threshold)" };
        var command = new Command("replay", "run the hot path over recorded captures") { files, speed, maxGap, print, depth, threshold, config };
        command.SetAction(parse =>
        {
            string? speedFlag = parse.GetValue(speed);
            string? maxGapFlag = parse.GetValue(maxGap);
            string? printText = parse.GetValue(print);
            int levels = parse.GetValue(depth);
            var problems = new List<string>();
            ReplaySpeedKind? speedChosen = null;
            if (speedFlag is not null && OptionSpellings.TryParseReplaySpeed(speedFlag, out ReplaySpeedKind parsedSpeed))
            {
                speedChosen = parsedSpeed;
            }
            else if (speedFlag is not null)
            {
                problems.Add($"--speed: '{speedFlag}' must be max or recorded");
            }

            TimeSpan? gapChosen = null;
            if (maxGapFlag is not null && OptionSpellings.TryParseReplayMaxGap(maxGapFlag, out TimeSpan parsedGap))
            {
                gapChosen = parsedGap;
            }
            else if (maxGapFlag is not null)
            {
                problems.Add($"--max-gap: '{maxGapFlag}' must be a duration from 1ms to 1h (e.g. 5s, 500ms, 00:00:05)");
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
                o => o with
                {
                    ThresholdBps = parse.GetValue(threshold) ?? o.ThresholdBps,
                    ReplaySpeed = speedChosen ?? o.ReplaySpeed,
                    ReplayMaxGap = gapChosen ?? o.ReplayMaxGap,
                });
            problems.AddRange(errors);
            string[] paths = parse.GetValue(files) ?? [];
            foreach (string path in paths)
            {
                if (Directory.Exists(path))
                {
                    problems.Add($"{path}: is a directory, not a capture file");
                }
                else if (!File.Exists(path))
                {
                    problems.Add($"{path}: no such file");
                }
            }

            if (problems.Count > 0)
            {
                foreach (string p in problems)
                {
                    stderr.WriteLine(SecretRedaction.Redact($"replay: {p}"));
                }

                return 2;
            }

            // The recorded on-chain CSVs (raw pool logs, V2 reserves) go through the node feed's decoder, as `chain replay`.
            int onchain = 0;
            foreach (string path in paths)
            {
                onchain += IsOnchainCsv(path) ? 1 : 0;
            }

            if (onchain == paths.Length)
            {
                return ChainVerb.Run(["replay", .. paths], stdout, stderr);
            }

            if (onchain > 0)
            {
                stderr.WriteLine("replay: on-chain CSVs and exchange captures cannot be replayed together: give one kind at a time");
                return 2;
            }

            if (!ReplaySession.TryLoad(paths, out ReplaySession? session, out string? loadError))
            {
                stderr.WriteLine(SecretRedaction.Redact($"replay: {loadError}"));
                return 1;
            }

            // Fees come from configuration only: a venue of the capture without one is a configuration error, never a
            // guessed fee (an invented fee makes every edge of that venue a fiction).
            bool feesMissing = false;
            foreach (ReplayVenue venue in session.Venues)
            {
                if (!options.TakerFees.ContainsKey(venue.Name))
                {
                    stderr.WriteLine(SecretRedaction.Redact(
                        $"replay: takerFees: no taker fee for venue '{venue.Name}' (in the capture); add \"takerFees\": {{ \"{venue.Name}\": <fraction> }} to the --config file"));
                    feesMissing = true;
                }
            }

            if (feesMissing)
            {
                return 2;
            }

            foreach (ReplayVenue venue in session.Venues)
            {
                venue.UnknownFields.Source = venue.Name;
                venue.UnknownFields.Report = line => stderr.WriteLine(SecretRedaction.Redact($"replay: {line}"));
            }

            ReplayPacer? pacer = null;
            if (options.ReplaySpeed == ReplaySpeedKind.Recorded)
            {
                var clock = Stopwatch.StartNew();
                pacer = new ReplayPacer(options.ReplayMaxGap, () => clock.Elapsed, sleep);
            }

            return Run(session, options, pacer, printText, levels, stdout, stderr);
        });
        return command;
    }

    private static bool IsOnchainCsv(string path)
    {
        try
        {
            return LowLatency.Adapters.Dex.Replay.OnchainCsv.Sniff(path) is not null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return false; // not readable as one: the capture reader names the problem
        }
    }

    private static int Run(ReplaySession session, EngineOptions options, ReplayPacer? pacer, string? print, int depth, TextWriter stdout, TextWriter stderr)
    {
        // Frames before the damage are replayed (they are real data), but the verdict and the exit code say "damaged".
        foreach (CaptureDamage damage in session.Tape.Damage)
        {
            stderr.WriteLine(SecretRedaction.Redact($"replay: {damage}; the records before it are replayed"));
        }

        var opportunities = new RingBuffer<Opportunity>(1 << 12, ProducerType.Single, WaitStrategyKind.Yielding);
        using var kernels = new KernelHost(new EdgeSweepShape(Math.Max(1, session.Instruments.Count), Math.Max(2, session.Venues.Count)));
        var pipeline = new ReplayPipeline(session, venue => options.TakerFees[venue], options.ThresholdBps, opportunities,
            kernels, options.FullSweepMinTouched);
        var drain = new OpportunityPrinter(pipeline, print == "opportunities" ? stdout : null);
        var drainProcessor = new BatchEventProcessor<Opportunity, OpportunityPrinter>(opportunities, opportunities.NewBarrier(), drain);
        opportunities.AddGatingSequences(drainProcessor.Sequence);

        var lastTops = new (long Bid, long BidQty, long Ask, long AskQty)[pipeline.Books.Count];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < session.Tape.Count; i++)
        {
            ref readonly var record = ref session.Tape[i];
            pacer?.WaitFor(record.TimestampNs);
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
        if (pacer?.Summary() is { } capped)
        {
            stderr.WriteLine($"replay: {capped}");
        }

        if (session.Tape.IsDamaged)
        {
            var damagedFiles = new List<string>();
            foreach (CaptureDamage damage in session.Tape.Damage)
            {
                if (!damagedFiles.Contains(damage.File))
                {
                    damagedFiles.Add(damage.File);
                }
            }

            stderr.WriteLine(SecretRedaction.Redact(string.Create(CultureInfo.InvariantCulture,
                $"replay: damaged input: {damagedFiles.Count} of {session.Tape.Sources.Count} file(s) damaged ({string.Join(", ", damagedFiles)}); the books of their venues show where the data stops, not a whole session")));
            return 1;
        }

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
        var damaged = new bool[VenueId.MaxCount]; // a damaged capture's books are never shown as a clean "live" result
        foreach (ReplayVenue venue in pipeline.Session.Venues)
        {
            damaged[venue.Id.Value] = pipeline.Session.IsDamaged(venue);
        }

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
                json.WriteString("status", damaged[state.Venue.Value] ? "damaged" : StatusText(books, index));
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
            json.WriteStringValue(FixedPointText.ToDecimalString(levels[i].Price.Raw, state.PriceDecimals));
            json.WriteStringValue(FixedPointText.ToDecimalString(levels[i].Quantity.Raw, state.QuantityDecimals));
            json.WriteEndArray();
        }

        json.WriteEndArray();
    }

    private static void WriteLevel(Utf8JsonWriter json, string name, in BookLevel level, in BookSyncState state)
    {
        json.WriteStartArray(name);
        if (level.Price.IsSet)
        {
            json.WriteStringValue(FixedPointText.ToDecimalString(level.Price.Raw, state.PriceDecimals));
            json.WriteStringValue(FixedPointText.ToDecimalString(level.Quantity.Raw, state.QuantityDecimals));
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
                $"  {venue.Name}: {venue.Symbols.Count} instruments, {venue.Counters.Messages} messages, {venue.Counters.Ignored} ignored, {venue.Counters.TotalRejected} rejected; gaps {integrity.Gaps}, checksum failures {integrity.ChecksumFailures}, crossed {integrity.CrossedBooks}, stale {integrity.StaleDrops}, resyncs {integrity.Resyncs}, snapshots {integrity.Snapshots}, stale snapshots {integrity.StaleSnapshots}"));
            foreach (FrameError error in Enum.GetValues<FrameError>())
            {
                long count = error == FrameError.None ? 0 : venue.Counters.Rejected(error);
                if (count > 0)
                {
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    dropped {count} frame(s): {error}"));
                }
            }

            if (venue.UnknownFields.Total > 0)
            {
                var names = new StringBuilder();
                foreach ((string name, long count) in venue.UnknownFields.Entries())
                {
                    names.Append(names.Length == 0 ? "" : ", ").Append(name).Append(": ").Append(count.ToString(CultureInfo.InvariantCulture));
                }

                stderr.WriteLine(SecretRedaction.Redact(string.Create(CultureInfo.InvariantCulture,
                    $"    skipped {venue.UnknownFields.Total} unknown field(s): {names}{(venue.UnknownFields.Overflow > 0 ? $" ({venue.UnknownFields.Overflow} more under names past the table)" : "")}")));
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
                json.WriteString("buyPrice", FixedPointText.ToDecimalString(evt.BuyPrice.Raw, spec.PriceDecimals));
                json.WriteString("sellPrice", FixedPointText.ToDecimalString(evt.SellPrice.Raw, spec.PriceDecimals));
                json.WriteString("quantity", FixedPointText.ToDecimalString(evt.Quantity.Raw, spec.QuantityDecimals));
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
