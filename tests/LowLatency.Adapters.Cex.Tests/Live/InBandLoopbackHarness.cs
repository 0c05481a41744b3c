using System.Text;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Adapters.Cex.Tests.Live;

/// <summary>A finished loopback session: the replay of the same recording, the live books, client and exchange.</summary>
internal sealed record InBandOutcome(ReplayPipeline Replay, BookSet Books, VenueId Venue, WebSocketMarketDataClient Client, LoopbackInBandExchange Server, IReadOnlyList<string> Log);

/// <summary>How a loopback session is run (the fault table, client settings).</summary>
internal sealed record InBandRun
{
    public IReadOnlyDictionary<int, LoopbackFault> Faults { get; init; } = new Dictionary<int, LoopbackFault>();

    public int RejectSubscriptions { get; init; }

    public TimeSpan? PingAfter { get; init; }

    public TimeSpan? StaleAfter { get; init; }

    public int BookDepth { get; init; } = 10;

    public int RingSize { get; init; } = 1 << 14;

    /// <summary>The consumer starts only once the client has met a full ring (a slow reader).</summary>
    public bool SlowReader { get; init; }

    /// <summary>Allocation measuring starts after this many frames (0: not measured).</summary>
    public int MeasureAfterFrames { get; init; }

    /// <summary>
    /// The venue's own endpoint (<c>ws://ws.kraken.com/v2</c>), reached at the loopback exchange's port: connections to
    /// it are routed to loopback, so a recording names its venue. Null: the exchange's loopback URL.
    /// </summary>
    public string? VenueEndpoint { get; init; }

    /// <summary>Set as the client's capture sink (the <c>record</c> verb's recorder).</summary>
    public ICaptureSink? Capture { get; init; }

    /// <summary>The exchange serves overlapping connections (a renewal), holding its stream before <see cref="HoldAt"/> until two stream.</summary>
    public bool Overlap { get; init; }

    public int HoldAt { get; init; } = -1;

    /// <summary>Applied to the client's options last.</summary>
    public Func<LiveVenueOptions, LiveVenueOptions>? Tweak { get; init; }
}

/// <summary>
/// Serves a recorded in-band session through <see cref="LoopbackInBandExchange"/> (with its fault table) to the live
/// client, into books consumed by the strategy thread, and replays the same recording for the fault-free books.
/// </summary>
internal static class InBandLoopbackHarness
{
    public static ReplayPipeline Replay(ReplaySession session)
    {
        var replay = new ReplayPipeline(session, _ => 0.001, 5, opportunityRing: null);
        for (int i = 0; i < session.Tape.Count; i++)
        {
            replay.Step(i);
        }

        return replay;
    }

