using System.Globalization;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;

namespace LowLatency.Adapters.Cex.Execution;

/// <summary>How a pair is worked: how long its legs may rest, how often they are read back, how far an unwind may cross, and the leg policy.</summary>
public sealed record PairExecutionOptions
{
    /// <summary>How long a leg may work before it is cancelled (and an unwind may work before it is given up).</summary>
    public TimeSpan LegWindow { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Pause between status reads of a working leg.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>An unwind is a limit this far (a fraction) through the pair's own price, so it takes liquidity without an open-ended market order.</summary>
    public double UnwindSlippage { get; init; } = 0.005;

    public LegPolicy Policy { get; init; } = LegPolicy.Unwind;

    /// <summary>
    /// The fraction of a balance left unused when a pair is sized to it: fees charged in another asset and the rounding
    /// of our local book-keeping between reconciliations must not turn a pair into an insufficient-balance refusal.
    /// </summary>
    public decimal BalanceHeadroom { get; init; } = 0.002m;

    /// <summary>
    /// How far through its reference price the n-th retry of an unhedged residual may trade: <see cref="UnwindSlippage"/>
    /// × 2^n, up to this (the market has moved since, or the first unwind would have filled).
    /// </summary>
    public double MaxUnwindSlippage { get; init; } = 0.05;
}

/// <summary>A residual a failed unwind left on a venue: retried by <see cref="PairExecutor.RetryResidualsAsync"/> until flat.</summary>
public sealed class OpenResidual
{
    internal OpenResidual(PairRequest request, ExecutionVenue venue, string symbol, bool sellBack, decimal quantity, decimal reference)
    {
        Request = request;
        Venue = venue;
        Symbol = symbol;
        SellBack = sellBack;
        Quantity = quantity;
        Reference = reference;
    }

    public PairRequest Request { get; }

    public ExecutionVenue Venue { get; }

    public string Symbol { get; }

    /// <summary>True when the residual is long on <see cref="Venue"/> (sold back), false when short (bought back).</summary>
    public bool SellBack { get; }

    /// <summary>What is left to trade out, in the base asset.</summary>
    public decimal Quantity { get; internal set; }

    /// <summary>The pair's price on the residual's side, the retries' limits are taken through.</summary>
    public decimal Reference { get; }

    /// <summary>Retries sent so far.</summary>
    public int Attempts { get; internal set; }

    /// <summary>Below the venue's least order: no retry can trade it out, so none is sent; it stays in the exposure.</summary>
    public bool Untradeable { get; internal set; }

    /// <summary>Marked at the pair's buy price, as the pair's P&amp;L and the unhedged exposure value it.</summary>
    public decimal Mark => Request.BuyPrice;
}

/// <summary>One retry of an open residual: what it traded, the P&amp;L it realised against the mark, what is left.</summary>
public sealed record ResidualResult(OpenResidual Residual, string ClientOrderId, int Attempt, decimal Price, double Filled, double Left, double Cash, double FeesUsd,
    double PnlUsd, IReadOnlyList<string> Failures)
{
    public bool Flat => Left == 0;
}

/// <summary>One venue the executor trades on: its session (client + order state), its id in the engine, its taker fee.</summary>
public sealed class ExecutionVenue(VenueId id, string name, ExecutionSession session, double takerFee)
{
    public VenueId Id { get; } = id;

    public string Name { get; } = name;

    public ExecutionSession Session { get; } = session ?? throw new ArgumentNullException(nameof(session));

    public double TakerFee { get; } = takerFee;

    /// <summary>
    /// Set at start-up and whenever a call's outcome was lost (timeout, dropped connection, 5xx): the venue is reconciled
    /// before it is sent anything else, so a lost order or fill is known before the next pair is sized.
    /// </summary>
    public bool NeedsReconcile { get; internal set; } = true;

    /// <summary>The last reconciliation's report (null before the first that succeeded).</summary>
    public ReconcileReport? LastReconcile { get; internal set; }

    public int ReconcileFailures { get; internal set; }

    /// <summary>
    /// Each symbol's order rules as the venue last gave them (<see cref="IExecutionClient.RulesAsync"/>): read before
    /// the symbol's first pair, and again after a reconciliation or a filter refusal (venues change ticks and steps).
    /// </summary>
    internal Dictionary<string, SymbolRules> Rules { get; } = new(StringComparer.Ordinal);

    /// <summary>The rules this venue last gave for <paramref name="symbol"/>, if they are known.</summary>
    public SymbolRules? RulesOf(string symbol) => Rules.GetValueOrDefault(symbol);

