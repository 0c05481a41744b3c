using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using LowLatency.Adapters.Cex.Execution;
using LowLatency.Adapters.Cex.Execution.Signing;
using LowLatency.Adapters.Cex.Execution.Rest;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Ethereum;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;
using Microsoft.Extensions.Logging;

namespace LowLatency.Host.Lifecycle;

/// <summary>
/// <c>run --live --execute</c>: approved CEX-CEX opportunities from the drain become pairs of real orders. The host
/// thread hands each approved opportunity (one pair at a time: one arriving while a pair works is skipped, its
/// approval released) to one execution task, keeping the gate's reservation until the pair has ended; the task reconciles
/// every venue at start-up and after any lost outcome, works the pair through <see cref="PairExecutor"/>, and posts its
/// end back; the host thread releases the reservation, reports the P&amp;L to the gate and logs the pair. Without
/// <c>--execute</c> (refused at start-up in live mode) this type is never built, so nothing is ever sent.
/// </summary>
internal sealed class LiveExecution : IDisposable
{
    private readonly PairExecutor _executor;
    private readonly List<IExecutionClient> _clients;
    private readonly List<PrivateOrderStream> _streams;
    private readonly Dictionary<(int Venue, int Instrument), string> _symbols;
    private RiskSession _risk = null!;
    private ILogger _log = null!;
    private string[] _venueNames = [];
    private string[] _instrumentNames = [];
    private int[] _priceDecimals = [];
    private int[] _quantityDecimals = [];
    private readonly Channel<(PairRequest Request, RiskHold Hold)> _jobs = Channel.CreateBounded<(PairRequest, RiskHold)>(1);
    private readonly ConcurrentQueue<(PairResult Result, RiskHold Hold)> _done = new();
    private readonly ConcurrentQueue<ResidualResult> _retried = new();
    private volatile int _openResiduals;
    private readonly CancellationTokenSource _stop = new();
    private Task? _worker;
    private readonly List<Task> _streamRuns = [];
    private volatile bool _busy;
    private long _pair;

    private LiveExecution(PairExecutor executor, List<IExecutionClient> clients, List<PrivateOrderStream> streams, Dictionary<(int, int), string> symbols)
    {
        _executor = executor;
        _clients = clients;
        _streams = streams;
        _symbols = symbols;
    }

    /// <summary>Before <see cref="Start"/>: the run's gate (host side), its log and the names and decimals of its venues and instruments.</summary>
    public void Bind(RiskSession risk, ILogger log, string[] venueNames, string[] instrumentNames, int[] priceDecimals, int[] quantityDecimals)
    {
        ArgumentNullException.ThrowIfNull(risk);
        ArgumentNullException.ThrowIfNull(log);
        (_risk, _log, _venueNames, _instrumentNames, _priceDecimals, _quantityDecimals) = (risk, log, venueNames, instrumentNames, priceDecimals, quantityDecimals);
    }

    /// <summary>
    /// Cluster mode: each order's fills for the cluster's fill stream (host thread), the pair's realised P&amp;L on its last
    /// fill, a residual retry's on its own; null on one box.
    /// </summary>
    public Action<Adapters.Cluster.Streams.FillRecord>? ClusterFill { get; set; }

    /// <summary>Pairs sent, and how they ended.</summary>
    public long Pairs { get; private set; }

    public long Hedged { get; private set; }

    public long Unwound { get; private set; }

    public long Held { get; private set; }

    public long Unhedged { get; private set; }

    public long NotSent { get; private set; }

    public long NothingFilled { get; private set; }

    /// <summary>Approved opportunities skipped while a pair was working.</summary>
    public long Busy { get; private set; }

    /// <summary>Approved opportunities with a leg on a venue this run does not trade (no keys, or not spot).</summary>
    public long NotTradeable { get; private set; }

    public double Pnl { get; private set; }

    /// <summary>Retries of residuals failed unwinds left, and how many of those residuals were traded flat.</summary>
    public long ResidualRetries { get; private set; }

    public long ResidualsFlattened { get; private set; }

    /// <summary>Residuals still open (written by the execution task).</summary>
    public int OpenResiduals => _openResiduals;

    /// <summary>How often open residuals are retried while no pair is working (they are also retried before each pair).</summary>
    public TimeSpan ResidualRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    public double Fees { get; private set; }

    /// <summary>The execution venues (for tests and the summary).</summary>
    public PairExecutor Executor => _executor;