    public static async Task<InBandOutcome> RunAsync(ReplaySession session, IReadOnlyList<byte[]> frames, LiveVenueKind kind, Func<IInBandVenueModel> model, InBandRun run)
    {
        ReplayPipeline replay = Replay(session);
        ReplayVenue venue = Assert.Single(session.Venues);
        Assert.True(replay.Books.Count >= 2);
        LoopbackInBandExchange server = await LoopbackInBandExchange.StartAsync(frames, model, run.Faults, run.RejectSubscriptions);
        server.Overlapping = run.Overlap;
        server.OverlapHoldAt = run.HoldAt;
        var options = new LiveVenueOptions
        {
            Name = venue.Name,
            Kind = kind,
            Venue = venue.Id,
            WsUrl = run.VenueEndpoint is { } endpoint ? new Uri(endpoint.Replace("{port}", $"{server.WsUrl.Port}", StringComparison.Ordinal)) : server.WsUrl,
            Symbols = [.. venue.Symbols.Select(kv => new LiveSymbol(kv.Value, session.Instruments[kv.Key.Value]))],
            SubscribeTops = false,
            BookDepth = run.BookDepth,
            BybitDepth = 200, // the recorded session's books
            MaintenanceInterval = TimeSpan.FromMilliseconds(5),
            PingAfter = run.PingAfter ?? TimeSpan.FromSeconds(20),
            StaleAfter = run.StaleAfter ?? TimeSpan.FromSeconds(30),
            BackoffInitial = TimeSpan.FromMilliseconds(50),
            SnapshotTimeout = TimeSpan.FromMinutes(10), // a resubscribe is repeated only because its snapshot failed, never by a slow box
            BackoffSeed = 1,
        };
        options = run.Tweak?.Invoke(options) ?? options;
        HttpMessageInvoker? http = null;
        if (run.VenueEndpoint is not null)
        {
            int port = server.WsUrl.Port;
            http = new HttpMessageInvoker(new SocketsHttpHandler
            {
                ConnectCallback = async (_, token) =>
                {
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, token);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            });
        }

        var books = new BookSet(session.Books);
        var ring = new RingBuffer<TickEvent>(run.RingSize, ProducerType.Multi, WaitStrategyKind.Yielding);
        var strategy = new StrategyState(books, new EdgeStage(session.Instruments.Count, 2, [.. session.Instruments.Select(i => i.PriceDecimals)], [0.001, 0.001], 5), null);
        var processor = new BatchEventProcessor<TickEvent, StrategyHandler>(ring, ring.NewBarrier(), new StrategyHandler(strategy));
        ring.AddGatingSequences(processor.Sequence);
        var log = new List<string>();
        var client = new WebSocketMarketDataClient(options, books, ring, processor.Sequence, http, log: l =>
        {
            lock (log)
            {
                log.Add(l);
            }
        });
        client.Capture = run.Capture;
        server.OverlapRelease = run.Overlap ? () => client.Counters.Renewals >= 1 : null; // mid-session until a renewal completed
        using var stop = new CancellationTokenSource();
        var consumer = new Thread(() => processor.Run(stop.Token)) { IsBackground = true };
        int seen = 0;
        bool ended = false;
        byte[] marker = Encoding.UTF8.GetBytes(LoopbackInBandExchange.EndMarker);
        client.FrameHandled = frame =>
        {
            server.ClientHandled(frame); // the exchange's disconnect waits for this (LoopbackInBandExchange.SyncAsync)
            // Warm-up first (every frame kind, every book live), then every frame's path is measured.
            if (run.MeasureAfterFrames > 0 && ++seen == run.MeasureAfterFrames)
            {
                client.MeasureAllocations = true;
            }

            if (frame.Length < 256 && frame.IndexOf(marker) >= 0)
            {
                Volatile.Write(ref ended, true);
            }
        };
        Task running = client.RunAsync(stop.Token);
        if (run.SlowReader)
        {
            await Wait.UntilAsync(() => client.Counters.BackPressure > 0, "the client to meet a full ring");
        }

        consumer.Start();
        bool AllLive()
        {
            for (int b = 0; b < books.Count; b++)
            {
                if (books.State(b).Status != BookStatus.Live)
                {
                    return false;
                }
            }

            return true;
        }

        try
        {
            // Overlapping connections each get the end marker: the first one handled does not mean the connection that
            // feeds a given book has handled its last frames, so such a run also waits for the replay's top levels, with
            // no renewal under way: a renewal begun before the stream ended can still move a book to its connection's
            // snapshot, older than the old connection's last frames, and that connection's frames after it may be unread.
            // (A renewal begun after the end serves the final books.)
            await Wait.UntilAsync(() => Volatile.Read(ref ended) && !(run.Overlap && client.Renewing) && processor.Sequence.Value >= ring.Cursor && AllLive()
                    && (!run.Overlap || SameTop(replay, books, 10)),
                "every frame served, handled and applied, every book live");
        }
        catch (TimeoutException ex)
        {
            string states = string.Join(',', Enumerable.Range(0, books.Count).Select(b => books.State(b).Status));
            string tail;
            lock (log)
            {
                tail = string.Join(" | ", log.TakeLast(16));
            }

            var c = client.Counters;
            throw new TimeoutException($"{ex.Message}; ended={ended} renewing={client.Renewing} {Counters(client)} frames={c.Frames} sent={server.Sent} "
                + $"finished={server.Finished} resubscribes={c.Resubscribes} snapshots={server.SnapshotsSent} books={states} published={c.Published} "
                + $"oversized={c.Oversized} ignored={c.Ignored} backPressure={c.BackPressure} ring={ring.Cursor}/{processor.Sequence.Value}; log: {tail}", ex);
        }
        if (run.PingAfter is not null && kind == LiveVenueKind.Bybit)
        {
            await Wait.UntilAsync(() => server.Received.Contains("{\"op\":\"ping\"}"), "an application ping");
        }

        await stop.CancelAsync();
        await running;
        consumer.Join();
        return new InBandOutcome(replay, books, venue.Id, client, server, log);
    }

