using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Live;

public sealed class RecordReplayTests
{
    [Fact]
    public async Task A_recorded_live_session_replays_bit_for_bit_into_the_same_books()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"ll-record-{Guid.NewGuid():N}");
        try
        {
            List<byte[]> sent;
            Dictionary<string, (IReadOnlyList<(decimal, decimal)> Bids, IReadOnlyList<(decimal, decimal)> Asks)> expected = [];
            var recorder = new CaptureRecorder(dir, "BINANCE", rotateBytes: 40_000); // small parts: rotation is exercised
            await using (BinanceLiveHarness h = await BinanceLiveHarness.StartAsync(venueHosts: true, capture: recorder))
            {
                await h.Exchange.WaitForSubscriptionsAsync(1);
                await h.Exchange.SendAsync(20);
                await h.WaitAllLiveAsync();
                await h.Exchange.SendRestAsync();
                await h.SyncAsync();
                h.AssertTopsMatchExchange();
                sent = [.. h.Exchange.Frames.Select(f => f.Bytes)];
                foreach (string symbol in h.Exchange.Symbols)
                {
                    expected[symbol] = (h.Exchange.Top(symbol, true, 10), h.Exchange.Top(symbol, false, 10));
                }
            }

            recorder.Dispose();
            Assert.Equal(0, recorder.Dropped);
            Assert.Null(recorder.WriteError);
            string[] files = [.. recorder.Files];
            Assert.True(recorder.Files.Count(f => f.Contains(".ws.", StringComparison.Ordinal)) >= 2, "the stream file was never rotated");

            Assert.True(ReplaySession.TryLoad(files, out ReplaySession? session, out string? error), error);
            Assert.Empty(session.Tape.Damage);
            Assert.Equal("binance", Assert.Single(session.Venues).Name);

            // Bit for bit: every stream frame the exchange sent is in the recording, in order, byte for byte.
            var recorded = new List<byte[]>();
            foreach (CaptureRecord record in session.Tape.Records)
            {
                if (record.Kind == CaptureRecordKind.Received && session.Tape.Payload(record).StartsWith("{\"stream\":"u8))
                {
                    recorded.Add(session.Tape.Payload(record).ToArray());
                }
            }

            Assert.Equal(sent.Count, recorded.Count);
            for (int i = 0; i < sent.Count; i++)
            {
                Assert.True(sent[i].AsSpan().SequenceEqual(recorded[i]), $"frame {i} differs");
            }

            // And the replay builds the same books as the live session.
            var pipeline = new ReplayPipeline(session, _ => 0.001, 5, opportunityRing: null);
            for (int i = 0; i < session.Tape.Count; i++)
            {
                pipeline.Step(i);
            }

            ReplayVenue venue = session.Venues[0];
            foreach ((InstrumentId id, string symbol) in venue.Symbols)
            {
                int index = pipeline.Books.IndexOf(venue.Id, id);
                Assert.Equal(BookStatus.Live, pipeline.Books.State(index).Status);
                decimal scale = FixedPoint.Pow10(session.Instruments[id.Value].PriceDecimals);
                decimal qscale = FixedPoint.Pow10(session.Instruments[id.Value].QuantityDecimals);
                L2Book book = pipeline.Books.Book(index);
                (IReadOnlyList<(decimal, decimal)> bids, IReadOnlyList<(decimal, decimal)> asks) = expected[symbol];
                for (int k = 0; k < bids.Count; k++)
                {
                    Assert.Equal(bids[k], (book.Bids[k].Price.Raw / scale, book.Bids[k].Quantity.Raw / qscale));
                }

                for (int k = 0; k < asks.Count; k++)
                {
                    Assert.Equal(asks[k], (book.Asks[k].Price.Raw / scale, book.Asks[k].Quantity.Raw / qscale));
                }
            }

            Assert.Equal(0, venue.Counters.TotalRejected);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