    /// <summary>
    /// The clients for the configured venues whose family is in <c>LIVE_VENUES</c>, with the keys from the environment
    /// (ModeChecks has already refused a missing one) and the order endpoint <c>venues.&lt;name&gt;.orderUrl</c> (the
    /// venue's public one otherwise). Problems (a key the signer cannot read, a venue that has no spot order entry)
    /// are added to <paramref name="errors"/>, by name, never with a value.
    /// </summary>
    public static LiveExecution? TryCreate(EngineOptions options, IReadOnlyList<LiveVenueOptions> venues, Func<string, string?> environment, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(venues);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(errors);
        IReadOnlyList<string> trading = Credentials.LiveVenues(environment, errors);
        var clients = new List<IExecutionClient>();
        var streams = new List<PrivateOrderStream>();
        var executionVenues = new List<ExecutionVenue>();
        var symbols = new Dictionary<(int, int), string>();
        string prefix = "ll" + (DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 2_176_782_336).ToString("x", CultureInfo.InvariantCulture); // unique per start, short for Kraken
        foreach (LiveVenueOptions v in venues)
        {
            string? family = Family(v);
            if (family is null || !trading.Contains(family))
            {
                continue; // market data only
            }

            LiveVenueSettings? settings = options.Venues.TryGetValue(v.Name, out LiveVenueSettings? s) ? s : null;
            Uri orderUrl = DefaultOrderUrl(family);
            if (settings?.OrderUrl is { } text && !Uri.TryCreate(text, UriKind.Absolute, out orderUrl!))
            {
                errors.Add($"venues.{v.Name}.orderUrl: '{SecretRedaction.Excerpt(text)}' is not an absolute URL");
                continue;
            }

            string[] names = Credentials.Venues[family];
            var clientOptions = new ExecutionClientOptions
            {
                BaseUrl = orderUrl,
                ApiKey = environment(names[0])?.Trim() ?? "",
                Secret = (environment(names[1]) ?? "").Trim().Replace("\\n", "\n", StringComparison.Ordinal), // PEMs in .env are one line
                Passphrase = names.Length > 2 ? environment(names[2])?.Trim() : null,
            };
            string? error = null;
            IExecutionClient? client = family switch
            {
                "binance" => BinanceExecutionClient.TryCreate(clientOptions, out error),
                "coinbase" => CoinbaseExecutionClient.TryCreate(clientOptions, out error),
                "okx" => new OkxExecutionClient(clientOptions),
                "kraken" => new KrakenExecutionClient(clientOptions),
                _ => new BybitExecutionClient(clientOptions),
            };
            if (client is null)
            {
                errors.Add($"venues.{v.Name}: {names[1]} cannot be used ({error})");
                continue;
            }

            clients.Add(client);
            var session = new ExecutionSession(client, new OrderTracker(prefix), new ExecutionRetryPolicy(Attempts: 3, Backoff: TimeSpan.FromMilliseconds(50)));
            executionVenues.Add(new ExecutionVenue(v.Venue, v.Name, session, options.TakerFees.TryGetValue(v.Name, out double fee) ? fee : 0.001));
            foreach (LiveSymbol symbol in v.Symbols)
            {
                // Kraken's REST pair has no slash (XBTUSDT); the others take the stream's spelling.
                symbols[(v.Venue.Value, symbol.Instrument.Id.Value)] = family == "kraken" ? symbol.VenueSymbol.Replace("/", "", StringComparison.Ordinal) : symbol.VenueSymbol;
            }

            if (settings?.PrivateWsUrl is { } ws)
            {
                if (!Uri.TryCreate(ws, UriKind.Absolute, out Uri? wsUrl))
                {
                    errors.Add($"venues.{v.Name}.privateWsUrl: '{SecretRedaction.Excerpt(ws)}' is not an absolute URL");
                }
                else if (family == "binance")
                {
                    streams.Add(new BinanceUserDataStream(session, orderUrl, wsUrl, clientOptions.ApiKey));
                }
                else if (family == "bybit")
                {
                    streams.Add(new BybitPrivateStream(session, wsUrl, clientOptions.ApiKey, clientOptions.Secret));
                }
                else if (family == "kraken")
                {
                    streams.Add(new KrakenPrivateStream(session, (KrakenExecutionClient)client, wsUrl));
                }
                else if (family == "okx")
                {
                    streams.Add(new OkxPrivateStream(session, wsUrl, clientOptions.ApiKey, clientOptions.Secret, clientOptions.Passphrase ?? ""));
                }
                else if (family == "coinbase" && CoinbaseJwtSigner.TryCreate(clientOptions.ApiKey, clientOptions.Secret) is { } signer)
                {
                    streams.Add(new CoinbaseUserStream(session, wsUrl, signer)); // the key was checked by the REST client just above
                }
                else
                {
                    errors.Add($"venues.{v.Name}.privateWsUrl: no private stream for {family} in this build (its orders are read back by REST)");
                }
            }
        }

        if (executionVenues.Count < 2)
        {
            errors.Add($"mode: live trades CEX pairs across two venues; LIVE_VENUES ({string.Join(", ", trading)}) names {executionVenues.Count} of the configured spot venues ({string.Join(", ", venues.Select(v => v.Name))})");
        }

        int instruments = 1 + venues.SelectMany(v => v.Symbols).Select(s => (int)s.Instrument.Id.Value).DefaultIfEmpty(0).Max();
        var exposure = new UnhedgedExposure(instruments, Math.Max(1, venues.Count), options.Execution.MaxUnhedgedAssetUsd, options.Execution.MaxUnhedgedVenueUsd);
        var pairOptions = new PairExecutionOptions { Policy = options.Execution.ParsedLegPolicy };
        if (errors.Count > 0)
        {
            foreach (IExecutionClient c in clients)
            {
                c.Dispose();
            }

            return null;
        }

        return new LiveExecution(new PairExecutor(executionVenues, exposure, pairOptions, prefix), clients, streams, symbols);
    }

