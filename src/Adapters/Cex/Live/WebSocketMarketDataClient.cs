using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;

namespace LowLatency.Adapters.Cex.Live;

/// <summary>Sees a whole received frame; the span is valid only during the call.</summary>
public delegate void FrameObserver(ReadOnlySpan<byte> frame);

/// <summary>
/// A venue's live market data over <see cref="ClientWebSocket"/>: frames are received into one pooled buffer and
/// parsed where they landed (a message longer than the buffer is assembled on a separate slow path, up to
/// <see cref="LiveVenueOptions.MaxFrameBytes"/>; a longer one is read to its end and dropped, counted), then published
/// into the market ring. A maintenance loop beside it watches staleness (no data, no pong, no heartbeat), sends the
/// venue's application pings, renews the connection before the venue's forced disconnect, and keeps the books
/// synchronised: a book whose <see cref="BookSet.NeedsSnapshot"/> is raised gets a REST snapshot within the venue's
/// weight budget (429/418 and <c>Retry-After</c> obeyed) or, on in-band venues, a resubscribe. Any fault drops the
/// connection; it is opened again after a jittered exponential back-off and resubscribed. Never throws out of
/// <see cref="RunAsync"/> on venue or network faults.
/// <para>
/// Threads: the receive loop and the snapshot task both publish, so the market ring must be multi-producer. Per frame
/// the synchronous part (receive completion → classify → parse → publish) allocates nothing.
/// </para>
/// </summary>
public sealed partial class WebSocketMarketDataClient : IMarketDataClient, IDisposable
{
    private const long UnixEpochTicks = 621_355_968_000_000_000;

    private readonly LiveVenueOptions _options;
    private VenueProtocol _protocol; // replaced by the renewal's at a handover
    private readonly BookSet _books;
    private readonly RingBuffer<TickEvent> _ring;
    private readonly Sequence _consumed;
    private readonly HttpMessageInvoker _http;
    private readonly bool _ownsHttp;
    private readonly Action<string>? _log;
    private readonly Backoff _backoff;
    private readonly TokenBucket _restBudget;
    private readonly BookMessage _scratch = new();
    private readonly BookMessage _snapshotScratch = new();
    private readonly int[] _bookIndex;        // per symbol: index in the book set
    private readonly bool[] _awaiting;        // per symbol: a snapshot was requested and has not synchronised the book yet
    private readonly long[] _requestedAt;     // per symbol: Stopwatch timestamp of the last request
    private readonly long[] _snapshotSeq;     // per symbol: ring sequence of the last snapshot published since the request, -1 none
    private readonly bool[] _loggedError = new bool[64];
    private byte[] _buffer;
    private ClientWebSocket? _socket;
    private volatile bool _subscribed;
    private long _lastReceive;
    private long _lastPing;
    private long _connectedAt;
    private int _state;
    private Task _snapshotTask = Task.CompletedTask;
    private int _started;

