namespace LowLatency.Adapters.Cex.Execution;

/// <summary>An order's state as one consistent read: where it stands, base filled, quote value of the fills.</summary>
public readonly record struct OrderView(OrderState State, double Filled, double Notional);

/// <summary>How hard a session tries when an answer is lost: attempts per order, and the pause between them.</summary>
public sealed record ExecutionRetryPolicy(int Attempts = 3, TimeSpan Backoff = default);

/// <summary>
/// One venue's execution: an <see cref="IExecutionClient"/> and the <see cref="OrderTracker"/> it feeds. Placing is
/// idempotent: a lost answer (timeout, dropped connection, 5xx) or a duplicate-id refusal is followed by a status query
/// for the same client order id, and the order is resent with that same id only when the venue says it does not have
/// it. A rate limit blocks sending until the venue's Retry-After has passed. Cancels race fills: the final state and
/// the fills come from the venue's status, counted once. <see cref="ReconcileAsync"/> is the one path for start-up and
/// every reconnect. Every outcome is a value. One caller at a time (the venue's execution thread).
/// </summary>
public sealed class ExecutionSession
{
    // The stream's reader and the caller's requests both update the tracker: each update holds this (warm path, never the strategy thread).
    private readonly object _gate = new();
    private readonly IExecutionClient _client;
    private readonly ExecutionRetryPolicy _policy;
    private readonly TimeProvider _time;
    private DateTimeOffset _blockedUntil;

    public ExecutionSession(IExecutionClient client, OrderTracker tracker, ExecutionRetryPolicy? policy = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(tracker);
        _client = client;
        Tracker = tracker;
        _policy = policy ?? new ExecutionRetryPolicy();
        _time = time ?? TimeProvider.System;
    }

    public OrderTracker Tracker { get; }

    public string Venue => _client.Venue;

    /// <summary>Requests sent again with the same client order id after the venue said it did not have the order.</summary>
    public int Resends { get; private set; }

    /// <summary>Status queries asked because an answer was lost or a cancel raced.</summary>
    public int StatusQueries { get; private set; }

    /// <summary>Each asset's total balance (free + locked) as the last successful <see cref="ReconcileAsync"/> read it; null before one.</summary>
    public IReadOnlyDictionary<string, decimal>? Balances { get; private set; }

    /// <summary>Until when the venue asked us not to send (its Retry-After).</summary>
    public DateTimeOffset BlockedUntil => _blockedUntil;

    /// <summary>Places a new limit order under a fresh client order id.</summary>
    public Task<ExecResult<TrackedOrder>> PlaceAsync(string symbol, bool buy, decimal quantity, decimal price, CancellationToken cancel) =>
        PlaceAsync(new OrderRequest(Tracker.NextClientOrderId(), symbol, buy, quantity, price), cancel);

    /// <summary>
    /// Places <paramref name="request"/>; calling it again with the same client order id is a retry, never a second
    /// order. The result is the tracked order, or the reason the venue refused it (the order is then rejected), or the
    /// reason its outcome is still unknown after every attempt (the order stays pending and reconciliation settles it).
    /// </summary>
    public async Task<ExecResult<TrackedOrder>> PlaceAsync(OrderRequest request, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(request);
        TimeSpan wait = _blockedUntil - _time.GetUtcNow();
        if (wait > TimeSpan.Zero && Tracker.Get(request.ClientOrderId) is null)
        {
            return ExecResult<TrackedOrder>.Fail(ExecError.RateLimited, $"{Venue}: rate limited, not sending", wait);
        }

        TrackedOrder order;
        lock (_gate)
        {
            order = Tracker.Submit(request.ClientOrderId, request.Symbol, request.Buy, (double)request.Quantity);
        }

        if (order.State == OrderState.Rejected)
        {
            return ExecResult<TrackedOrder>.Fail(ExecError.Rejected, $"{Venue}: {request.ClientOrderId} was refused ({order.RejectReason}); a new order needs a new id");
        }

        if (order.State != OrderState.PendingNew)
        {
            return ExecResult<TrackedOrder>.Success(order); // the venue already has it: nothing to send
        }

        ExecResult<VenueOrder> last = default;
        for (int attempt = 1; attempt <= Math.Max(1, _policy.Attempts); attempt++)
        {
            if (attempt > 1 && !await PauseAsync(cancel).ConfigureAwait(false))
            {
                break;
            }

            last = await _client.PlaceAsync(request, cancel).ConfigureAwait(false);
            if (last.Ok)
            {
                Apply(last.Value!);
                return ExecResult<TrackedOrder>.Success(order);
            }

            if (last.Error == ExecError.RateLimited)
            {
                Block(last.RetryAfter);
                Reject(request.ClientOrderId, "rate limited");
                return last.As<TrackedOrder>();
            }

            if (!last.OutcomeUnknown && last.Error != ExecError.DuplicateClientOrderId)
            {
                Reject(request.ClientOrderId, last.Error.ToString());
                return last.As<TrackedOrder>();
            }

            // The venue may have it: ask before sending again, under the same id.
            ExecResult<VenueOrder> status = await StatusAsync(request.Symbol, request.ClientOrderId, null, cancel).ConfigureAwait(false);
            if (status.Ok)
            {
                Apply(status.Value!);
                return ExecResult<TrackedOrder>.Success(order);
            }

            if (status.Error == ExecError.UnknownOrder && attempt < _policy.Attempts)
            {
                Resends++;
            }
        }

        return last.As<TrackedOrder>();
    }

