using System.Text;
using System.Text.Json.Nodes;
using LowLatency.Adapters.Cex.Bybit;
using LowLatency.Adapters.Cex.Coinbase;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Kraken;
using LowLatency.Adapters.Cex.Okx;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.Fuzz.Tests.Engine;
using LowLatency.Testing;

namespace LowLatency.Fuzz.Tests.Cex;

/// <summary>The venues whose parsers read book snapshots in band.</summary>
internal enum InBandVenue
{
    Okx,
    Kraken,
    Coinbase,
    Bybit,
}

/// <summary>
/// OKX <c>books</c>, Kraken <c>book-N</c>, Coinbase Advanced Trade <c>l2_data</c> or Bybit v5 <c>orderbook</c> frames into the venue's live books (every book synced from its first recorded
/// snapshot, cut to ten levels a side). A case that changed a book (or marked one as having lost a message) restores it from that snapshot
/// afterwards, so every case starts from the same books.
/// </summary>
internal sealed class InBandTarget : FuzzTarget
{
    private static readonly Lazy<List<byte[]>> s_okxCorpus = new(() => BuildCorpus(InBandVenue.Okx));
    private static readonly Lazy<List<byte[]>> s_krakenCorpus = new(() => BuildCorpus(InBandVenue.Kraken));
    private static readonly Lazy<List<byte[]>> s_coinbaseCorpus = new(() => BuildCorpus(InBandVenue.Coinbase));
    private static readonly Lazy<List<byte[]>> s_bybitCorpus = new(() => BuildCorpus(InBandVenue.Bybit));
    private readonly InBandVenue _kind;
    private readonly bool _kraken;
    private readonly RecordedVenue _recorded;
    private readonly InBandBookParser _parser;
    private readonly BookHarness _harness;
    private readonly BookMessage _scratch = new(1024);
    private readonly Dictionary<InstrumentId, byte[]> _snapshots = [];

    public InBandTarget(bool kraken)
        : this(kraken ? InBandVenue.Kraken : InBandVenue.Okx)
    {
    }

    public InBandTarget(InBandVenue kind)
    {
        _kind = kind;
        _kraken = kind == InBandVenue.Kraken;
        _recorded = Recorded(kind);
        _parser = NewParser();
        _harness = new BookHarness(_recorded.Books);
        InBandBookParser finder = NewParser();
        foreach (byte[] frame in _recorded.Frames())
        {
            if (finder.ParseFrame(frame, 0, 0, _scratch) == ParseResult.Message && _scratch.Kind == TickKind.Snapshot)
            {
                // Ten levels a side, without OKX's checksum (it covers the whole top 25): restoring stays cheap.
                _snapshots.TryAdd(_scratch.Instrument, Cut(frame, 10, kind, dropChecksum: true));
            }
        }

        foreach (InstrumentId instrument in _snapshots.Keys)
        {
            Restore(instrument);
        }

        _harness.Seal();
    }

    public override string Name => _kind switch
    {
        InBandVenue.Kraken => "kraken-book",
        InBandVenue.Coinbase => "coinbase-l2",
        InBandVenue.Bybit => "bybit-orderbook",
        _ => "okx-books",
    };

    public override IReadOnlyList<byte[]> Corpus => _kind switch
    {
        InBandVenue.Kraken => s_krakenCorpus.Value,
        InBandVenue.Coinbase => s_coinbaseCorpus.Value,
        InBandVenue.Bybit => s_bybitCorpus.Value,
        _ => s_okxCorpus.Value,
    };

    private static RecordedVenue Recorded(InBandVenue kind) => kind switch
    {
        InBandVenue.Kraken => RecordedVenue.Kraken,
        InBandVenue.Coinbase => RecordedVenue.Coinbase,
        InBandVenue.Bybit => RecordedVenue.Bybit,
        _ => RecordedVenue.Okx,
    };

