using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Adapters.Cex.Tests.Live;

/// <summary>
/// <c>replay</c> of a recorded Kraken WebSocket v2 session. There is no v2 capture in the shared data, so one is made
/// the way an operator would: the live client, connected to Kraken's own endpoint (<c>ws.kraken.com/v2</c>, routed to the
/// loopback exchange serving KRAKEN.ws.50.0 written as v2 frames), records with the <c>record</c> verb's recorder; the
/// recording is then replayed through <see cref="KrakenV2BookParser"/> into the same checksummed books.
/// </summary>
[Trait("Category", "Slow")]
public sealed class KrakenV2RecordReplayTests
{
    private const int Depth = 1000;

    [Fact]
    public async Task A_recorded_Kraken_v2_session_replays_into_the_same_checksummed_books()
    {
        string file = SharedData.File("cex_ws", "cryptofeed", "KRAKEN.ws.50.0");
        IReadOnlyList<byte[]> frames = KrakenV2ExchangeModel.Transcribe(RecordedCapture.Frames(file).Select(f => f.Bytes), Depth);
        string dir = Path.Combine(Path.GetTempPath(), $"ll-record-v2-{Guid.NewGuid():N}");
        try
        {
            var recorder = new CaptureRecorder(dir, "KRAKEN");
            InBandOutcome o = await InBandLoopbackHarness.RunAsync(ReplaySession.Load([file]), frames, LiveVenueKind.KrakenV2, () => new KrakenV2ExchangeModel(Depth),
                new InBandRun { BookDepth = Depth, VenueEndpoint = "ws://ws.kraken.com:{port}/v2", Capture = recorder });
            await using LoopbackInBandExchange server = o.Server;
            using WebSocketMarketDataClient client = o.Client;
            InBandLoopbackHarness.AssertSameBooks(o, 10); // the live books: as the v1 replay of the same session
            recorder.Dispose();
            Assert.Equal(0, recorder.Dropped);
            Assert.Null(recorder.WriteError);

            Assert.True(ReplaySession.TryLoad([.. recorder.Files], out ReplaySession? session, out string? error), error);
            Assert.Empty(session.Tape.Damage);
            ReplayVenue venue = Assert.Single(session.Venues);
            Assert.Equal(CaptureVenue.KrakenV2, venue.Kind);
            Assert.Equal("kraken-v2", venue.Name);

            // Bit for bit: the frames the exchange sent are the recording's, in order (then the end marker).
            var recorded = new List<byte[]>();
            foreach (CaptureRecord record in session.Tape.Records)
            {
                if (record.Kind == CaptureRecordKind.Received)
                {
                    recorded.Add(session.Tape.Payload(record).ToArray());
                }
            }

            Assert.True(recorded.Count >= frames.Count, $"{recorded.Count} frames recorded of {frames.Count}");
            for (int i = 0; i < frames.Count; i++)
            {
                Assert.True(frames[i].AsSpan().SequenceEqual(recorded[i]), $"frame {i} differs");
            }

            var pipeline = new ReplayPipeline(session, _ => 0.001, 5, opportunityRing: null);
            for (int i = 0; i < session.Tape.Count; i++)
            {
                pipeline.Step(i);
            }

            Assert.Equal(0, venue.Counters.TotalRejected);
            VenueIntegrity integrity = pipeline.Books.Integrity(venue.Id);
            Assert.Equal(0, integrity.ChecksumFailures);
            Assert.Equal(0, integrity.Gaps);
            Assert.True(integrity.Snapshots >= 10, $"{integrity.Snapshots} snapshots");

            // Every book, whole, equals the live one (by the venue's symbol: instrument ids differ between the sessions).
            ReplayVenue live = o.Replay.Session.Venues[0];
            Assert.Equal(live.Symbols.Count, venue.Symbols.Count);
            foreach ((InstrumentId liveId, string symbol) in live.Symbols)
            {
                InstrumentId id = venue.Symbols.Single(kv => kv.Value == symbol).Key;
                int index = pipeline.Books.IndexOf(venue.Id, id);
                Assert.Equal(BookStatus.Live, pipeline.Books.State(index).Status);
                L2Book replayed = pipeline.Books.Book(index);
                L2Book expected = o.Books.Book(o.Books.IndexOf(live.Id, liveId));
                InstrumentSpec a = session.Instruments[id.Value];
                InstrumentSpec b = o.Replay.Session.Instruments[liveId.Value];
                Assert.Equal(Levels(expected.Bids, b), Levels(replayed.Bids, a));
                Assert.Equal(Levels(expected.Asks, b), Levels(replayed.Asks, a));
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static List<(decimal Price, decimal Quantity)> Levels(ReadOnlySpan<BookLevel> levels, InstrumentSpec spec)
    {
        decimal p = FixedPoint.Pow10(spec.PriceDecimals);
        decimal q = FixedPoint.Pow10(spec.QuantityDecimals);
        var list = new List<(decimal, decimal)>(levels.Length);
        foreach (BookLevel level in levels)
        {
            list.Add((level.Price.Raw / p, level.Quantity.Raw / q));
        }

        return list;
    }
}