    /// <summary>Starts the execution task (which reconciles every venue first) and the private streams.</summary>
    public void Start()
    {
        _worker = Task.Run(() => WorkAsync(_stop.Token));
        foreach (PrivateOrderStream stream in _streams)
        {
            _streamRuns.Add(Task.Run(() => stream.RunAsync(_stop.Token)));
        }
    }

    /// <summary>Host thread, between <see cref="RiskSession.Begin"/> and <see cref="RiskSession.End"/>: an approved pair goes to the execution task.</summary>
    public void OnOpportunity(in Opportunity o)
    {
        if (!o.Risk.Approved || o.Kind != OpportunityKind.CexCex)
        {
            return;
        }

        int i = o.Instrument.Value;
        if ((uint)i >= (uint)_priceDecimals.Length
            || !_symbols.TryGetValue((o.BuyVenue.Value, i), out string? buySymbol)
            || !_symbols.TryGetValue((o.SellVenue.Value, i), out string? sellSymbol))
        {
            NotTradeable++;
            return;
        }

        if (_busy)
        {
            Busy++;
            return; // End releases the approval
        }

        // Sized to what the gate reserved (the top, capped at the per-trade notional), at the instrument's decimals.
        decimal ask = Scaled(o.BuyPrice.Raw, _priceDecimals[i]);
        decimal bid = Scaled(o.SellPrice.Raw, _priceDecimals[i]);
        decimal top = Scaled(o.Quantity.Raw, _quantityDecimals[i]);
        decimal cap = ask > 0 ? (decimal)o.Risk.NotionalUsd / ask : 0;
        decimal quantity = decimal.Round(Math.Min(top, cap), _quantityDecimals[i], MidpointRounding.ToZero);
        if (quantity <= 0)
        {
            NotSent++;
            return;
        }

        var request = new PairRequest(++_pair, o.Instrument, o.BuyVenue, buySymbol, o.SellVenue, sellSymbol, Trim(quantity), Trim(ask), Trim(bid));
        RiskHold hold = _risk.Hold();
        _busy = true;
        if (!_jobs.Writer.TryWrite((request, hold)))
        {
            _busy = false;
            _risk.Release(in hold);
        }
    }