    /// <summary>Every book live in both, and the live one equal to the replay over the top <paramref name="levels"/>.</summary>
    public static void AssertSameBooks(InBandOutcome o, int levels)
    {
        for (int b = 0; b < o.Books.Count; b++)
        {
            Assert.Equal(BookStatus.Live, o.Replay.Books.State(b).Status);
            Assert.Equal(BookStatus.Live, o.Books.State(b).Status);
            L2Book expected = o.Replay.Books.Book(b);
            L2Book actual = o.Books.Book(b);
            int bids = Math.Min(levels, expected.Bids.Length);
            int asks = Math.Min(levels, expected.Asks.Length);
            Assert.True(bids > 0 && asks > 0);
            Assert.True(expected.Bids[..bids].SequenceEqual(actual.Bids[..Math.Min(levels, actual.Bids.Length)]), $"book {b} bids differ: {Difference(expected.Bids, actual.Bids, levels)}; {Describe(o)}");
            Assert.True(expected.Asks[..asks].SequenceEqual(actual.Asks[..Math.Min(levels, actual.Asks.Length)]), $"book {b} asks differ: {Difference(expected.Asks, actual.Asks, levels)}; {Describe(o)}");
        }
    }

    private static string Difference(ReadOnlySpan<BookLevel> expected, ReadOnlySpan<BookLevel> actual, int levels)
    {
        for (int i = 0; i < levels; i++)
        {
            string e = i < expected.Length ? $"{expected[i].Price.Raw}x{expected[i].Quantity.Raw}" : "none";
            string a = i < actual.Length ? $"{actual[i].Price.Raw}x{actual[i].Quantity.Raw}" : "none";
            if (e != a)
            {
                return $"level {i}: replay {e}, live {a} (replay {expected.Length} levels, live {actual.Length})";
            }
        }

        return "the same";
    }

    private static string Describe(InBandOutcome o)
    {
        VenueIntegrity integrity = o.Books.Integrity(o.Venue);
        string tail;
        lock (o.Log)
        {
            tail = string.Join(" | ", o.Log.TakeLast(12));
        }

        return $"{Counters(o.Client)} gaps={integrity.Gaps} resyncs={integrity.Resyncs} snapshots={o.Server.SnapshotsSent}; log: {tail}";
    }

    /// <summary>The client's connection and renewal counters, as both failure messages give them.</summary>
    private static string Counters(WebSocketMarketDataClient client)
    {
        var c = client.Counters;
        return $"renewals={c.Renewals} connects={c.Connects} reconnects={c.Reconnects} fallbacks={c.RenewalFallbacks} dropped={c.HandoverDropped} rejected={c.Rejected}";
    }

    /// <summary>Whether every live book equals the replay's over the top levels (read while the consumer may still write: a wait, not the assertion).</summary>
    private static bool SameTop(ReplayPipeline replay, BookSet books, int levels)
    {
        for (int b = 0; b < books.Count; b++)
        {
            ReadOnlySpan<BookLevel> eb = replay.Books.Book(b).Bids, ea = replay.Books.Book(b).Asks, ab = books.Book(b).Bids, aa = books.Book(b).Asks;
            if (!eb[..Math.Min(levels, eb.Length)].SequenceEqual(ab[..Math.Min(levels, ab.Length)]) || !ea[..Math.Min(levels, ea.Length)].SequenceEqual(aa[..Math.Min(levels, aa.Length)]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Index of the <paramref name="n"/>-th frame containing every needle.</summary>
    public static int NthIndex(IReadOnlyList<byte[]> frames, string[] needles, int n, Func<int, bool>? also = null)
    {
        int seen = 0;
        for (int i = 0; i < frames.Count; i++)
        {
            string text = Encoding.UTF8.GetString(frames[i]);
            if (needles.All(x => text.Contains(x, StringComparison.Ordinal)) && (also is null || also(i)) && ++seen == n)
            {
                return i;
            }
        }

        throw new InvalidOperationException("no such frame");
    }
}
