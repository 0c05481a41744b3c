using System.Text;
using System.Text.Json.Nodes;
using LowLatency.Adapters.Cex.Binance;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.Fuzz.Tests.Engine;

namespace LowLatency.Fuzz.Tests.Cex;

/// <summary>One Binance market (spot or USD-M futures) as the targets use it: parser, scratch and the recorded venue.</summary>
internal sealed class BinanceMarketSetup
{
    public BinanceMarketSetup(BinanceMarket market)
    {
        Market = market;
        Recorded = market == BinanceMarket.Spot ? RecordedVenue.BinanceSpot : RecordedVenue.BinanceFutures;
        Parser = new BinanceParser(market, Recorded.Venue, Recorded.NewSymbolTable(), Recorded.Instruments);
    }

    public BinanceMarket Market { get; }

    public RecordedVenue Recorded { get; }

    public BinanceParser Parser { get; }

    public BookMessage Scratch { get; } = new();

    public BookMessage PrimeScratch { get; } = new();

    /// <summary>Parses one frame (or REST snapshot) and checks the parser's contract; the result and the scratch are then read by the caller.</summary>
    public ParseResult Parse(byte[] input, bool snapshot, BookHarness harness)
    {
        long[] counters = ParserChecks.Counters(Parser.Counters);
        ParseResult result;
        if (snapshot)
        {
            int newline = Array.IndexOf(input, (byte)'\n');
            ReadOnlySpan<byte> url = newline < 0 ? input : input.AsSpan(0, newline);
            ReadOnlySpan<byte> body = newline < 0 ? default : input.AsSpan(newline + 1);
            result = Parser.ParseDepthSnapshot(url, body, ParserChecks.ReceiveTimeNs, ParserChecks.ReceiveTimestamp, Scratch);
        }
        else
        {
            result = Parser.ParseFrame(input, ParserChecks.ReceiveTimeNs, ParserChecks.ReceiveTimestamp, Scratch);
        }

        ParserChecks.CountedOnce(counters, ParserChecks.Counters(Parser.Counters), result, Parser.LastError);
        if (result != ParseResult.Message)
        {
            ParserChecks.IsReset(Scratch);
            Invariant.That(harness.Fingerprint() == harness.Sealed, "state: a frame that is not a message changed the books");
            return result;
        }

        Invariant.Equal(ParseError.None, Parser.LastError, "parser: LastError after a message");
        ParserChecks.Message(Scratch, Recorded.Venue, Recorded.Instruments);
        if (Scratch.Kind == TickKind.Delta)
        {
            Invariant.That(Scratch.FirstUpdateId <= Scratch.LastUpdateId, "message: U > u accepted");
            Invariant.That(Market == BinanceMarket.Spot || (Scratch.Flags & TickFlags.HasPrevUpdateId) != 0, "message: futures diff without pu");
        }

        return result;
    }

    /// <summary>Best levels of each instrument's recorded REST snapshot: the book a diff is applied to.</summary>
    public Dictionary<InstrumentId, (BookLevel[] Bids, BookLevel[] Asks)> PrimeLevels()
    {
        var levels = new Dictionary<InstrumentId, (BookLevel[], BookLevel[])>();
        var scratch = new BookMessage();
        CaptureTape tape = Recorded.Tape;
        foreach (CaptureRecord record in tape.Records)
        {
            if (record.Kind == CaptureRecordKind.HttpResponse
                && Parser.ParseDepthSnapshot(tape.Url(record), tape.Payload(record), 0, 0, scratch) == ParseResult.Message)
            {
                levels[scratch.Instrument] = ([.. scratch.Bids[..Math.Min(100, scratch.BidCount)]], [.. scratch.Asks[..Math.Min(100, scratch.AskCount)]]);
            }
        }

        return levels;
    }
}

/// <summary>
/// <c>depthUpdate</c> diffs or <c>bookTicker</c> tops, each case through both the spot and the futures parser, into books
/// made for the case: a diff meets a live book primed so the diff is next in sequence, so it is applied.
/// </summary>
internal sealed class BinanceFrameTarget : FuzzTarget
{
    private static readonly TickEvent[] s_slots = new TickEvent[1024];
    private static readonly Lazy<List<byte[]>> s_depthCorpus = new(() => Frames("\"depthUpdate\""));
    private static readonly Lazy<List<byte[]>> s_tickerCorpus = new(() => Frames("bookTicker"));
    private readonly BinanceMarketSetup[] _markets = [new(BinanceMarket.Spot), new(BinanceMarket.Futures)];
    private readonly Dictionary<InstrumentId, (BookLevel[] Bids, BookLevel[] Asks)>[] _prime;
    private readonly bool _tickers;

    public BinanceFrameTarget(bool tickers)
    {
        _tickers = tickers;
        _prime = [_markets[0].PrimeLevels(), _markets[1].PrimeLevels()];
    }

    public override string Name => _tickers ? "binance-ticker" : "binance-depth";

    public override IReadOnlyList<byte[]> Corpus => _tickers ? s_tickerCorpus.Value : s_depthCorpus.Value;