    public override void Check(byte[] input)
    {
        // Each case is the first frame of a connection: Coinbase's connection-wide counter would otherwise turn every
        // recorded frame after a mutated, higher sequence_num into a duplicate (the gap path has its own tests).
        (_parser as CoinbaseParser)?.OnNewConnection();
        long[] counters = ParserChecks.Counters(_parser.Counters);
        ParseResult result = _parser.ParseFrame(input, ParserChecks.ReceiveTimeNs, ParserChecks.ReceiveTimestamp, _scratch);
        ParserChecks.CountedOnce(counters, ParserChecks.Counters(_parser.Counters), result, result == ParseResult.Rejected ? _parser.LastError : ParseError.None);
        Outcome(result == ParseResult.Rejected ? "rejected:" + _parser.LastError : result + ":" + _scratch.Kind);
        if (result != ParseResult.Message)
        {
            ParserChecks.IsReset(_scratch);
            Invariant.That(_harness.Fingerprint() == _harness.Sealed, "state: a frame that is not a message changed the books");
            if (_parser.LastRejectedInstrument is { } lost)
            {
                Invariant.That(result == ParseResult.Rejected, "parser: a lost-message mark from a frame that was not rejected");
                Invariant.That(_snapshots.ContainsKey(lost), "parser: a lost-message mark on an instrument the venue does not quote");
                Restore(lost); // clears the mark: the next case starts unmarked
                _harness.Seal();
            }

            return;
        }

        Invariant.That(_parser.LastRejectedInstrument is null, "parser: an accepted frame reported as lost");
        ParserChecks.Message(_scratch, _recorded.Venue, _recorded.Instruments);
        Invariant.That(_scratch.Kind is TickKind.Snapshot or TickKind.Delta, "message: an in-band book message that is neither snapshot nor update");
        if (_kraken)
        {
            Invariant.That(KrakenBookRules.WirePriceDecimalsOf(_scratch.LastUpdateId) <= FixedPoint.MaxDecimals
                           && KrakenBookRules.WireVolumeDecimalsOf(_scratch.LastUpdateId) <= FixedPoint.MaxDecimals, "message: Kraken wire decimals out of range");
        }

        _harness.Publish(_scratch);
        _harness.CheckInvariants();
        int[] touched = _harness.Books.TouchedBooks.ToArray();
        foreach (int book in touched)
        {
            Restore(_harness.Books.State(book).Instrument);
        }

        _harness.Seal();
    }

    private InBandBookParser NewParser() => _kind switch
    {
        InBandVenue.Kraken => new KrakenBookParser(_recorded.Venue, _recorded.NewSymbolTable(), _recorded.Instruments, 2048),
        InBandVenue.Coinbase => new CoinbaseParser(_recorded.Venue, _recorded.NewSymbolTable(), _recorded.Instruments),
        InBandVenue.Bybit => new BybitParser(_recorded.Venue, _recorded.NewSymbolTable(), _recorded.Instruments),
        _ => new OkxBookParser(_recorded.Venue, _recorded.NewSymbolTable(), _recorded.Instruments),
    };

    /// <summary>Re-syncs a book from its first recorded snapshot (through the parser: that also clears its loss mark and, for Kraken, its wire format).</summary>
    private void Restore(InstrumentId instrument)
    {
        if (!_snapshots.TryGetValue(instrument, out byte[]? frame))
        {
            return;
        }

        (_parser as CoinbaseParser)?.OnNewConnection();
        ParseResult result = _parser.ParseFrame(frame, 0, 0, _scratch);
        Invariant.Equal(ParseResult.Message, result, "harness: the recorded snapshot no longer parses");
        _harness.Publish(_scratch);
    }