    /// <summary>Host thread: each ended pair's reservation released, its P&amp;L to the gate, its line in the log.</summary>
    public void Poll()
    {
        while (_done.TryDequeue(out (PairResult Result, RiskHold Hold) item))
        {
            PairResult r = item.Result;
            _risk.Release(in item.Hold);
            switch (r.Outcome)
            {
                case PairOutcome.Hedged: Hedged++; break;
                case PairOutcome.Unwound: Unwound++; break;
                case PairOutcome.Held: Held++; break;
                case PairOutcome.Unhedged: Unhedged++; break;
                case PairOutcome.NotSent: NotSent++; break;
                default: NothingFilled++; break;
            }

            if (r.Outcome != PairOutcome.NotSent)
            {
                Pairs++;
                Pnl += r.PnlUsd;
                Fees += r.FeesUsd;
                if (r.Bought > 0 || r.Sold > 0)
                {
                    _risk.OnTradeClosed(r.PnlUsd, UnixNowNs());
                }
            }

            PairRequest q = r.Request;
            if (ClusterFill is { } publish)
            {
                long now = UnixNowNs();
                for (int k = 0; k < r.Fills.Count; k++)
                {
                    LegFill f = r.Fills[k];
                    publish(new Adapters.Cluster.Streams.FillRecord(_instrumentNames[q.Instrument.Value], _venueNames[f.Venue.Value], f.Buy ? "buy" : "sell",
                        f.Quantity, f.Price, f.NotionalUsd, f.FeeUsd, k == r.Fills.Count - 1 ? r.PnlUsd : 0, now));
                }
            }

            EngineLogs.LivePair(_log, q.Pair, r.Outcome.ToString(), _instrumentNames[q.Instrument.Value], _venueNames[q.BuyVenue.Value], r.BuyClientOrderId,
                _venueNames[q.SellVenue.Value], r.SellClientOrderId, r.Bought, r.Sold, r.Unwound, r.Residual, Math.Round(r.FeesUsd, 8), Math.Round(r.PnlUsd, 8),
                SecretRedaction.Redact(string.Join("; ", r.Failures)));
            _busy = false;
        }

        while (_retried.TryDequeue(out ResidualResult? t))
        {
            ResidualRetries++;
            Pnl += t.PnlUsd;
            Fees += t.FeesUsd;
            if (t.Filled > 0)
            {
                _risk.OnTradeClosed(t.PnlUsd, UnixNowNs());
            }

            if (t.Flat)
            {
                ResidualsFlattened++;
            }

            OpenResidual o = t.Residual;
            if (ClusterFill is { } publishRetry && t.Filled > 0)
            {
                double notional = Math.Abs(t.Cash);
                publishRetry(new Adapters.Cluster.Streams.FillRecord(_instrumentNames[o.Request.Instrument.Value], _venueNames[o.Venue.Id.Value], o.SellBack ? "sell" : "buy",
                    t.Filled, notional / t.Filled, notional, t.FeesUsd, t.PnlUsd, UnixNowNs()));
            }

            EngineLogs.LiveResidual(_log, o.Request.Pair, t.Attempt, t.Flat ? "flat" : "open", _instrumentNames[o.Request.Instrument.Value], o.Venue.Name, t.ClientOrderId,
                o.SellBack ? "sell" : "buy", (double)t.Price, t.Filled, t.Left, Math.Round(t.FeesUsd, 8), Math.Round(t.PnlUsd, 8), SecretRedaction.Redact(string.Join("; ", t.Failures)));
        }
    }

    /// <summary>The per-second summary's live part.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"live: pairs={Pairs} hedged={Hedged} unwound={Unwound} held={Held} unhedged={Unhedged} unfilled={NothingFilled} not-sent={NotSent} busy={Busy} not-tradeable={NotTradeable} residuals={OpenResiduals} retried={ResidualRetries} flattened={ResidualsFlattened} fees={Fees:0.00} pnl={Pnl:0.00} reconciles={string.Join(",", _executor.Venues.Select(v => $"{v.Name}:{v.Session.Reconciles}"))}");