    public override void Check(byte[] input)
    {
        for (int m = 0; m < _markets.Length; m++)
        {
            BinanceMarketSetup market = _markets[m];
            // Books made for the case, small: a case never depends on the one before.
            var harness = new BookHarness([.. market.Recorded.Books.Select(b => b with { Capacity = 256, PendingSlots = 4 })], s_slots);
            ParseResult result = market.Parse(input, snapshot: false, harness);
            Outcome(market.Market + (result == ParseResult.Rejected ? " rejected:" + market.Parser.LastError : " " + result + ":" + market.Scratch.Kind));
            if (result != ParseResult.Message)
            {
                continue;
            }

            BookMessage message = market.Scratch;
            if (message.Kind == TickKind.Delta && _prime[m].TryGetValue(message.Instrument, out var levels))
            {
                long bridge = market.Market == BinanceMarket.Spot ? message.FirstUpdateId - 1 : message.FirstUpdateId;
                if (bridge >= 0)
                {
                    harness.Prime(market.PrimeScratch, message.Venue, message.Instrument, bridge, levels.Bids, levels.Asks);
                }
            }

            harness.Publish(message);
            harness.CheckInvariants();
        }
    }

    /// <summary>The recorded frames of both markets that contain <paramref name="marker"/>, plus a few of the other channels (ignored ones).</summary>
    private static List<byte[]> Frames(string marker)
    {
        byte[] key = Encoding.ASCII.GetBytes(marker);
        var corpus = new List<byte[]>();
        var perVenue = new List<List<byte[]>>();
        foreach (RecordedVenue venue in new[] { RecordedVenue.BinanceSpot, RecordedVenue.BinanceFutures })
        {
            List<byte[]> frames = venue.Frames();
            perVenue.Add([.. frames.Where(f => f.AsSpan().IndexOf(key) >= 0)]);
            corpus.AddRange(frames.Where(f => f.AsSpan().IndexOf("depthUpdate"u8) < 0 && f.AsSpan().IndexOf("bookTicker"u8) < 0).Take(20));
        }

        // As many spot as futures cases: the futures capture has five times the frames.
        int most = perVenue.Max(v => v.Count);
        foreach (List<byte[]> frames in perVenue.Where(v => v.Count > 0))
        {
            for (int i = 0; i < most; i++)
            {
                corpus.Add(frames[i % frames.Count]);
            }
        }

        corpus.Add(System.IO.File.ReadAllBytes(LowLatency.Testing.SharedData.File("cex_ws", "format_fixtures_not_live", marker == "bookTicker" ? "binance_usdm_ws_bookTicker.json" : "binance_usdm_ws_depthUpdate.json")));
        return corpus;
    }
}

/// <summary>REST depth snapshots (input: URL, newline, body) through both parsers into live-size books.</summary>
internal sealed class BinanceSnapshotTarget : FuzzTarget
{
    private static readonly Lazy<List<byte[]>> s_corpus = new(BuildCorpus);
    private readonly BinanceMarketSetup[] _markets = [new(BinanceMarket.Spot), new(BinanceMarket.Futures)];
    private readonly BookHarness[] _harnesses;

    public BinanceSnapshotTarget()
    {
        _harnesses = [new BookHarness(_markets[0].Recorded.Books), new BookHarness(_markets[1].Recorded.Books)];
    }

    public override string Name => "binance-snapshot";

    public override IReadOnlyList<byte[]> Corpus => s_corpus.Value;

    public override void Check(byte[] input)
    {
        for (int m = 0; m < _markets.Length; m++)
        {
            BinanceMarketSetup market = _markets[m];
            BookHarness harness = _harnesses[m];
            ParseResult result = market.Parse(input, snapshot: true, harness);
            Outcome(market.Market + (result == ParseResult.Rejected ? " rejected:" + market.Parser.LastError : " " + result));
            if (result != ParseResult.Message)
            {
                continue;
            }

            Invariant.Equal(TickKind.Snapshot, market.Scratch.Kind, "message: a REST snapshot parsed as another kind");
            harness.Publish(market.Scratch);
            harness.CheckInvariants();
            int book = harness.Books.IndexOf(market.Scratch.Venue, market.Scratch.Instrument);
            Invariant.That(book >= 0 && harness.Books.State(book).Status == BookStatus.Live, "book: an accepted snapshot did not make its book live");
            harness.Seal();
        }
    }

    /// <summary>The recorded REST snapshots (URL + body), and smaller valid ones cut from them (a few levels a side).</summary>
    private static List<byte[]> BuildCorpus()
    {
        var corpus = new List<byte[]>();
        foreach (RecordedVenue venue in new[] { RecordedVenue.BinanceSpot, RecordedVenue.BinanceFutures })
        {
            CaptureTape tape = venue.Tape;
            foreach (CaptureRecord record in tape.Records)
            {
                if (record.Kind != CaptureRecordKind.HttpResponse || tape.Url(record).IndexOf("/depth?"u8) < 0)
                {
                    continue;
                }

                byte[] url = tape.Url(record).ToArray();
                byte[] body = tape.Payload(record).ToArray();
                corpus.Add([.. url, (byte)'\n', .. body]);
                for (int keep = 0; keep <= 12; keep += 3)
                {
                    corpus.Add([.. url, (byte)'\n', .. Cut(body, keep)]);
                }
            }
        }

        byte[] nautilus = System.IO.File.ReadAllBytes(LowLatency.Testing.SharedData.File("cex_ws", "nautilus", "binance_spot_rest_depth_snapshot.json"));
        corpus.Add([.. "https://api.binance.com/api/v3/depth?symbol=NKNUSDT&limit=1000\n"u8, .. nautilus]);
        return corpus;
    }

    private static byte[] Cut(byte[] body, int keep)
    {
        JsonNode root = JsonNode.Parse(body)!;
        foreach (string side in new[] { "bids", "asks" })
        {
            JsonArray levels = root[side]!.AsArray();
            while (levels.Count > keep)
            {
                levels.RemoveAt(levels.Count - 1);
            }
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}
