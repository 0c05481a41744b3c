using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Live;

/// <summary>
/// The overlapping renewal (venues cut every connection at 24 hours: Binance documents it, the others drop long-lived
/// connections too). Before <see cref="LiveVenueOptions.ForcedReconnectAfter"/> runs out a second connection is opened
/// and subscribed beside the first, with its own protocol (parser state is per connection) and buffers. Each book moves
/// to it on its own at a point where the book stays continuous: on an in-band venue at the new connection's snapshot of
/// it (a full book replacing a live one), on Binance at the first diff of the new stream that continues the ids the old
/// one published (<c>U</c> = last <c>u</c> + 1, or futures <c>pu</c> = last <c>u</c>), or right after its copy of the
/// last diff the old one published (the same <c>u</c>: its next diff continues). Until then the old connection
/// feeds the book and the new one's messages of it are dropped; after, the other way round. When every book has moved
/// the old connection is closed: no book leaves Live, no gap. A book that cannot be bridged within
/// <see cref="LiveVenueOptions.RenewalTimeout"/> moves anyway and resyncs (counted, logged).
/// <para>
/// Two receive loops publish during the overlap, so each book's move is a per-book gate (compare-and-swap on an int:
/// old owns, busy, new owns) taken around each publish of that book. Outside a renewal a publish costs two plain stores
/// and a volatile read more (the renewal's start makes them a fence with a process-wide barrier, so the steady state pays
/// none); inside, two interlocked operations. Nothing allocates per frame.
/// </para>
/// </summary>
public sealed partial class WebSocketMarketDataClient
{
    private const int OldOwns = 0;
    private const int Busy = 1;
    private const int NewOwns = 2;

    private int[] _gate = [];             // per symbol, during a renewal: which connection publishes the book
    private long[] _lastId = [];          // per symbol: LastUpdateId of the last book message published
    private int[] _symbolOfInstrument = []; // instrument index → symbol index, -1 none
    private readonly BookMessage _lostScratch = new();
    private volatile bool _handover;      // a renewal is on: publishes go through the gates
    private int _renewing;                // 1 from the renewal's start until its handover completes or it is abandoned
    private int _moved;
    private long _renewalStarted;
    private long _nextRenewalAttempt;
    private Task<string>? _renewal;
    private Task<string>? _handedOver;
    private Link? _active;
    private Link? _standby;

    /// <summary>One connection's own state: its socket, protocol (per-connection parser state), buffer and scratch.</summary>
    private sealed class Link(ClientWebSocket socket, VenueProtocol protocol, byte[] buffer, BookMessage scratch)
    {
        public ClientWebSocket Socket { get; } = socket;

        public VenueProtocol Protocol { get; } = protocol;

        public byte[] Buffer { get; } = buffer;

        public BookMessage Scratch { get; } = scratch;

        /// <summary>A renewal's connection that does not own every book yet.</summary>
        public volatile bool Standby;

        /// <summary>Handed over: what it still receives is dropped, it is being closed.</summary>
        public volatile bool Retired;

        /// <summary>It took over every book (it may since have been handed over in turn).</summary>
        public volatile bool TookOver;

        public long ConnectedAt;

        /// <summary>1 while its receive loop publishes past the renewal flag (see <see cref="Publish"/>).</summary>
        public int InFastPath;
    }

    private void InitRenewal()
    {
        int n = _options.Symbols.Count;
        _gate = new int[n];
        _lastId = new long[n];
        int max = 0;
        foreach (LiveSymbol s in _options.Symbols)
        {
            max = Math.Max(max, s.Instrument.Id.Value);
        }

        _symbolOfInstrument = new int[max + 1];
        Array.Fill(_symbolOfInstrument, -1);
        for (int i = 0; i < n; i++)
        {
            _symbolOfInstrument[_options.Symbols[i].Instrument.Id.Value] = i;
        }
    }

    private int SymbolOf(InstrumentId instrument)
    {
        int index = instrument.Value;
        return (uint)index < (uint)_symbolOfInstrument.Length ? _symbolOfInstrument[index] : -1;
    }