    /// <summary>
    /// Cancels an order. A cancel the venue refuses as unknown lost the race to a fill (or to its own cancel); either way
    /// the order's final state and fills are read from the venue, so a racing fill counts once.
    /// </summary>
    public async Task<ExecResult<TrackedOrder>> CancelAsync(string clientOrderId, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        if (Tracker.Get(clientOrderId) is not { } order)
        {
            return ExecResult<TrackedOrder>.Fail(ExecError.UnknownOrder, $"{Venue}: not our order");
        }

        ReportOutcome asked;
        lock (_gate)
        {
            asked = Tracker.RequestCancel(clientOrderId);
        }

        if (asked != ReportOutcome.Applied)
        {
            return ExecResult<TrackedOrder>.Success(order); // already final
        }

        ExecResult<string> sent = await _client.CancelAsync(order.Instrument, clientOrderId, order.VenueOrderId, cancel).ConfigureAwait(false);
        if (sent.Error == ExecError.UnknownOrder)
        {
            Reject(clientOrderId, "cancel refused: unknown order"); // back to its fill state; the status below settles it
        }

        ExecResult<VenueOrder> status = await StatusAsync(order.Instrument, clientOrderId, order.VenueOrderId, cancel).ConfigureAwait(false);
        if (status.Ok)
        {
            Apply(status.Value!);
        }

        if (sent.Error == ExecError.RateLimited)
        {
            Block(sent.RetryAfter);
        }

        return sent.Ok || sent.Error == ExecError.UnknownOrder ? ExecResult<TrackedOrder>.Success(order) : sent.As<TrackedOrder>();
    }

    /// <summary>
    /// Start-up and every reconnect (DESIGN §10): the venue's open orders and balances against ours through
    /// <see cref="OrderTracker.Reconcile"/>, then a status query for each order we think working that the venue does not
    /// list (it filled or was cancelled while we did not hear; or, for an order whose placing was lost, it never arrived).
    /// </summary>
    public async Task<ExecResult<ReconcileReport>> ReconcileAsync(IReadOnlyDictionary<string, double> expectedBalances, double tolerance, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(expectedBalances);
        ExecResult<IReadOnlyList<VenueOrder>> open = await _client.OpenOrdersAsync(cancel).ConfigureAwait(false);
        if (!open.Ok)
        {
            return open.As<ReconcileReport>();
        }

        ExecResult<IReadOnlyDictionary<string, decimal>> balances = await _client.BalancesAsync(cancel).ConfigureAwait(false);
        if (!balances.Ok)
        {
            return balances.As<ReconcileReport>();
        }

        var venueOpen = new List<VenueOpenOrder>(open.Value!.Count);
        foreach (VenueOrder v in open.Value)
        {
            // An order placed outside this engine has no client id of ours: it is tracked by the venue's id.
            string clientId = v.ClientOrderId.Length > 0 ? v.ClientOrderId : v.VenueOrderId;
            venueOpen.Add(new VenueOpenOrder(clientId, v.VenueOrderId, v.Symbol, v.Buy, (double)v.Quantity, (double)v.CumulativeFilled, (double)v.AveragePrice));
        }

        var venueBalances = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach ((string asset, decimal amount) in balances.Value!)
        {
            venueBalances[asset] = (double)amount;
        }

        ReconcileReport report;
        lock (_gate)
        {
            report = Tracker.Reconcile(venueOpen, venueBalances, expectedBalances, tolerance);
        }

        Balances = balances.Value; // one reference swap: the executor reloads when it sees a new one (a stream's reconnect reconciles too)
        Reconciles++;
        foreach (string clientOrderId in report.MissingAtVenue)
        {
            TrackedOrder order = Tracker.Get(clientOrderId)!;
            ExecResult<VenueOrder> status = await StatusAsync(order.Instrument, clientOrderId, order.VenueOrderId, cancel).ConfigureAwait(false);
            if (status.Ok)
            {
                Apply(status.Value!);
            }
            else if (status.Error == ExecError.UnknownOrder && order.State == OrderState.PendingNew)
            {
                Reject(clientOrderId, "never reached the venue");
            }
        }

        return ExecResult<ReconcileReport>.Success(report);
    }

