using System.Text;
using System.Text.Json.Nodes;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Kraken;
using LowLatency.Adapters.Cex.Okx;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.Fuzz.Tests.Engine;
using LowLatency.Testing;

namespace LowLatency.Fuzz.Tests.Cex;

/// <summary>
/// OKX <c>books</c> or Kraken <c>book-N</c> frames into the venue's live books (every book synced from its first recorded
/// snapshot, cut to ten levels a side). A case that changed a book (or marked one as having lost a message) restores it from that snapshot
/// afterwards, so every case starts from the same books.
/// </summary>
internal sealed class InBandTarget : FuzzTarget
{
    private static readonly Lazy<List<byte[]>> s_okxCorpus = new(() => BuildCorpus(kraken: false));
    private static readonly Lazy<List<byte[]>> s_krakenCorpus = new(() => BuildCorpus(kraken: true));
    private readonly bool _kraken;
    private readonly RecordedVenue _recorded;
    private readonly InBandBookParser _parser;
    private readonly BookHarness _harness;
    private readonly BookMessage _scratch = new(1024);
    private readonly Dictionary<InstrumentId, byte[]> _snapshots = [];

    public InBandTarget(bool kraken)
    {
        _kraken = kraken;
        _recorded = kraken ? RecordedVenue.Kraken : RecordedVenue.Okx;
        _parser = NewParser();
        _harness = new BookHarness(_recorded.Books);
        InBandBookParser finder = NewParser();
        foreach (byte[] frame in _recorded.Frames())
        {
            if (finder.ParseFrame(frame, 0, 0, _scratch) == ParseResult.Message && _scratch.Kind == TickKind.Snapshot)
            {
                // Ten levels a side, without OKX's checksum (it covers the whole top 25): restoring stays cheap.
                _snapshots.TryAdd(_scratch.Instrument, Cut(frame, 10, kraken, dropChecksum: true));
            }
        }

        foreach (InstrumentId instrument in _snapshots.Keys)
        {
            Restore(instrument);
        }

        _harness.Seal();
    }

    public override string Name => _kraken ? "kraken-book" : "okx-books";

    public override IReadOnlyList<byte[]> Corpus => _kraken ? s_krakenCorpus.Value : s_okxCorpus.Value;

    public override void Check(byte[] input)
    {
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

    private InBandBookParser NewParser() => _kraken
        ? new KrakenBookParser(_recorded.Venue, _recorded.NewSymbolTable(), _recorded.Instruments, 2048)
        : new OkxBookParser(_recorded.Venue, _recorded.NewSymbolTable(), _recorded.Instruments);

    /// <summary>Re-syncs a book from its first recorded snapshot (through the parser: that also clears its loss mark and, for Kraken, its wire format).</summary>
    private void Restore(InstrumentId instrument)
    {
        if (!_snapshots.TryGetValue(instrument, out byte[]? frame))
        {
            return;
        }

        ParseResult result = _parser.ParseFrame(frame, 0, 0, _scratch);
        Invariant.Equal(ParseResult.Message, result, "harness: the recorded snapshot no longer parses");
        _harness.Publish(_scratch);
    }

    private static List<byte[]> BuildCorpus(bool kraken)
    {
        RecordedVenue venue = kraken ? RecordedVenue.Kraken : RecordedVenue.Okx;
        List<byte[]> corpus = venue.Frames();
        var cuts = new List<byte[]>();
        foreach (byte[] frame in corpus)
        {
            // Small valid snapshots cut from the recorded ones: mutations of a 3-level book reach the checks faster.
            bool snapshot = kraken ? frame.AsSpan().IndexOf("\"as\":"u8) >= 0 : frame.AsSpan().IndexOf("\"snapshot\""u8) >= 0;
            if (snapshot)
            {
                foreach (int keep in new[] { 0, 1, 3, 10 })
                {
                    cuts.Add(Cut(frame, keep, kraken));
                }
            }
        }

        corpus.AddRange(cuts);
        string fixtures = Path.Combine(SharedData.Root, "cex_ws", "format_fixtures_not_live");
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

    private static byte[] Cut(byte[] frame, int keep, bool kraken, bool dropChecksum = false)
    {
        JsonNode root = JsonNode.Parse(frame)!;
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