    /// <summary>A parsed message of <paramref name="link"/>: published as always, or through the book's gate during a renewal.</summary>
    private void Publish(Link link, BookMessage message)
    {
        // Announce the fast path before reading the flag: a renewal that raises the flag waits for this to clear (after a
        // process-wide barrier), so no publish that missed the flag can land after a book has moved.
        Volatile.Write(ref link.InFastPath, 1);
        if (!_handover)
        {
            PublishScratch(message);
            Volatile.Write(ref link.InFastPath, 0);
            return;
        }

        Volatile.Write(ref link.InFastPath, 0);
        if (link.Retired)
        {
            LiveClientCounters.Add(ref Counters.HandoverDroppedField);
            return;
        }

        int s = SymbolOf(message.Instrument);
        if (s < 0)
        {
            PublishScratch(message); // no book of ours: the handler counts it unrouted
            return;
        }

        if (!link.Standby)
        {
            // The old connection: publishes while it owns the book (waiting out the new one deciding on a message of it).
            var wait = default(SpinWait);
            int seen;
            while ((seen = Interlocked.CompareExchange(ref _gate[s], Busy, OldOwns)) == Busy)
            {
                wait.SpinOnce();
            }

            if (seen == NewOwns)
            {
                LiveClientCounters.Add(ref Counters.HandoverDroppedField);
                return;
            }

            PublishScratch(message);
            Volatile.Write(ref _gate[s], OldOwns);
            return;
        }

        if (Volatile.Read(ref _gate[s]) == NewOwns)
        {
            PublishScratch(message);
            return;
        }

        // The new connection's message of a book the old one still feeds: wait out a publish in flight, then decide.
        var spin = default(SpinWait);
        while (Interlocked.CompareExchange(ref _gate[s], Busy, OldOwns) != OldOwns)
        {
            spin.SpinOnce();
        }

        Bridge bridge = BridgeOf(s, message);
        if (bridge == Bridge.None)
        {
            Volatile.Write(ref _gate[s], OldOwns);
            LiveClientCounters.Add(ref Counters.HandoverDroppedField);
            return;
        }

        if (bridge == Bridge.Continues)
        {
            PublishScratch(message);
        }
        else
        {
            LiveClientCounters.Add(ref Counters.HandoverDroppedField); // the old connection published it already
        }

        Volatile.Write(ref _gate[s], NewOwns);
        if (Interlocked.Increment(ref _moved) == _gate.Length)
        {
            CompleteHandover(link);
        }
    }

    /// <summary>How a message of the new connection can move its book there without a gap.</summary>
    private enum Bridge
    {
        /// <summary>It cannot: the book stays with the old connection.</summary>
        None,

        /// <summary>It continues what the old connection published (or is a whole book): published, the book moves.</summary>
        Continues,

        /// <summary>
        /// It is the very diff the old connection published last (its <c>u</c>): the new stream is in step, so its next
        /// diff continues the book. The book moves; the repeat is dropped. Without this a new connection whose copy of
        /// each diff is always handled after the old one's (a slower route) never bridges and the renewal falls back.
        /// </summary>
        Repeats,
    }

    /// <summary>Whether the book can move to the new connection at <paramref name="message"/> without a gap.</summary>
    private Bridge BridgeOf(int symbol, BookMessage message)
    {
        if (message.Kind == TickKind.Snapshot)
        {
            return Bridge.Continues; // a whole book (an in-band subscription's snapshot)
        }

        if (message.Kind != TickKind.Delta || !_protocol.RestSnapshots)
        {
            return Bridge.None; // in band: the book moves at its snapshot, which comes first on the new subscription
        }

        long last = Volatile.Read(ref _lastId[symbol]);
        if (last <= 0)
        {
            return Bridge.None;
        }

        if (message.FirstUpdateId == last + 1 || ((message.Flags & TickFlags.HasPrevUpdateId) != 0 && message.PrevUpdateId == last))
        {
            return Bridge.Continues;
        }

        return message.LastUpdateId == last ? Bridge.Repeats : Bridge.None;
    }

    /// <summary>
    /// Every book has moved (every gate says new owns, so the old connection can publish nothing more): the new
    /// connection becomes the connection, the old one is closed. The gates stay as they are until the old receive loop
    /// has ended (<see cref="FinishHandover"/>), so a publish in flight on either side still sees a consistent gate.
    /// </summary>
    private void CompleteHandover(Link link)
    {
        Link? old = _active;
        if (old is not null)
        {
            old.Retired = true;
        }

        link.TookOver = true;
        _protocol = link.Protocol;
        _active = link;
        Volatile.Write(ref _connectedAt, link.ConnectedAt);
        Volatile.Write(ref _socket, link.Socket);
        _standby = null;
        Volatile.Write(ref _handedOver, _renewal);
        Volatile.Write(ref _renewing, 0);
        LiveClientCounters.Add(ref Counters.RenewalsField);
        LogCold($"{Name}: connection renewed: every book moved to the new connection without a gap; closing the old one");
        old?.Socket.Abort();
    }

    /// <summary>The old connection's receive loop has ended after a handover: publishes go straight to the ring again.</summary>
    private void FinishHandover() => _handover = false;

    /// <summary>Maintenance: the connection is near the venue's limit. Starts a renewal (once), or gives up on a stuck one.</summary>
    private void RenewIfDue(ClientWebSocket socket, long now, CancellationToken cancellationToken)
    {
        if (!_options.OverlappingRenewal)
        {
            LogCold($"{Name}: renewing the connection before the venue's forced disconnect ({_options.ForcedReconnectAfter})");
            socket.Abort();
            return;
        }

        if (Volatile.Read(ref _renewing) != 0)
        {
            if (Stopwatch.GetElapsedTime(_renewalStarted, now) > _options.RenewalTimeout)
            {
                ForceHandover();
            }

            return;
        }

        if (_handover || now < Volatile.Read(ref _nextRenewalAttempt) || _active is null)
        {
            return; // the last handover's old connection is still closing, or the last renewal failed a moment ago
        }

        _renewalStarted = now;
        Volatile.Write(ref _renewing, 1);
        LogCold($"{Name}: renewing the connection before the venue's forced disconnect ({_options.ForcedReconnectAfter}): a second connection first");
        _renewal = RenewAsync(cancellationToken);
    }