    /// <summary>
    /// Reads one order's state back from the venue and applies it (fills we missed counted once). Used by an executor
    /// that waits on a leg without a private stream; the result is the venue's error when it could not be read.
    /// </summary>
    public async Task<ExecResult<TrackedOrder>> RefreshAsync(string clientOrderId, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        if (Tracker.Get(clientOrderId) is not { } order)
        {
            return ExecResult<TrackedOrder>.Fail(ExecError.UnknownOrder, $"{Venue}: not our order");
        }

        ExecResult<VenueOrder> status = await StatusAsync(order.Instrument, clientOrderId, order.VenueOrderId, cancel).ConfigureAwait(false);
        if (status.Ok)
        {
            Apply(status.Value!);
            return ExecResult<TrackedOrder>.Success(order);
        }

        if (status.Error == ExecError.UnknownOrder && order.State == OrderState.PendingNew)
        {
            Reject(clientOrderId, "never reached the venue");
        }

        return status.As<TrackedOrder>();
    }

    /// <summary>The symbol's order rules from the venue's public instrument endpoint (a read: nothing to reconcile when it is lost).</summary>
    public Task<ExecResult<SymbolRules>> RulesAsync(string symbol, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return _client.RulesAsync(symbol, cancel);
    }

    /// <summary>One order's state, fill and filled value, read under the lock the stream's reader writes under; null when not ours.</summary>
    public OrderView? Read(string clientOrderId)
    {
        lock (_gate)
        {
            return Tracker.Get(clientOrderId) is { } o ? new OrderView(o.State, o.Filled, o.Notional) : null;
        }
    }

    /// <summary>Reconciliations done (start-up, reconnects, and any the owner asks for).</summary>
    public int Reconciles { get; private set; }

    /// <summary>A venue answer into the tracker: its fills by trade id first, then its cumulative state.</summary>
    public void Apply(VenueOrder venue)
    {
        ArgumentNullException.ThrowIfNull(venue);
        lock (_gate)
        {
            foreach (VenueFill fill in venue.Fills)
            {
                Tracker.OnFill(venue.ClientOrderId, venue.VenueOrderId, fill.TradeId, (double)fill.Quantity, (double)fill.Price);
            }

            Tracker.OnStatus(venue.ClientOrderId, venue.VenueOrderId, venue.Status, (double)venue.CumulativeFilled, (double)venue.AveragePrice);
        }
    }

    /// <summary>One private-stream report into the tracker; the outcome says what it did (a duplicate, an orphan, an ack after a cancel).</summary>
    public ReportOutcome OnStream(in StreamReport report)
    {
        lock (_gate)
        {
            return report.Kind switch
            {
                StreamReportKind.Ack => Tracker.OnAck(report.ClientOrderId, report.VenueOrderId),
                StreamReportKind.Fill => Tracker.OnFill(report.ClientOrderId.Length > 0 ? report.ClientOrderId : null, report.VenueOrderId, report.TradeId ?? "", (double)report.Quantity, (double)report.Price),
                StreamReportKind.Cancelled => Tracker.OnCancelled(report.ClientOrderId),
                StreamReportKind.Status => Tracker.OnStatus(report.ClientOrderId, report.VenueOrderId, report.Status, (double)report.Quantity, (double)report.Price),
                _ => Tracker.OnRejected(report.ClientOrderId, "rejected (stream)"),
            };
        }
    }

    private void Reject(string clientOrderId, string reason)
    {
        lock (_gate)
        {
            Tracker.OnRejected(clientOrderId, reason);
        }
    }

    private Task<ExecResult<VenueOrder>> StatusAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel)
    {
        StatusQueries++;
        return _client.StatusAsync(symbol, clientOrderId, venueOrderId, cancel);
    }

    private void Block(TimeSpan retryAfter)
    {
        DateTimeOffset until = _time.GetUtcNow() + (retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.FromSeconds(1));
        if (until > _blockedUntil)
        {
            _blockedUntil = until;
        }
    }

    private async Task<bool> PauseAsync(CancellationToken cancel)
    {
        if (_policy.Backoff <= TimeSpan.Zero)
        {
            return !cancel.IsCancellationRequested;
        }

        try
        {
            await Task.Delay(_policy.Backoff, _time, cancel).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