    /// <param name="options">Validated options (<see cref="LiveVenueOptions.Validate"/> must be empty).</param>
    /// <param name="books">The engine's books; this client's (venue, symbol) books must be in it.</param>
    /// <param name="ring">The market ring (multi-producer).</param>
    /// <param name="consumed">The strategy consumer's sequence: how far the books have applied what was published.</param>
    /// <param name="http">REST transport (tests pass one; default a <see cref="SocketsHttpHandler"/>).</param>
    /// <param name="log">One line per notable event (cold path; the host redacts before printing).</param>
    public WebSocketMarketDataClient(LiveVenueOptions options, BookSet books, RingBuffer<TickEvent> ring, Sequence consumed,
        HttpMessageInvoker? http = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(books);
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(consumed);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _protocol = VenueProtocol.Create(options);
        _books = books;
        _ring = ring;
        _consumed = consumed;
        _ownsHttp = http is null;
        _http = http ?? new HttpMessageInvoker(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), AutomaticDecompression = DecompressionMethods.All });
        _log = log;
        _backoff = new Backoff(options.BackoffInitial, options.BackoffMax, options.BackoffSeed);
        _restBudget = new TokenBucket(options.RestWeightCapacity, options.RestWeightPerSecond);
        int n = options.Symbols.Count;
        _bookIndex = new int[n];
        _awaiting = new bool[n];
        _requestedAt = new long[n];
        _snapshotSeq = new long[n];
        for (int i = 0; i < n; i++)
        {
            _bookIndex[i] = books.IndexOf(options.Venue, options.Symbols[i].Instrument.Id);
            if (_bookIndex[i] < 0)
            {
                throw new ArgumentException($"venues.{options.Name}: {options.Symbols[i].VenueSymbol} has no book in the book set", nameof(books));
            }
        }

        _buffer = ArrayPool<byte>.Shared.Rent(options.ReceiveBufferBytes);
        InitRenewal();
    }

    public string Name => _options.Name;

    public VenueId Venue => _options.Venue;

    public LiveConnectionState State => (LiveConnectionState)Volatile.Read(ref _state);

    /// <summary>
    /// A renewal's second connection is open and not every book has moved to it yet. A book that has moved may for a
    /// moment show the new connection's snapshot, older than what the old one had delivered, until its stream catches up.
    /// </summary>
    public bool Renewing => Volatile.Read(ref _renewing) != 0;

    public LiveClientCounters Counters { get; } = new();

    /// <summary>The stream parser's counters (per error).</summary>
    public ParseCounters ParserCounters => _protocol.ParserCounters;

    /// <summary>The options this client runs with.</summary>
    public LiveVenueOptions Options => _options;

    /// <summary>
    /// Called with each whole frame after it was handled (tests step a loopback server by marker frames; a recorder
    /// could tap here). Receive loop; must not block or allocate. Null by default.
    /// </summary>
    public FrameObserver? FrameHandled { get; set; }

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("RunAsync runs once per client");
        }

        Task maintenance = MaintenanceLoopAsync(cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                SetState(LiveConnectionState.Connecting);
                string reason = await ConnectAndReceiveAsync(cancellationToken).ConfigureAwait(false);
                while (Interlocked.Exchange(ref _handedOver, null) is { } renewed)
                {
                    FinishHandover(); // the old receive loop is over: nothing of it can be published any more
                    reason = await renewed.ConfigureAwait(false); // the connection lives on as the renewal's
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                LiveClientCounters.Add(ref Counters.ReconnectsField);
                if (!_protocol.RestSnapshots)
                {
                    MarkBooksLost();
                }

                TimeSpan wait = _backoff.Next();
                Log($"{Name}: connection lost ({reason}); reconnecting in {wait.TotalMilliseconds:F0} ms (attempt {_backoff.Failures})");
                try
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            SetState(LiveConnectionState.Stopped);
            await maintenance.ConfigureAwait(false);
            if (_renewal is { } renewal)
            {
                await renewal.ConfigureAwait(false);
            }

            try
            {
                await _snapshotTask.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // cancelled with the run
            }
        }
    }

    /// <summary>One connection's life: connect, subscribe, receive until a fault. Returns why it ended.</summary>
    private async Task<string> ConnectAndReceiveAsync(CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        // Protocol-level keep-alive: our PING must be answered by a PONG, or the socket aborts (a silent stall).
        socket.Options.KeepAliveInterval = _options.PingAfter;
        socket.Options.KeepAliveTimeout = _options.StaleAfter;
        try
        {
            await socket.ConnectAsync(_options.WsUrl, _http, cancellationToken).ConfigureAwait(false);
            LiveClientCounters.Add(ref Counters.ConnectsField);
            long now = Stopwatch.GetTimestamp();
            Volatile.Write(ref _lastReceive, now);
            Volatile.Write(ref _lastPing, now);
            Volatile.Write(ref _connectedAt, now);
            Volatile.Write(ref _socket, socket);
            var link = new Link(socket, _protocol, _buffer, _scratch) { ConnectedAt = now };
            _active = link;
            _protocol.OnConnected();
            Capture?.Opened(_options.WsUrl, UnixNowNs());
            foreach (byte[] message in _protocol.SubscribeMessages())
            {
                Capture?.Sent(_options.WsUrl, message, UnixNowNs());
                await socket.SendAsync(message, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            }

            if (!_protocol.RestSnapshots)
            {
                // In-band venues: the subscription itself brings every book's snapshot.
                for (int i = 0; i < _awaiting.Length; i++)
                {
                    MarkRequested(i, now);
                }
            }

            _subscribed = true;
            SetState(LiveConnectionState.Resync);
            return await ReceiveLoopAsync(socket, link, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return "stopped";
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            return socket.State == WebSocketState.Aborted && ex is OperationCanceledException or WebSocketException
                ? $"aborted: {OneLine(ex.Message)}"
                : OneLine(ex.Message);
        }
        finally
        {
            // Handed over, the socket is the renewal's: only the connection's own is cleared.
            if (Interlocked.CompareExchange(ref _socket, null, socket) == socket)
            {
                _subscribed = false;
            }
        }
    }

    private async Task<string> ReceiveLoopAsync(ClientWebSocket socket, Link link, CancellationToken cancellationToken)
    {
        byte[] buffer = link.Buffer;
        while (true)
        {
            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return $"closed by the venue ({socket.CloseStatus}: {OneLine(socket.CloseStatusDescription ?? "")})";
            }

            int filled = result.Count;
            while (!result.EndOfMessage)
            {
                if (filled == buffer.Length)
                {
                    // The message spans more than the receive buffer: the slow path assembles it.
                    if (!await ReceiveLargeAsync(socket, link, filled, cancellationToken).ConfigureAwait(false))
                    {
                        return "closed by the venue inside a message";
                    }

                    goto next;
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return "closed by the venue inside a message";
                }

                filled += result.Count;
            }

            OnFrame(link, buffer.AsSpan(0, filled));
        next:
            continue;
        }
    }

    /// <summary>
    /// The slow path: a message longer than the receive buffer is copied into a larger pooled buffer and received to its
    /// end; past <see cref="LiveVenueOptions.MaxFrameBytes"/> the rest is read and thrown away and the message counted as
    /// oversized (a Binance diff lost this way shows as a gap in the next one's ids). False when the venue closed.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<bool> ReceiveLargeAsync(ClientWebSocket socket, Link link, int filled, CancellationToken cancellationToken)
    {
        LiveClientCounters.Add(ref Counters.SlowPathField);
        byte[] large = ArrayPool<byte>.Shared.Rent(Math.Min(_options.MaxFrameBytes, filled * 4));
        try
        {
            link.Buffer.AsSpan(0, filled).CopyTo(large);
            bool oversized = false;
            long total = filled;
            while (true)
            {
                if (!oversized && filled == large.Length)
                {
                    if (large.Length >= _options.MaxFrameBytes)
                    {
                        oversized = true;
                    }
                    else
                    {
                        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_options.MaxFrameBytes, large.Length * 2));
                        large.AsSpan(0, filled).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(large);
                        large = bigger;
                    }
                }

                Memory<byte> into = oversized ? link.Buffer.AsMemory() : large.AsMemory(filled);
                ValueWebSocketReceiveResult result = await socket.ReceiveAsync(into, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return false;
                }

                total += result.Count;
                if (!oversized)
                {
                    filled += result.Count;
                }

                if (result.EndOfMessage)
                {
                    break;
                }
            }

            if (oversized)
            {
                LiveClientCounters.Add(ref Counters.FramesField);
                LiveClientCounters.Add(ref Counters.BytesField, total);
                LiveClientCounters.Add(ref Counters.OversizedField);
                Volatile.Write(ref _lastReceive, Stopwatch.GetTimestamp());
                Log($"{Name}: dropped a {total:N0}-byte message: longer than maxFrameBytes ({_options.MaxFrameBytes:N0})");
            }
            else
            {
                OnFrame(link, large.AsSpan(0, filled));
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(large);
        }
    }

    /// <summary>
    /// When set, every frame's handling (receive completion → classify → parse → publish) is measured with
    /// <see cref="GC.GetAllocatedBytesForCurrentThread"/> into <see cref="FramePathAllocatedBytes"/> (the zero-allocation
    /// test). Off by default; costs two counter reads per frame.
    /// </summary>
    public bool MeasureAllocations { get; set; }

    /// <summary>Where to record what the connection sees (the <c>record</c> verb); null by default. Set before <see cref="RunAsync"/>.</summary>
    public ICaptureSink? Capture { get; set; }

    /// <summary>Bytes allocated on the frame path while <see cref="MeasureAllocations"/> was on.</summary>
    public long FramePathAllocatedBytes => Volatile.Read(ref _framePathAllocated);

    /// <summary>Frames measured while <see cref="MeasureAllocations"/> was on.</summary>
    public long FramesMeasured => Volatile.Read(ref _framesMeasured);

    private long _framePathAllocated;
    private long _framesMeasured;

    private void OnFrame(Link link, ReadOnlySpan<byte> frame)
    {
        if (!MeasureAllocations)
        {
            HandleFrame(link, frame);
            return;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        HandleFrame(link, frame);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Interlocked.Add(ref _framePathAllocated, allocated);
        Interlocked.Increment(ref _framesMeasured);
    }

    /// <summary>One whole frame: classify, parse, publish. Receive loop; allocation-free.</summary>
    private void HandleFrame(Link link, ReadOnlySpan<byte> frame)
    {
        if (link.Retired)
        {
            return; // handed over: the renewal's connection feeds every book now
        }

        long timestamp = Stopwatch.GetTimestamp();
        long receivedNs = UnixNowNs();
        Volatile.Write(ref _lastReceive, timestamp);
        LiveClientCounters.Add(ref Counters.FramesField);
        LiveClientCounters.Add(ref Counters.BytesField, frame.Length);
        Capture?.Received(frame, receivedNs);
        switch (link.Protocol.Classify(frame))
        {
            case FrameClass.Data:
                ParseResult result = link.Protocol.Parse(frame, receivedNs, timestamp, link.Scratch);
                if (result == ParseResult.Message)
                {
                    Publish(link, link.Scratch);
                    _backoff.Reset(); // data flows: the connection works
                }
                else if (result == ParseResult.Rejected)
                {
                    LiveClientCounters.Add(ref Counters.RejectedField);
                    LogRejectOnce();
                }
                else
                {
                    LiveClientCounters.Add(ref Counters.IgnoredField);
                }

                break;
            case FrameClass.Ack:
            case FrameClass.Pong:
                LiveClientCounters.Add(ref Counters.IgnoredField);
                break;
            case FrameClass.VenueError:
                LiveClientCounters.Add(ref Counters.VenueErrorsField);
                LogVenueMessage("error message", frame);
                break;
            case FrameClass.SubscriptionRejected:
                LiveClientCounters.Add(ref Counters.VenueErrorsField);
                LiveClientCounters.Add(ref Counters.RejectedSubscriptionsField);
                LogVenueMessage("refused the subscription", frame);
                // Nothing arrives on a refused subscription: drop the connection and subscribe again after back-off.
                link.Socket.Abort();
                break;
        }

        FrameHandled?.Invoke(frame);
    }

    /// <summary>Publishes a parsed message; a full ring is retried (market data is never dropped for room).</summary>
    private void PublishScratch(BookMessage message)
    {
        if (FramePublisher.SlotsNeeded(message) > _ring.BufferSize)
        {
            // Can never fit: the ring is configured too small for this venue's snapshots. Lost, so the book resyncs.
            LiveClientCounters.Add(ref Counters.OversizedField);
            LogCold($"{Name}: a message of {message.BidCount + message.AskCount} levels needs more slots than the ring has ({_ring.BufferSize}); dropped");
            return;
        }

        while (!ReplaySession.Publish(message, _ring))
        {
            LiveClientCounters.Add(ref Counters.BackPressureField);
            Thread.Yield();
        }

        LiveClientCounters.Add(ref Counters.PublishedField);
        if (message.Kind is TickKind.Delta or TickKind.Snapshot && SymbolOf(message.Instrument) is >= 0 and int published)
        {
            Volatile.Write(ref _lastId[published], message.LastUpdateId); // where a renewal's stream must continue (Binance)
        }

        if (message.Kind == TickKind.Snapshot)
        {
            int symbol = SymbolIndexOf(message.Instrument);
            if (symbol >= 0)
            {
                // Published as the ring's newest: the consumer has applied it once its sequence reaches the cursor.
                Volatile.Write(ref _snapshotSeq[symbol], _ring.Cursor);
            }
        }
    }

    /// <summary>
    /// In-band venues: a lost connection lost frames, and nothing would tell the books before the new subscription's
    /// snapshots arrive. An empty update flagged <see cref="TickFlags.AfterLostMessage"/> per book takes each out of Live
    /// now (every in-band rule answers Gap); the snapshots heal them. Between connections only (the receive loop is over).
    /// </summary>
    private void MarkBooksLost()
    {
        for (int i = 0; i < _options.Symbols.Count; i++)
        {
            _scratch.Reset();
            _scratch.Kind = TickKind.Delta;
            _scratch.Venue = _options.Venue;
            _scratch.Instrument = _options.Symbols[i].Instrument.Id;
            _scratch.Flags = TickFlags.AfterLostMessage;
            PublishScratch(_scratch);
        }
    }

    private int SymbolIndexOf(InstrumentId instrument)
    {
        for (int i = 0; i < _options.Symbols.Count; i++)
        {
            if (_options.Symbols[i].Instrument.Id == instrument)
            {
                return i;
            }
        }

        return -1;
    }

    private async Task MaintenanceLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.MaintenanceInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await MaintainAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        ClientWebSocket? socket = Volatile.Read(ref _socket);
        if (socket is null || !_subscribed)
        {
            return;
        }

        long now = Stopwatch.GetTimestamp();
        TimeSpan silent = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastReceive), now);
        if (silent > _options.StaleAfter)
        {
            LiveClientCounters.Add(ref Counters.StaleHeartbeatsField);
            Log($"{Name}: nothing received for {silent.TotalMilliseconds:F0} ms (limit {_options.StaleAfter.TotalMilliseconds:F0} ms): dropping the connection");
            socket.Abort();
            return;
        }

        if (Stopwatch.GetElapsedTime(Volatile.Read(ref _connectedAt), now) > _options.ForcedReconnectAfter)
        {
            RenewIfDue(socket, now, cancellationToken);
            if (!_options.OverlappingRenewal)
            {
                return;
            }
        }

        try
        {
            if (_protocol.Ping is { } ping && (silent > _options.PingAfter || _protocol.PingWhileBusy) && Stopwatch.GetElapsedTime(Volatile.Read(ref _lastPing), now) > _options.PingAfter)
            {
                Volatile.Write(ref _lastPing, now);
                LiveClientCounters.Add(ref Counters.PingsSentField);
                await socket.SendAsync(ping, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            }

            bool allLive = true;
            for (int i = 0; i < _bookIndex.Length; i++)
            {
                if (!_books.NeedsSnapshot(_bookIndex[i]))
                {
                    _awaiting[i] = false;
                    continue;
                }

                allLive = false;
                if (_awaiting[i] && !RequestExpired(i, now))
                {
                    continue;
                }

                if (_protocol.RestSnapshots)
                {
                    if (_snapshotTask.IsCompleted)
                    {
                        _snapshotTask = FetchSnapshotsAsync(cancellationToken);
                    }
                }
                else
                {
                    MarkRequested(i, now);
                    LiveClientCounters.Add(ref Counters.ResubscribesField);
                    foreach (byte[] message in _protocol.ResubscribeMessages(i))
                    {
                        await socket.SendAsync(message, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            SetState(allLive ? LiveConnectionState.Live : LiveConnectionState.Resync);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The receive loop sees the same fault and reconnects.
        }
    }

    /// <summary>A request is over when its snapshot was applied and the book still needs one, or it timed out.</summary>
    private bool RequestExpired(int symbol, long now)
    {
        long seq = Volatile.Read(ref _snapshotSeq[symbol]);
        if (seq >= 0 && _consumed.Value >= seq)
        {
            // Applied (or ignored as stale). The caller read NeedsSnapshot before the consumer got here, so read it again
            // now: the consumer clears it before its sequence passes the snapshot, and a book that took the snapshot must
            // not be asked again (a spurious resubscribe).
            return _books.NeedsSnapshot(_bookIndex[symbol]);
        }

        return Stopwatch.GetElapsedTime(_requestedAt[symbol], now) > _options.SnapshotTimeout;
    }

    private void MarkRequested(int symbol, long now)
    {
        _awaiting[symbol] = true;
        _requestedAt[symbol] = now;
        Volatile.Write(ref _snapshotSeq[symbol], -1);
    }

    /// <summary>Fetches a REST snapshot for every book that needs one, one at a time, within the weight budget.</summary>
    private async Task FetchSnapshotsAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < _bookIndex.Length && !cancellationToken.IsCancellationRequested && _subscribed; i++)
        {
            long now = Stopwatch.GetTimestamp();
            if (!_books.NeedsSnapshot(_bookIndex[i]) || (_awaiting[i] && !RequestExpired(i, now)))
            {
                continue;
            }

            while (!_restBudget.TryTake(_options.SnapshotWeight, out TimeSpan wait))
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            MarkRequested(i, Stopwatch.GetTimestamp());
            await FetchSnapshotAsync(i, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FetchSnapshotAsync(int symbol, CancellationToken cancellationToken)
    {
        Uri url = _protocol.SnapshotUrl(symbol);
        LiveClientCounters.Add(ref Counters.SnapshotsRequestedField);
        byte[]? body = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.TooManyRequests or (HttpStatusCode)418)
            {
                TimeSpan retryAfter = RetryAfter(response.Headers.RetryAfter);
                _restBudget.Block(retryAfter);
                LiveClientCounters.Add(ref Counters.RateLimitedField);
                LiveClientCounters.Add(ref Counters.SnapshotFailuresField);
                _awaiting[symbol] = false; // asked again once the budget opens
                Log($"{Name}: REST {(int)response.StatusCode} on {url.AbsolutePath}: no request before {retryAfter.TotalSeconds:F1} s (Retry-After)");
                return;
            }

            if (!response.IsSuccessStatusCode)
            {
                Fail(symbol, $"REST {(int)response.StatusCode} on {url.AbsolutePath}");
                return;
            }

            long? length = response.Content.Headers.ContentLength;
            if (length > _options.MaxRestBodyBytes)
            {
                Fail(symbol, $"REST body of {length:N0} bytes is over maxRestBodyBytes");
                return;
            }

            using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            body = ArrayPool<byte>.Shared.Rent(64 * 1024);
            int filled = 0;
            while (true)
            {
                if (filled == body.Length)
                {
                    if (body.Length >= _options.MaxRestBodyBytes)
                    {
                        Fail(symbol, "REST body is over maxRestBodyBytes");
                        return;
                    }

                    byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_options.MaxRestBodyBytes, body.Length * 2));
                    body.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(body);
                    body = bigger;
                }

                int read = await stream.ReadAsync(body.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }

            long receivedNs = UnixNowNs();
            Capture?.Rest(url.OriginalString, body.AsSpan(0, filled), receivedNs);
            ParseResult result = _protocol.ParseSnapshot(symbol, body.AsSpan(0, filled), receivedNs, Stopwatch.GetTimestamp(), _snapshotScratch);
            if (result != ParseResult.Message)
            {
                Fail(symbol, $"REST snapshot of {_options.Symbols[symbol].VenueSymbol} not usable ({result})");
                return;
            }

            PublishScratch(_snapshotScratch);
            LiveClientCounters.Add(ref Counters.SnapshotsPublishedField);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Fail(symbol, $"REST snapshot failed: {OneLine(ex.Message)}");
        }
        finally
        {
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    private void Fail(int symbol, string message)
    {
        LiveClientCounters.Add(ref Counters.SnapshotFailuresField);
        Log($"{Name}: {message}; asking again after the snapshot timeout");
    }

    private static TimeSpan RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            TimeSpan until = date - DateTimeOffset.UtcNow;
            return until > TimeSpan.Zero ? until : TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds(60); // no header: Binance's own advice is to back off, a minute is its weight window
    }

    private void LogRejectOnce()
    {
        // One line per kind of rejection; the parser's counters hold the numbers.
        int kind = RejectKind();
        if ((uint)kind < (uint)_loggedError.Length && !_loggedError[kind])
        {
            _loggedError[kind] = true;
            LogCold($"{Name}: frames rejected ({(ParseError)kind}); counted, the book resyncs if it lost one (logged once per kind)");
        }
    }

    private int RejectKind()
    {
        ParseCounters c = _protocol.ParserCounters;
        for (int e = 1; e < _loggedError.Length && Enum.IsDefined((ParseError)e); e++)
        {
            if (!_loggedError[e] && c.Rejected((ParseError)e) > 0)
            {
                return e;
            }
        }

        return -1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void LogVenueMessage(string what, ReadOnlySpan<byte> frame)
    {
        int n = Math.Min(frame.Length, 200);
        Log($"{Name}: the venue {what}: {OneLine(System.Text.Encoding.UTF8.GetString(frame[..n]))}");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void LogCold(string line) => Log(line);

    private void Log(string line) => _log?.Invoke(line);

    private void SetState(LiveConnectionState state) => Volatile.Write(ref _state, (int)state);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static long UnixNowNs() => (DateTime.UtcNow.Ticks - UnixEpochTicks) * 100;

    public void Dispose()
    {
        byte[] buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
