using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Paper;
using LowLatency.Host.Composition;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Snapshots;
using LowLatency.HotPath.Strategy;
using LowLatency.Kernels;
using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Host.Lifecycle;

/// <summary>
/// <c>run --mode paper --replay FILES…</c>: paper trading on recorded captures. The same readers as <c>replay</c> (one
/// thread: each record is parsed, published and run through books → edges → opportunities at once), the strategy's
/// depth published per batch (<see cref="DepthSnapshotPublisher"/>) for the paper exchange to walk, every opportunity
/// logged and handed to a <see cref="PaperSession"/> on the recorded clock (orders arrive at decision time plus the
/// venue's latency, against the depth of that moment in the tape). Fills, fees and P&amp;L per strategy go to the summary
/// lines and the arbitrage log, as in <c>run --mode paper</c>.
/// </summary>
internal sealed class PaperReplaySession
{
    /// <summary>One-way order latency of a recorded venue (a capture carries none): the simulated venues' default.</summary>
    public const double VenueLatencyMs = 50;

    private static readonly TimeSpan s_logCloseTimeout = TimeSpan.FromSeconds(1);

    private readonly EngineOptions _options;
    private readonly ReplaySession _session;
    private readonly TextWriter _console;
    private readonly EngineLogs _logs;

    private PaperReplaySession(EngineOptions options, ReplaySession session, TextWriter console, EngineLogs logs)
    {
        _options = options;
        _session = session;
        _console = console;
        _logs = logs;
    }

    /// <summary>
    /// Loads the captures for a paper replay. False with every problem (a missing file, a capture the readers refuse, a
    /// venue with no taker fee in <c>takerFees</c>), each one line; start-up, allocates.
    /// </summary>
    public static bool TryLoad(EngineOptions options, IReadOnlyList<string> paths, [NotNullWhen(true)] out ReplaySession? session, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(errors);
        session = null;
        int before = errors.Count;
        foreach (string path in paths)
        {
            if (!File.Exists(path))
            {
                errors.Add(SecretRedaction.Redact($"--replay: {path}: {(Directory.Exists(path) ? "is a directory, not a capture file" : "no such file")}"));
            }
        }

        if (errors.Count > before)
        {
            return false;
        }

        if (!ReplaySession.TryLoad(paths, out ReplaySession? loaded, out string? error))
        {
            errors.Add(SecretRedaction.Redact($"--replay: {error}"));
            return false;
        }

        for (int v = 0; v < loaded.Venues.Count; v++)
        {
            ReplayVenue venue = loaded.Venues[v];
            if (!options.TakerFees.ContainsKey(venue.Name))
            {
                // Never a guessed fee: an invented fee makes every edge and every fill of that venue a fiction.
                errors.Add(SecretRedaction.Redact($"takerFees: no taker fee for venue '{venue.Name}' (in the capture); add \"takerFees\": {{ \"{venue.Name}\": <fraction> }} to the --config file"));
            }
        }

        if (errors.Count > before)
        {
            return false;
        }

        session = loaded;
        return true;
    }

    public static PaperReplaySession Create(EngineOptions options, ReplaySession session, TextWriter console, EngineLogs logs, Ml.Agents.AgentEnsemble? agents = null, string? agentsProblem = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(logs);
        return new PaperReplaySession(options, session, console, logs) { Agents = agents, AgentsProblem = agentsProblem };
    }

    /// <summary>The loaded agent ensemble (null: off or no models, <see cref="AgentsProblem"/> says why): said off, since a capture has no pool state.</summary>
    private Ml.Agents.AgentEnsemble? Agents { get; init; }

    private string? AgentsProblem { get; init; }