    /// <summary>
    /// The renewal took too long (a book never bridged): the remaining books move anyway, each marked lost so it resyncs
    /// from the new connection (in band: its snapshot; Binance: REST). Maintenance thread.
    /// </summary>
    private void ForceHandover()
    {
        Link? link = _standby;
        if (link is null)
        {
            return;
        }

        LiveClientCounters.Add(ref Counters.RenewalFallbacksField);
        for (int s = 0; s < _gate.Length; s++)
        {
            var spin = default(SpinWait);
            int seen;
            while ((seen = Interlocked.CompareExchange(ref _gate[s], Busy, OldOwns)) != OldOwns && seen != NewOwns)
            {
                spin.SpinOnce();
            }

            if (seen == NewOwns)
            {
                continue;
            }

            LogCold($"{Name}: renewal: {_options.Symbols[s].VenueSymbol} could not be bridged within {_options.RenewalTimeout}; it moves and resyncs");
            PublishLost(s);
            Volatile.Write(ref _gate[s], NewOwns);
            if (Interlocked.Increment(ref _moved) == _gate.Length)
            {
                CompleteHandover(link);
            }
        }
    }

    private void PublishLost(int symbol)
    {
        _lostScratch.Reset();
        _lostScratch.Kind = TickKind.Delta;
        _lostScratch.Venue = _options.Venue;
        _lostScratch.Instrument = _options.Symbols[symbol].Instrument.Id;
        _lostScratch.Flags = TickFlags.AfterLostMessage;
        PublishScratch(_lostScratch);
    }

    /// <summary>The renewal's connection for its whole life: connect, subscribe beside the old one, receive. Returns why it ended.</summary>
    private async Task<string> RenewAsync(CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = _options.PingAfter;
        socket.Options.KeepAliveTimeout = _options.StaleAfter;
        VenueProtocol protocol = VenueProtocol.Create(_options);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(_options.ReceiveBufferBytes);
        var link = new Link(socket, protocol, buffer, new BookMessage()) { Standby = true };
        bool armed = false;
        try
        {
            await socket.ConnectAsync(_options.WsUrl, _http, cancellationToken).ConfigureAwait(false);
            LiveClientCounters.Add(ref Counters.ConnectsField);
            link.ConnectedAt = Stopwatch.GetTimestamp();
            protocol.OnConnected();
            Capture?.Opened(_options.WsUrl, UnixNowNs());
            // Gates first, then the flag: a publish of the old connection in flight sees either no renewal or closed gates.
            Link old = _active!;
            old.Standby = false;
            for (int i = 0; i < _gate.Length; i++)
            {
                Volatile.Write(ref _gate[i], OldOwns);
            }

            Volatile.Write(ref _moved, 0);
            _standby = link;
            _handover = true; // before the subscriptions: the new connection's first book message goes through the gate
            armed = true;
            Interlocked.MemoryBarrierProcessWide(); // the old loop's flag read is now ordered after its InFastPath write
            var spin = default(SpinWait);
            while (Volatile.Read(ref old.InFastPath) != 0)
            {
                spin.SpinOnce(); // a publish that read the flag before it was raised: let it land before any book moves
            }

            foreach (byte[] message in protocol.SubscribeMessages())
            {
                Capture?.Sent(_options.WsUrl, message, UnixNowNs());
                await socket.SendAsync(message, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            }

            return await ReceiveLoopAsync(socket, link, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return "stopped";
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            return OneLine(ex.Message);
        }
        finally
        {
            if (!link.TookOver)
            {
                AbandonRenewal(link, armed, stopping: cancellationToken.IsCancellationRequested);
            }

            if (Interlocked.CompareExchange(ref _socket, null, socket) == socket)
            {
                _subscribed = false;
            }

            link.Retired = true;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The renewal's connection failed before it owned every book: the old one takes every book back; books that had moved
    /// lost their feed, so they are marked lost and resync on the old connection. Tried again after a back-off.
    /// </summary>
    private void AbandonRenewal(Link link, bool armed, bool stopping)
    {
        bool publishLost = armed && !stopping; // stopping: nothing is published any more anyway
        link.Retired = true;
        _standby = null;
        for (int s = 0; armed && s < _gate.Length; s++)
        {
            var spin = default(SpinWait);
            int seen;
            while ((seen = Interlocked.CompareExchange(ref _gate[s], OldOwns, NewOwns)) == Busy)
            {
                spin.SpinOnce();
            }

            if (seen == NewOwns && publishLost)
            {
                PublishLost(s); // it had moved: what the dead connection would have sent is lost
            }
        }

        if (armed)
        {
            _handover = false;
        }

        Volatile.Write(ref _renewing, 0);
        Volatile.Write(ref _nextRenewalAttempt, Stopwatch.GetTimestamp() + (long)(_options.BackoffMax.TotalSeconds * Stopwatch.Frequency));
        if (!stopping)
        {
            LogCold($"{Name}: the renewal's connection failed before taking over; staying on the old one, trying again later");
        }
    }
}