    private static List<byte[]> BuildCorpus(InBandVenue kind)
    {
        bool kraken = kind == InBandVenue.Kraken;
        RecordedVenue venue = Recorded(kind);
        List<byte[]> corpus = venue.Frames();
        var cuts = new List<byte[]>();
        foreach (byte[] frame in corpus)
        {
            // Small valid snapshots cut from the recorded ones: mutations of a 3-level book reach the checks faster.
            bool snapshot = kraken ? frame.AsSpan().IndexOf("\"as\":"u8) >= 0 : frame.AsSpan().IndexOf("\"snapshot\""u8) >= 0;
            if (snapshot && IsBookFrame(kind, frame))
            {
                foreach (int keep in new[] { 0, 1, 3, 10 })
                {
                    cuts.Add(Cut(frame, keep, kind));
                }
            }
        }

        string fixtures = Path.Combine(SharedData.Root, "cex_ws", "format_fixtures_not_live");
        if (kind is InBandVenue.Coinbase or InBandVenue.Bybit)
        {
            // The whole-book snapshots are megabytes: the corpus keeps the cuts, the updates and the other channels.
            corpus.RemoveAll(f => f.Length > 64 * 1024);
            corpus.AddRange(cuts);
            corpus.Add(System.IO.File.ReadAllBytes(Path.Combine(fixtures,
                kind == InBandVenue.Coinbase ? "coinbase_advtrade_ws_l2_data_snapshot.json" : "bybit_v5_ws_orderbook_snapshot.json")));
            if (kind == InBandVenue.Coinbase)
            {
                corpus.Add(System.IO.File.ReadAllBytes(Path.Combine(fixtures, "coinbase_advtrade_ws_ticker.json")));
            }

            return corpus;
        }

        corpus.AddRange(cuts);
        if (kraken)
        {
            corpus.AddRange(RecordedVenue.FramesOf("KRAKEN.ws.48.0").Take(40));
            corpus.AddRange(RecordedVenue.FramesOf("KRAKEN.ws.49.0").Take(40));
            corpus.Add(System.IO.File.ReadAllBytes(Path.Combine(fixtures, "kraken_v2_ws_book_snapshot.json")));
        }
        else
        {
            corpus.Add(System.IO.File.ReadAllBytes(Path.Combine(fixtures, "okx_v5_ws_books_snapshot.json")));
            corpus.Add(System.IO.File.ReadAllBytes(Path.Combine(fixtures, "okx_v5_ws_bbo_tbt.json")));
        }

        return corpus;
    }

    private static bool IsBookFrame(InBandVenue kind, byte[] frame) => kind switch
    {
        InBandVenue.Coinbase => frame.AsSpan().IndexOf("\"l2_data\""u8) >= 0,
        InBandVenue.Bybit => frame.AsSpan().IndexOf("\"orderbook."u8) >= 0,
        _ => true,
    };

    private static byte[] Cut(byte[] frame, int keep, InBandVenue kind, bool dropChecksum = false)
    {
        bool kraken = kind == InBandVenue.Kraken;
        JsonNode root = JsonNode.Parse(frame)!;
        if (kind == InBandVenue.Coinbase)
        {
            // updates hold both sides in one list, bids first: keep the best `keep` of each.
            JsonArray updates = root["events"]![0]!["updates"]!.AsArray();
            var kept = new JsonArray();
            int bids = 0;
            int asks = 0;
            foreach (JsonNode? level in updates)
            {
                bool bid = level!["side"]!.GetValue<string>() == "bid";
                if (bid ? bids++ < keep : asks++ < keep)
                {
                    kept.Add(level.DeepClone());
                }
            }

            root["events"]![0]!["updates"] = kept;
            return Encoding.UTF8.GetBytes(root.ToJsonString());
        }

        if (kind == InBandVenue.Bybit)
        {
            foreach (string side in new[] { "a", "b" })
            {
                JsonArray levels = root["data"]![side]!.AsArray();
                while (levels.Count > keep)
                {
                    levels.RemoveAt(levels.Count - 1);
                }
            }

            return Encoding.UTF8.GetBytes(root.ToJsonString());
        }

        JsonNode book = kraken ? root[1]! : root["data"]![0]!;
        if (dropChecksum && !kraken)
        {
            book.AsObject().Remove("checksum");
        }

        foreach (string side in kraken ? new[] { "as", "bs" } : ["asks", "bids"])
        {
            JsonArray levels = book[side]!.AsArray();
            while (levels.Count > keep)
            {
                levels.RemoveAt(levels.Count - 1);
            }
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}