    /// <summary>Replays every record (or until the duration, the cancellation or a failed log write); the caller's thread.</summary>
    public DryRunEngine.Result Run(RunLimits limits, CancellationToken cancellationToken)
    {
        ReplaySession session = _session;
        int venues = session.Venues.Count;
        int instruments = session.Instruments.Count;
        MarketLabels labels = MarketLabels.Of(session);
        (string[] venueNames, string[] instrumentNames, int[] priceDecimals, int[] quantityDecimals) = labels;

        // The gate runs on the replay's strategy step, as in run; its verdicts ride in the opportunity slots.
        using var decisions = new DecisionChain(_options, _logs, labels);
        RiskSession risk = decisions.Risk!;
        using var kernels = new KernelHost(new EdgeSweepShape(Math.Max(1, instruments), Math.Max(2, venues)));
        var pipeline = new ReplayPipeline(session, venue => _options.TakerFees[venue], _options.ThresholdBps, decisions.Opportunities, kernels, _options.FullSweepMinTouched);
        var depth = new DepthSnapshotPublisher(pipeline.Books);
        pipeline.Strategy.DepthPublisher = depth;
        var books = new DepthSnapshotBooks(depth);

        pipeline.Strategy.Risk = risk.StrategyGate;

        // The paper venues are built at the first opportunity, when the books have given the mids that seed inventory.
        PaperSession? paper = null;
        decisions.StartDrain(evt =>
        {
            paper ??= new PaperSession(_options, MarketOf(session, pipeline.Books), venueNames, instrumentNames, priceDecimals, quantityDecimals, _logs.Opportunities, risk, books);
            paper.OnOpportunity(evt);
        });
        OpportunityLogState logState = decisions.Log;

        ReplayPacer? pacer = null;
        var clock = Stopwatch.StartNew();
        if (_options.ReplaySpeed == ReplaySpeedKind.Recorded)
        {
            pacer = new ReplayPacer(_options.ReplayMaxGap, () => clock.Elapsed, Thread.Sleep);
        }

        _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"paper trading on a replay: {session.Tape.Count} records, {venues} venues ({string.Join(", ", venueNames.Take(venues))}) x {instruments} instruments, threshold {_options.ThresholdBps} bps net, order latency {VenueLatencyMs} ms per venue, {(pacer is null ? "max speed" : "recorded speed")}, log {_logs.Path}"));
        // The agents decide on a chain's pools per block; the ensemble's own replay of the recorded day is `agents`.
        _ = RunAgents.Prepare(Agents, AgentsProblem, "a capture replay carries exchange books, not the pool state the agents decide on; ./lowlatency agents replays them on the held-out on-chain day", "", out string agentsLine);
        _console.WriteLine(agentsLine);
        EngineLogs.AgentsChosen(_logs.Engine, agentsLine);
        foreach (CaptureDamage damage in session.Tape.Damage)
        {
            _console.WriteLine(SecretRedaction.Redact($"alert: replay: {damage}; the records before it are replayed"));
        }

        StopReason reason = StopReason.Ticks;
        TimeSpan nextSummary = TimeSpan.FromSeconds(1);
        long lastOpportunities = 0;
        for (int i = 0; i < session.Tape.Count; i++)
        {
            pacer?.WaitFor(session.Tape[i].TimestampNs);
            pipeline.Step(i);
            decisions.Drain();
            risk.Poll();
            if ((i & 255) != 0)
            {
                continue;
            }

            if (decisions.StopNow(cancellationToken, limits, clock.Elapsed) is { } stop)
            {
                reason = stop;
                break;
            }

            if (clock.Elapsed >= nextSummary)
            {
                _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"t={clock.Elapsed.TotalSeconds,5:0}s records={i + 1}/{session.Tape.Count} opportunities={logState.Count - lastOpportunities,5} (total {logState.Count}) log-not-written={_logs.Writer.Counters.NotWritten}{(paper is null ? "" : " " + paper.Describe())}"));
                lastOpportunities = logState.Count;
                nextSummary += TimeSpan.FromSeconds(1);
            }
        }

        decisions.Drain();
        risk.Poll();
        paper?.Finish();
        LogCounters final = decisions.Close(s_logCloseTimeout, ref reason);
        _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {pipeline.Published} messages of {session.Tape.Count} records ({pipeline.Rejected} rejected), {logState.Count} opportunities, tick-to-opportunity {decisions.DescribeLatency()}; log {EngineText.Log(final)}"));
        _console.WriteLine("done: " + (paper?.Describe() ?? "paper: no opportunity, nothing traded"));
        return decisions.Result(pipeline.Published, pipeline.Strategy.OpportunitiesDropped, 0, final, reason) with
        {
            EngineEvents = risk.Alerts + (paper?.LinesLogged ?? 0),
        };
    }

    /// <summary>
    /// The replay's venues and instruments in the shape the paper session takes: each venue's configured taker fee
    /// (the maker fee is half of it, as on the simulated venues) and <see cref="VenueLatencyMs"/>; each instrument's
    /// first mid on any tradeable book (0 when none yet: that instrument starts with no inventory).
    /// </summary>
    private SimulatedMarketOptions MarketOf(ReplaySession session, BookSet books)
    {
        var venues = new List<SimulatedVenueOptions>(session.Venues.Count);
        for (int v = 0; v < session.Venues.Count; v++)
        {
            ReplayVenue venue = session.Venues[v];
            venues.Add(new SimulatedVenueOptions { Name = venue.Name, TakerFee = _options.TakerFees[venue.Name], LatencyMs = VenueLatencyMs });
        }

        var instruments = new List<SimulatedInstrumentOptions>(session.Instruments.Count);
        foreach (InstrumentSpec spec in session.Instruments)
        {
            double mid = 0;
            foreach (ReplayVenue venue in session.Venues)
            {
                int b = books.IndexOf(venue.Id, spec.Id);
                if (b >= 0 && books.IsTradeable(b) && books.Book(b).BidCount > 0 && books.Book(b).AskCount > 0)
                {
                    mid = (books.Book(b).BestBid.Price.Raw + books.Book(b).BestAsk.Price.Raw) / 2.0 / Math.Pow(10, spec.PriceDecimals);
                    break;
                }
            }

            instruments.Add(new SimulatedInstrumentOptions { Symbol = SplitQuote(spec.Name), StartPrice = mid });
        }

        return new SimulatedMarketOptions { Venues = venues, Instruments = instruments };
    }

    private static readonly string[] s_quotes = ["USDT", "USDC", "FDUSD", "BUSD", "USD", "EUR", "BTC", "ETH"];

    /// <summary>"BTCUSDT" → "BTC-USDT": replay names drop the separator; balances need base and quote apart.</summary>
    internal static string SplitQuote(string name)
    {
        foreach (string quote in s_quotes)
        {
            if (name.Length > quote.Length && name.EndsWith(quote, StringComparison.Ordinal))
            {
                return name[..^quote.Length] + "-" + quote;
            }
        }

        return name;
    }
}