    /// <summary>
    /// Each asset's balance as the last reconciliation read it, moved by every fill of ours since (fees taken from the
    /// quote asset): what the next pair is sized to. Read again, whole, after each reconciliation (ours or the private
    /// stream's on a reconnect).
    /// </summary>
    internal Dictionary<string, decimal> Funds { get; } = new(StringComparer.Ordinal);

    // The session's balances Funds were last loaded from: a newer read (any reconciliation, the private stream's
    // included) replaces our book-keeping before the next pair is sized.
    private IReadOnlyDictionary<string, decimal>? _fundsSource;

    internal void LoadFundsIfNewer()
    {
        IReadOnlyDictionary<string, decimal>? read = Session.Balances;
        if (read is null || ReferenceEquals(read, _fundsSource))
        {
            return;
        }

        _fundsSource = read;
        Funds.Clear();
        foreach ((string asset, decimal amount) in read)
        {
            Funds[asset] = amount;
        }
    }

    /// <summary>What the executor holds this venue to have of <paramref name="asset"/> (0 when the venue reported none).</summary>
    public decimal FundsOf(string asset) => Funds.GetValueOrDefault(asset);

    internal void Move(string asset, decimal amount)
    {
        if (asset.Length > 0 && amount != 0)
        {
            Funds[asset] = Funds.GetValueOrDefault(asset) + amount;
        }
    }
}

/// <summary>One approved CEX-CEX pair: buy on one venue, sell on another, the same quantity, limit prices at the opportunity's tops.</summary>
public sealed record PairRequest(long Pair, InstrumentId Instrument, VenueId BuyVenue, string BuySymbol, VenueId SellVenue, string SellSymbol,
    decimal Quantity, decimal BuyPrice, decimal SellPrice);

/// <summary>How a pair ended.</summary>
public enum PairOutcome : byte
{
    /// <summary>Nothing was sent (a venue without a client, or one that could not be reconciled).</summary>
    NotSent,
    Hedged,

    /// <summary>Both legs ended with nothing filled.</summary>
    NothingFilled,

    /// <summary>The residual is kept within the unhedged limits (<c>legPolicy: hold</c>).</summary>
    Held,

    /// <summary>The residual was traded out on the venue that over-filled.</summary>
    Unwound,

    /// <summary>The unwind did not flatten the residual: it stays open, counted in the unhedged exposure.</summary>
    Unhedged,
}

/// <summary>
/// A pair's end: what each leg filled, the residual left, the quote cash flows (fees included), the P&amp;L with any
/// residual marked at the pair's buy price, and the reasons of whatever failed (venue messages, never keys).
/// </summary>
public sealed record PairResult(PairRequest Request, PairOutcome Outcome, double Bought, double Sold, double Unwound, double Residual,
    double CashUsd, double FeesUsd, double PnlUsd, IReadOnlyList<string> Failures)
{
    public string BuyClientOrderId { get; init; } = "";

    public string SellClientOrderId { get; init; } = "";

    /// <summary>What each order of the pair filled, in order: the buy, the sell, the unwind; an order that filled nothing is left out.</summary>
    public IReadOnlyList<LegFill> Fills { get; init; } = [];
}

/// <summary>One order's fills as a whole: its venue, side, quantity, quote notional (USD) and taker fee.</summary>
public sealed record LegFill(VenueId Venue, bool Buy, double Quantity, double NotionalUsd, double FeeUsd)
{
    /// <summary>The average fill price.</summary>
    public double Price => Quantity > 0 ? NotionalUsd / Quantity : 0;
}

/// <summary>
/// Works approved CEX-CEX pairs through each venue's <see cref="ExecutionSession"/> (DESIGN §5, §8): both legs at once
/// as limit orders at the opportunity's prices under client order ids derived from the pair (a retry is idempotent),
/// read back until done or the leg window passes (then cancelled, the cancel racing any fill, counted once), settled by
/// a <see cref="LegCoordinator"/>: hedged, the residual held within the unhedged limits, or unwound on the venue that
/// over-filled. A venue is reconciled before its first pair and after any call whose outcome was lost. Every order is
/// shaped to its venue's rules before it leaves (one quantity on both venues' lot steps, prices on the tick, never worse
/// than asked); a pair that does not fit them is not sent. Warm path: one pair at a time on the caller's task, never
/// the strategy thread.
/// </summary>
public sealed class PairExecutor
{
    private readonly Dictionary<int, ExecutionVenue> _venues = [];
    private readonly List<OpenResidual> _residuals = [];
    private readonly UnhedgedExposure _exposure;
    private readonly PairExecutionOptions _options;
    private readonly string _prefix;
    private readonly TimeProvider _time;