    /// <summary>
    /// Host thread, at the stop: no new pair; the one working is let finish (its legs are cancelled at their window),
    /// within <paramref name="limit"/>; then its end is taken like any other.
    /// </summary>
    public void Stop(TimeSpan limit)
    {
        _jobs.Writer.TryComplete();
        if (_worker is not null && !_worker.Wait(limit))
        {
            _stop.Cancel(); // past the limit: what is still working is left to the next start's reconciliation
            _worker.Wait(TimeSpan.FromSeconds(1));
        }

        _stop.Cancel();
        try
        {
            Task.WaitAll([.. _streamRuns], TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
            // a stream that ended in a fault has nothing left to apply
        }

        Poll();
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (PrivateOrderStream s in _streams)
        {
            s.Dispose();
        }

        foreach (IExecutionClient c in _clients)
        {
            c.Dispose();
        }

        _stop.Dispose();
    }

    private async Task WorkAsync(CancellationToken cancel)
    {
        // Start-up reconciliation (DESIGN §10): orders left working by an earlier run are adopted, fills missed recovered.
        foreach (ExecutionVenue v in _executor.Venues)
        {
            ExecResult<ReconcileReport> r = await _executor.ReconcileAsync(v, cancel).ConfigureAwait(false);
            LogReconcile(v, r);
            if (!r.Ok)
            {
                continue; // reconciled again, and its rules read, before its first pair
            }

            // Each symbol's rules before the first pair, which would otherwise wait one public round trip per venue.
            foreach (((int venue, int _), string symbol) in _symbols)
            {
                if (venue == v.Id.Value)
                {
                    ExecResult<SymbolRules> rules = await _executor.ReadRulesAsync(v, symbol, cancel).ConfigureAwait(false);
                    EngineLogs.LiveRules(_log, v.Name, symbol, rules.Ok ? rules.Value!.ToString() : SecretRedaction.Redact($"not read {rules.Error}: {rules.Detail}"));
                }
            }
        }

        // A private stream reconciles as it connects; the first pair waits for it (bounded: without it the legs are read back by REST).
        for (int waited = 0; waited < 300 && !cancel.IsCancellationRequested && _streams.Exists(st => !st.Live); waited++)
        {
            try
            {
                await Task.Delay(100, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        try
        {
            while (await NextJobAsync(cancel).ConfigureAwait(false))
            {
                // Residuals first: the next pair is sized against what the last one left.
                await RetryResidualsAsync(cancel).ConfigureAwait(false);
                if (!_jobs.Reader.TryRead(out (PairRequest Request, RiskHold Hold) job))
                {
                    continue; // woken to retry residuals, no pair waiting
                }

                (PairRequest request, RiskHold hold) = job;
                PairResult result;
                try
                {
                    result = await _executor.ExecuteAsync(request, cancel).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    result = new PairResult(request, PairOutcome.NotSent, 0, 0, 0, 0, 0, 0, 0, ["stopped before the pair ended; the next start reconciles it"]);
                }

                _openResiduals = _executor.OpenResiduals.Count;
                _done.Enqueue((result, hold));
            }

            // Stopping: one last try at what is still open (within the stop's limit); what stays open is in the log.
            await RetryResidualsAsync(cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    // True when a pair is waiting, or the retry interval passed with a residual open; false once the jobs are complete.
    private async Task<bool> NextJobAsync(CancellationToken cancel)
    {
        if (_openResiduals == 0)
        {
            return await _jobs.Reader.WaitToReadAsync(cancel).ConfigureAwait(false);
        }

        using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        tick.CancelAfter(ResidualRetryInterval);
        try
        {
            return await _jobs.Reader.WaitToReadAsync(tick.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return true; // the interval: retry the residuals
        }
    }

    private async Task RetryResidualsAsync(CancellationToken cancel)
    {
        if (_executor.OpenResiduals.Count == 0)
        {
            return;
        }

        foreach (ResidualResult t in await _executor.RetryResidualsAsync(cancel).ConfigureAwait(false))
        {
            _retried.Enqueue(t);
        }

        _openResiduals = _executor.OpenResiduals.Count;
    }

    private void LogReconcile(ExecutionVenue v, in ExecResult<ReconcileReport> r)
    {
        ReconcileReport? report = r.Value;
        EngineLogs.LiveReconcile(_log, v.Name, r.Ok ? "ok" : SecretRedaction.Redact($"failed {r.Error}: {r.Detail}"),
            report?.Matched ?? 0, report?.FillsRecovered ?? 0, report?.Adopted ?? 0, report?.MissingAtVenue.Count ?? 0);
    }

    private static decimal Trim(decimal value) => SymbolRules.WithoutTrailingZeros(value);

    private static decimal Scaled(long raw, int decimals)
    {
        ulong magnitude = raw < 0 ? (ulong)-raw : (ulong)raw;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, raw < 0, (byte)Math.Clamp(decimals, 0, 28));
    }

    private static string? Family(LiveVenueOptions v) => v.Kind switch
    {
        LiveVenueKind.BinanceSpot => "binance",
        LiveVenueKind.Okx => "okx",
        LiveVenueKind.Kraken or LiveVenueKind.KrakenV2 => "kraken",
        LiveVenueKind.Coinbase => "coinbase",
        LiveVenueKind.Bybit when v.Name == "bybit" => "bybit", // bybit-linear is a perpetual: spot order entry only
        _ => null,
    };

    private static Uri DefaultOrderUrl(string family) => family switch
    {
        "binance" => new Uri("https://api.binance.com"),
        "okx" => new Uri("https://www.okx.com"),
        "kraken" => new Uri("https://api.kraken.com"),
        "coinbase" => new Uri("https://api.coinbase.com"),
        _ => new Uri("https://api.bybit.com"),
    };

    private static long UnixNowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