    /// <param name="idPrefix">Start of every client order id: letters and digits only (OKX allows nothing else), unique per process start.</param>
    public PairExecutor(IEnumerable<ExecutionVenue> venues, UnhedgedExposure exposure, PairExecutionOptions options, string idPrefix, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(venues);
        ArgumentNullException.ThrowIfNull(exposure);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(idPrefix);
        foreach (char c in idPrefix)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                throw new ArgumentException("client order id prefix: letters and digits only", nameof(idPrefix));
            }
        }

        foreach (ExecutionVenue v in venues)
        {
            _venues.Add(v.Id.Value, v);
        }

        _exposure = exposure;
        _options = options;
        _prefix = idPrefix;
        _time = time ?? TimeProvider.System;
    }

    public UnhedgedExposure Exposure => _exposure;

    /// <summary>Residuals failed unwinds left open, oldest first (a held residual, by <see cref="LegPolicy.HoldWithinLimits"/>, is not one).</summary>
    public IReadOnlyList<OpenResidual> OpenResiduals => _residuals;

    public IEnumerable<ExecutionVenue> Venues => _venues.Values;

    public ExecutionVenue? Venue(VenueId id) => _venues.GetValueOrDefault(id.Value);

    /// <summary>The client order ids of a pair's legs and unwind: the same pair number gives the same ids.</summary>
    public string ClientOrderId(long pair, char leg) => _prefix + pair.ToString(CultureInfo.InvariantCulture) + leg;

    /// <summary>
    /// Start-up and after a lost outcome (DESIGN §10): the venue's open orders and balances through
    /// <see cref="ExecutionSession.ReconcileAsync"/>. The venue is usable again once this succeeds.
    /// </summary>
    public async Task<ExecResult<ReconcileReport>> ReconcileAsync(ExecutionVenue venue, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(venue);
        ExecResult<ReconcileReport> r = await venue.Session.ReconcileAsync(new Dictionary<string, double>(), 0, cancel).ConfigureAwait(false);
        if (r.Ok)
        {
            venue.NeedsReconcile = false;
            venue.LastReconcile = r.Value;
            venue.Rules.Clear(); // read again before the next pair: they may have changed while we were away
            venue.LoadFundsIfNewer();
        }
        else
        {
            venue.NeedsReconcile = true;
            venue.ReconcileFailures++;
        }

        return r;
    }

    /// <summary>
    /// Reads <paramref name="symbol"/>'s order rules on <paramref name="venue"/> ahead of its first pair (start-up), so
    /// that pair does not wait on the instrument endpoint. A failure is returned and the pair reads them again.
    /// </summary>
    public async Task<ExecResult<SymbolRules>> ReadRulesAsync(ExecutionVenue venue, string symbol, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(venue);
        ArgumentNullException.ThrowIfNull(symbol);
        ExecResult<SymbolRules> read = await venue.Session.RulesAsync(symbol, cancel).ConfigureAwait(false);
        if (read.Ok)
        {
            venue.Rules[symbol] = read.Value!;
        }

        return read;
    }

    /// <summary>Works one pair to its end. Every venue refusal, loss and timeout ends in the result, never an exception.</summary>
    public async Task<PairResult> ExecuteAsync(PairRequest request, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(request);
        var failures = new List<string>();
        ExecutionVenue? buyVenue = Venue(request.BuyVenue);
        ExecutionVenue? sellVenue = Venue(request.SellVenue);
        if (buyVenue is null || sellVenue is null || buyVenue == sellVenue)
        {
            failures.Add(buyVenue is null || sellVenue is null ? "no execution client for one of the venues" : "both legs on one venue");
            return NotSent(request, failures);
        }

        if (!(request.Quantity > 0 && request.BuyPrice > 0 && request.SellPrice > 0))
        {
            failures.Add("quantity and prices must be positive");
            return NotSent(request, failures);
        }

        if (!await ReconciledAsync(buyVenue, failures, cancel).ConfigureAwait(false) || !await ReconciledAsync(sellVenue, failures, cancel).ConfigureAwait(false))
        {
            return NotSent(request, failures);
        }

        SymbolRules? buyRules = await RulesAsync(buyVenue, request.BuySymbol, failures, cancel).ConfigureAwait(false);
        SymbolRules? sellRules = buyRules is null ? null : await RulesAsync(sellVenue, request.SellSymbol, failures, cancel).ConfigureAwait(false);
        if (buyRules is null || sellRules is null)
        {
            return NotSent(request, failures);
        }

        var legs = new[]
        {
            new Leg(buyVenue, ClientOrderId(request.Pair, 'b')),
            new Leg(sellVenue, ClientOrderId(request.Pair, 's')),
        };

        // No more than the sell venue holds of the base and the buy venue's quote pays for, fee included.
        buyVenue.LoadFundsIfNewer();
        sellVenue.LoadFundsIfNewer();
        decimal affordable = Affordable(request, buyVenue, buyRules, sellVenue, sellRules, out string? limitedBy);

        // One quantity for both legs, on both venues' lot steps: a hedge of another size is not a hedge.
        decimal pairQuantity = sellRules.FloorQuantity(buyRules.FloorQuantity(affordable));
        if (buyRules.FloorQuantity(pairQuantity) != pairQuantity)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"the lot steps {buyRules.StepSize} ({buyVenue.Name}) and {sellRules.StepSize} ({sellVenue.Name}) have no common multiple near {request.Quantity}"));
            return NotSent(request, failures);
        }

        ExecResult<OrderRequest> buyOrder = buyRules.Shape(new OrderRequest(legs[0].Id, request.BuySymbol, true, pairQuantity, request.BuyPrice));
        ExecResult<OrderRequest> sellOrder = sellRules.Shape(new OrderRequest(legs[1].Id, request.SellSymbol, false, pairQuantity, request.SellPrice));
        if (!buyOrder.Ok || !sellOrder.Ok)
        {
            failures.Add((limitedBy is null ? "" : limitedBy + "; ") +
                (!buyOrder.Ok ? $"{buyVenue.Name} buy: {buyOrder.Error} {buyOrder.Detail}" : $"{sellVenue.Name} sell: {sellOrder.Error} {sellOrder.Detail}"));
            return NotSent(request, failures);
        }

        var coordinator = new LegCoordinator(_options.Policy, _exposure);
        coordinator.Start(request.Instrument, request.BuyVenue, request.SellVenue, (double)pairQuantity, (double)request.BuyPrice);

        // Both legs leave together: the edge is only there while both tops are.
        Task<ExecResult<TrackedOrder>> buy = buyVenue.Session.PlaceAsync(buyOrder.Value!, cancel);
        Task<ExecResult<TrackedOrder>> sell = sellVenue.Session.PlaceAsync(sellOrder.Value!, cancel);
        ExecResult<TrackedOrder>[] placed = await Task.WhenAll(buy, sell).ConfigureAwait(false);
        PairInstruction step = default;
        for (int k = 0; k < 2; k++)
        {
            if (placed[k].Ok)
            {
                continue;
            }

            failures.Add($"{legs[k].Venue.Name} {(k == 0 ? "buy" : "sell")}: {placed[k].Error} {placed[k].Detail}");
            ForgetRulesOnFilterRefusal(legs[k].Venue, placed[k].Error);
            if (placed[k].OutcomeUnknown)
            {
                legs[k].Venue.NeedsReconcile = true; // it may be working: read back below, reconciled before the next pair
            }
            else if (legs[k].Venue.Session.Read(legs[k].Id) is not { State: OrderState.Open or OrderState.PartiallyFilled or OrderState.Filled })
            {
                legs[k].Ended = true;
                step = coordinator.OnFailed(k);
            }
        }

        step = await WorkAsync(coordinator, legs, step, failures, cancel).ConfigureAwait(false);
        double bought = legs[0].Fed;
        double sold = legs[1].Fed;
        double cash = legs[1].Notional - legs[0].Notional;
        double fees = (legs[0].Notional * buyVenue.TakerFee) + (legs[1].Notional * sellVenue.TakerFee);
        double net = bought - sold;
        double unwound = 0;
        (ExecutionVenue Venue, SymbolRules Rules, Leg Leg, bool Buy)? unwoundLeg = null;
        PairOutcome outcome = step.Step switch
        {
            PairStep.Hedged => PairOutcome.Hedged,
            PairStep.Held => PairOutcome.Held,
            PairStep.Unwind => PairOutcome.Unwound,
            _ => PairOutcome.NothingFilled,
        };
        if (step.Step == PairStep.Unwind)
        {
            ExecutionVenue venue = Venue(step.Venue)!;
            bool sellBack = step.Side == Side.Ask;
            decimal quantity = decimal.Round((decimal)Math.Abs(net), 8, MidpointRounding.ToZero); // fills' own steps, not the request's
            decimal reference = sellBack ? request.BuyPrice : request.SellPrice;
            decimal price = RoundLike((double)reference * (sellBack ? 1 - _options.UnwindSlippage : 1 + _options.UnwindSlippage), reference);
            var unwind = new Leg(venue, ClientOrderId(request.Pair, 'u'));
            string symbol = sellBack ? request.BuySymbol : request.SellSymbol;
            ExecResult<OrderRequest> shaped = (sellBack ? buyRules : sellRules).Shape(new OrderRequest(unwind.Id, symbol, !sellBack, quantity, price));
            if (quantity > 0 && !shaped.Ok)
            {
                // A residual below the venue's least order cannot be traded out: it stays, counted as unhedged below.
                failures.Add($"{venue.Name} unwind: {shaped.Error} {shaped.Detail}");
            }
            else if (quantity > 0)
            {
                await PlaceAndWorkAsync(unwind, shaped.Value!, "unwind", failures, cancel).ConfigureAwait(false);
            }

            unwound = unwind.Fed;
            unwoundLeg = (venue, sellBack ? buyRules : sellRules, unwind, !sellBack);
            cash += sellBack ? unwind.Notional : -unwind.Notional;
            fees += unwind.Notional * venue.TakerFee;
            net += sellBack ? -unwound : unwound;
            if (Math.Abs(net) > (double)request.Quantity * 1e-9)
            {
                outcome = PairOutcome.Unhedged;
                _exposure.Add(request.Instrument, venue.Id, Math.Abs(net) * (double)request.BuyPrice);
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{venue.Name}: {Math.Abs(net)} left unhedged after the unwind"));
                _residuals.Add(new OpenResidual(request, venue, symbol, sellBack, decimal.Round((decimal)Math.Abs(net), 8, MidpointRounding.ToZero), reference));
            }
        }

        // The venues' balances as our fills moved them, until the next reconciliation reads them again.
        Settle(buyVenue, buyRules, legs[0], buy: true);
        Settle(sellVenue, sellRules, legs[1], buy: false);
        if (unwoundLeg is not null)
        {
            Settle(unwoundLeg.Value.Venue, unwoundLeg.Value.Rules, unwoundLeg.Value.Leg, unwoundLeg.Value.Buy);
        }

        double pnl = cash - fees + (net * (double)request.BuyPrice);
        var fills = new List<LegFill>(3);
        AddFill(fills, legs[0], buy: true);
        AddFill(fills, legs[1], buy: false);
        if (unwoundLeg is { } u)
        {
            AddFill(fills, u.Leg, u.Buy);
        }

        return new PairResult(request, outcome, bought, sold, unwound, net, cash, fees, pnl, failures)
        {
            BuyClientOrderId = legs[0].Id,
            SellClientOrderId = legs[1].Id,
            Fills = fills,
        };
    }

    /// <summary>
    /// Tries once more to trade out every open residual: a limit <see cref="PairExecutionOptions.UnwindSlippage"/> × 2^n
    /// through its reference (capped at <see cref="PairExecutionOptions.MaxUnwindSlippage"/>), shaped to the venue's
    /// rules, worked for one leg window. What it fills is realised against the mark the pair was reported at (so the
    /// P&amp;L reaches the gate once) and leaves the unhedged exposure; a residual traded flat is closed. The caller runs
    /// it between pairs, on the execution task. Every failure is in the result, never an exception.
    /// </summary>
    public async Task<IReadOnlyList<ResidualResult>> RetryResidualsAsync(CancellationToken cancel)
    {
        var results = new List<ResidualResult>(_residuals.Count);
        for (int k = 0; k < _residuals.Count && !cancel.IsCancellationRequested; k++)
        {
            OpenResidual r = _residuals[k];
            if (r.Untradeable)
            {
                continue;
            }

            ResidualResult result = await RetryAsync(r, cancel).ConfigureAwait(false);
            results.Add(result);
            if (result.Flat)
            {
                _residuals.RemoveAt(k--);
            }
        }

        return results;
    }

    private async Task<ResidualResult> RetryAsync(OpenResidual r, CancellationToken cancel)
    {
        var failures = new List<string>();
        ExecutionVenue venue = r.Venue;
        int attempt = ++r.Attempts;
        string id = ClientOrderId(r.Request.Pair, 'r') + attempt.ToString(CultureInfo.InvariantCulture);
        double slippage = Math.Min(_options.UnwindSlippage * Math.Pow(2, attempt), _options.MaxUnwindSlippage);
        decimal price = RoundLike((double)r.Reference * (r.SellBack ? 1 - slippage : 1 + slippage), r.Reference);
        double left = (double)r.Quantity;
        SymbolRules? rules = await ReconciledAsync(venue, failures, cancel).ConfigureAwait(false)
            ? await RulesAsync(venue, r.Symbol, failures, cancel).ConfigureAwait(false)
            : null;
        if (rules is null)
        {
            return new ResidualResult(r, id, attempt, price, 0, left, 0, 0, 0, failures);
        }

        ExecResult<OrderRequest> shaped = rules.Shape(new OrderRequest(id, r.Symbol, !r.SellBack, r.Quantity, price));
        if (!shaped.Ok)
        {
            // Below the venue's least order it cannot be traded out by any retry: it stays in the exposure for the operator.
            r.Untradeable = shaped.Error == ExecError.MinNotional;
            failures.Add($"{venue.Name} retry: {shaped.Error} {shaped.Detail}");
            return new ResidualResult(r, id, attempt, price, 0, left, 0, 0, 0, failures);
        }

        var leg = new Leg(venue, id);
        await PlaceAndWorkAsync(leg, shaped.Value!, "retry", failures, cancel).ConfigureAwait(false);

        Settle(venue, rules, leg, buy: !r.SellBack);
        double filled = leg.Fed;
        double cash = r.SellBack ? leg.Notional : -leg.Notional;
        double fees = leg.Notional * venue.TakerFee;
        double mark = (double)r.Mark;

        // The pair reported the residual at the mark; what it fetches now differs by this much, reported once.
        double pnl = cash - fees + ((r.SellBack ? -filled : filled) * mark);
        double before = (double)r.Quantity;
        r.Quantity = Math.Max(0, r.Quantity - decimal.Round((decimal)filled, 8, MidpointRounding.ToZero));
        left = r.Quantity <= 0 || (double)r.Quantity <= (double)r.Request.Quantity * 1e-9 ? 0 : (double)r.Quantity;
        _exposure.Add(r.Request.Instrument, venue.Id, (left - before) * mark);
        return new ResidualResult(r, id, attempt, price, filled, left, cash, fees, pnl, failures);
    }

    // Reads the legs back until the coordinator is done or the window passes; a failed leg's partner is cancelled at
    // once, and at the window's end whatever still works is cancelled (its fills so far stand).
    private async Task<PairInstruction> WorkAsync(LegCoordinator coordinator, Leg[] legs, PairInstruction step, List<string> failures, CancellationToken cancel)
    {
        DateTimeOffset deadline = _time.GetUtcNow() + _options.LegWindow;
        while (true)
        {
            Feed(coordinator, legs, ref step);
            if (step.Step == PairStep.CancelOther && !legs[step.Leg].CancelAsked)
            {
                await CancelAsync(legs[step.Leg], failures, cancel).ConfigureAwait(false);
                continue;
            }

            if (step.Step is not (PairStep.Wait or PairStep.CancelOther) || _time.GetUtcNow() >= deadline || cancel.IsCancellationRequested)
            {
                break;
            }

            if (!await PauseAsync(cancel).ConfigureAwait(false))
            {
                break;
            }

            foreach (Leg leg in legs)
            {
                if (!leg.Ended)
                {
                    await RefreshAsync(leg, failures, cancel).ConfigureAwait(false);
                }
            }
        }

        for (int k = 0; k < 2; k++)
        {
            if (!legs[k].Ended)
            {
                failures.Add($"{legs[k].Venue.Name} {(k == 0 ? "buy" : "sell")}: not done within {_options.LegWindow.TotalMilliseconds:0} ms, cancelled");
                if (!legs[k].CancelAsked)
                {
                    await CancelAsync(legs[k], failures, CancellationToken.None).ConfigureAwait(false);
                }

                // The cancel read the final state: a fill that beat it counts; whatever is still unsettled is given up on.
                Feed(coordinator, legs, ref step);
                if (!legs[k].Ended)
                {
                    legs[k].Ended = true;
                    step = coordinator.OnTimedOut(k);
                }
            }
        }

        return step;
    }

    // An unwind: read back until filled or the window passes, then cancelled.
    private async Task WorkOneAsync(Leg leg, List<string> failures, CancellationToken cancel)
    {
        DateTimeOffset deadline = _time.GetUtcNow() + _options.LegWindow;
        while (Observe(leg) && _time.GetUtcNow() < deadline && await PauseAsync(cancel).ConfigureAwait(false))
        {
            await RefreshAsync(leg, failures, cancel).ConfigureAwait(false);
        }

        if (Observe(leg))
        {
            await CancelAsync(leg, failures, CancellationToken.None).ConfigureAwait(false);
            Observe(leg);
        }
    }

    // Takes a leg's fills into Fed/Notional; true while it still works.
    private static bool Observe(Leg leg)
    {
        if (leg.Venue.Session.Read(leg.Id) is not { } view)
        {
            return false;
        }

        leg.Fed = view.Filled;
        leg.Notional = view.Notional;
        return view.State is not (OrderState.Filled or OrderState.Cancelled or OrderState.Rejected);
    }

    // Each leg's new fills (and its end) into the coordinator; the last instruction it gave is kept in step.
    private static void Feed(LegCoordinator coordinator, Leg[] legs, ref PairInstruction step)
    {
        for (int k = 0; k < legs.Length; k++)
        {
            Leg leg = legs[k];
            if (leg.Ended || leg.Venue.Session.Read(leg.Id) is not { } view)
            {
                continue;
            }

            double delta = view.Filled - leg.Fed;
            leg.Notional = view.Notional;
            if (delta > 0)
            {
                leg.Fed = view.Filled;
                step = coordinator.OnFill(k, delta, view.State == OrderState.Filled);
            }
            else if (view.State == OrderState.Filled)
            {
                // Fed in full already, but before the venue called it done: the smallest fill closes the leg (capped at its quantity).
                step = coordinator.OnFill(k, double.Epsilon, complete: true);
            }

            if (view.State == OrderState.Filled)
            {
                leg.Ended = true;
            }
            else if (view.State is OrderState.Cancelled or OrderState.Rejected)
            {
                leg.Ended = true;
                step = coordinator.OnFailed(k);
            }
        }
    }

    private async Task RefreshAsync(Leg leg, List<string> failures, CancellationToken cancel)
    {
        ExecResult<TrackedOrder> r = await leg.Venue.Session.RefreshAsync(leg.Id, cancel).ConfigureAwait(false);
        if (r.OutcomeUnknown && !leg.Venue.NeedsReconcile)
        {
            leg.Venue.NeedsReconcile = true;
            failures.Add($"{leg.Venue.Name}: status of {leg.Id} not read ({r.Error})");
        }
    }

    private static async Task CancelAsync(Leg leg, List<string> failures, CancellationToken cancel)
    {
        leg.CancelAsked = true;
        ExecResult<TrackedOrder> r = await leg.Venue.Session.CancelAsync(leg.Id, cancel).ConfigureAwait(false);
        if (!r.Ok)
        {
            failures.Add($"{leg.Venue.Name}: cancel of {leg.Id}: {r.Error} {r.Detail}");
            leg.Venue.NeedsReconcile |= r.OutcomeUnknown;
        }
    }

    private async Task<bool> PauseAsync(CancellationToken cancel)
    {
        try
        {
            await Task.Delay(_options.PollInterval, _time, cancel).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // False (with the reason in failures) when the venue needed a reconciliation and it failed.
    private async Task<bool> ReconciledAsync(ExecutionVenue venue, List<string> failures, CancellationToken cancel)
    {
        if (!venue.NeedsReconcile)
        {
            return true;
        }

        ExecResult<ReconcileReport> r = await ReconcileAsync(venue, cancel).ConfigureAwait(false);
        if (!r.Ok)
        {
            failures.Add($"{venue.Name}: not reconciled ({r.Error}: {r.Detail})");
        }

        return r.Ok;
    }

    // The symbol's rules, read from the venue when not known; null (with the reason in failures) when they cannot be.
    private async Task<SymbolRules?> RulesAsync(ExecutionVenue venue, string symbol, List<string> failures, CancellationToken cancel)
    {
        if (venue.Rules.TryGetValue(symbol, out SymbolRules? known))
        {
            return known;
        }

        ExecResult<SymbolRules> read = await ReadRulesAsync(venue, symbol, cancel).ConfigureAwait(false);
        if (!read.Ok)
        {
            failures.Add($"{venue.Name}: the order rules of {symbol} could not be read ({read.Error}: {read.Detail})");
        }

        return read.Value;
    }

    // Sends one order outside the pair (an unwind, a residual's retry) and works it for one window; a refusal is in
    // failures, a lost outcome marks the venue for reconciliation and is still worked (it may be on the book).
    private async Task PlaceAndWorkAsync(Leg leg, OrderRequest order, string what, List<string> failures, CancellationToken cancel)
    {
        ExecutionVenue venue = leg.Venue;
        ExecResult<TrackedOrder> sent = await venue.Session.PlaceAsync(order, cancel).ConfigureAwait(false);
        if (!sent.Ok)
        {
            failures.Add($"{venue.Name} {what}: {sent.Error} {sent.Detail}");
            venue.NeedsReconcile |= sent.OutcomeUnknown;
            ForgetRulesOnFilterRefusal(venue, sent.Error);
        }

        if (sent.Ok || sent.OutcomeUnknown)
        {
            await WorkOneAsync(leg, failures, cancel).ConfigureAwait(false);
        }
    }

    // The pair's quantity capped by the balances: the sell venue's base and the buy venue's quote at the buy limit plus
    // its taker fee, each less the headroom. A venue that does not name its assets is not capped (limitedBy stays null).
    private decimal Affordable(PairRequest request, ExecutionVenue buyVenue, SymbolRules buyRules, ExecutionVenue sellVenue, SymbolRules sellRules, out string? limitedBy)
    {
        limitedBy = null;
        decimal keep = 1 - _options.BalanceHeadroom;
        decimal quantity = request.Quantity;
        if (sellRules.BaseAsset.Length > 0)
        {
            decimal held = sellVenue.FundsOf(sellRules.BaseAsset);
            decimal sellable = Math.Max(0, held * keep);
            if (sellable < quantity)
            {
                quantity = sellable;
                limitedBy = Text($"{sellVenue.Name} holds {SymbolRules.WithoutTrailingZeros(held)} {sellRules.BaseAsset} to sell ({request.Quantity} asked)");
            }
        }

        if (buyRules.QuoteAsset.Length > 0)
        {
            decimal held = buyVenue.FundsOf(buyRules.QuoteAsset);
            decimal buyable = Math.Max(0, held * keep / (request.BuyPrice * (1 + (decimal)buyVenue.TakerFee)));
            if (buyable < quantity)
            {
                quantity = buyable;
                limitedBy = Text($"{buyVenue.Name} holds {SymbolRules.WithoutTrailingZeros(held)} {buyRules.QuoteAsset} to buy with ({request.Quantity} asked at {request.BuyPrice})");
            }
        }

        return quantity;
    }

    // A leg's fills into its venue's funds: the base in or out, the quote out or in with the taker fee charged to it.
    private static void Settle(ExecutionVenue venue, SymbolRules rules, Leg leg, bool buy)
    {
        decimal quantity = (decimal)leg.Fed;
        decimal notional = (decimal)leg.Notional;
        decimal fee = notional * (decimal)venue.TakerFee;
        venue.Move(rules.BaseAsset, buy ? quantity : -quantity);
        venue.Move(rules.QuoteAsset, buy ? -(notional + fee) : notional - fee);
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    // A venue that refused an order for its filters has other rules than we read: read them again before the next pair.
    private static void ForgetRulesOnFilterRefusal(ExecutionVenue venue, ExecError error)
    {
        if (error is ExecError.MinNotional or ExecError.PriceFilter)
        {
            venue.Rules.Clear();
        }
    }

    private static PairResult NotSent(PairRequest request, List<string> failures) =>
        new(request, PairOutcome.NotSent, 0, 0, 0, 0, 0, 0, 0, failures);

    // A price at the decimals its reference was written with (the venue's tick as the engine sent it).
    private static decimal RoundLike(double value, decimal reference)
    {
        int scale = (int)((decimal.GetBits(reference)[3] >> 16) & 0xFF);
        return decimal.Round((decimal)value, scale, MidpointRounding.ToZero);
    }

    private static void AddFill(List<LegFill> fills, Leg leg, bool buy)
    {
        if (leg.Fed > 0)
        {
            fills.Add(new LegFill(leg.Venue.Id, buy, leg.Fed, leg.Notional, leg.Notional * leg.Venue.TakerFee));
        }
    }

    private sealed class Leg(ExecutionVenue venue, string id)
    {
        public ExecutionVenue Venue { get; } = venue;

        public string Id { get; } = id;

        public double Fed { get; set; }

        public double Notional { get; set; }

        public bool Ended { get; set; }

        public bool CancelAsked { get; set; }
    }
}
