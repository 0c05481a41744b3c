using System.Text.RegularExpressions;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing;

namespace LowLatency.Adapters.Cex.Tests.Replay;

/// <summary>
/// Binance COIN-M futures (<c>dstream</c>/<c>dapi</c>) sends the USD-M shapes plus fields such as <c>ps</c> (pair); a
/// parser that rejected unknown fields dropped every frame. The shared data holds no COIN-M recording, so the USD-M
/// session is replayed as COIN-M would send it: the same real frames with the hosts rewritten and <c>ps</c> in every
/// stream payload (<c>symbol</c>/<c>pair</c> in every REST snapshot, as dapi's depth answers).
/// </summary>
public sealed partial class BinanceCoinMReplayTests
{
    private static string Capture(string name) => SharedData.File("cex_ws", "cryptofeed", name);

    [GeneratedRegex("\"s\":\"([A-Z0-9]+)\",")]
    private static partial Regex SymbolField();

    private static string[] CoinMCaptures()
    {
        string folder = Path.Combine(Path.GetTempPath(), "lowlatency-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string ws = File.ReadAllText(Capture("BINANCE_FUTURES.ws.1.0")).Replace("fstream.binance.com", "dstream.binance.com", StringComparison.Ordinal);
        ws = SymbolField().Replace(ws, "\"s\":\"$1\",\"ps\":\"$1\",");
        string http = File.ReadAllText(Capture("BINANCE_FUTURES.http.0.0"))
            .Replace("fapi.binance.com", "dapi.binance.com", StringComparison.Ordinal)
            .Replace("{\"lastUpdateId\":", "{\"symbol\":\"X\",\"pair\":\"X\",\"lastUpdateId\":", StringComparison.Ordinal);
        string wsPath = Path.Combine(folder, "BINANCE_DELIVERY.ws.1.0");
        string httpPath = Path.Combine(folder, "BINANCE_DELIVERY.http.0.0");
        File.WriteAllText(wsPath, ws);
        File.WriteAllText(httpPath, http);
        return [wsPath, httpPath];
    }

    private static ReplayPipeline Replay(string[] files)
    {
        ReplaySession session = ReplaySession.Load(files);
        var opportunities = new RingBuffer<Opportunity>(1 << 12, ProducerType.Single, WaitStrategyKind.Yielding);
        var drained = new Sequence();
        opportunities.AddGatingSequences(drained);
        var pipeline = new ReplayPipeline(session, _ => 0.001, 5, opportunities);
        for (int i = 0; i < session.Tape.Count; i++)
        {
            pipeline.Step(i);
            drained.Value = opportunities.Cursor;
        }

        return pipeline;
    }

    [Fact]
    public void A_coin_m_capture_with_ps_fields_replays_like_the_usdm_session()
    {
        string[] coinM = CoinMCaptures();
        Assert.Contains("\"ps\":", File.ReadAllText(coinM[0]), StringComparison.Ordinal);
        ReplayPipeline usdm = Replay([Capture("BINANCE_FUTURES.ws.1.0"), Capture("BINANCE_FUTURES.http.0.0")]);
        ReplayPipeline pipeline = Replay(coinM);

        ReplayVenue venue = Assert.Single(pipeline.Session.Venues);
        Assert.Equal(CaptureVenue.BinanceCoinM, venue.Kind);
        Assert.Equal("binance-coinm", venue.Name);
        Assert.Equal(0, venue.Counters.TotalRejected);
        Assert.True(venue.Counters.Messages > 1300, $"messages {venue.Counters.Messages}");
        Assert.Equal(usdm.Session.Venues[0].Counters.Messages, venue.Counters.Messages);
        Assert.True(venue.UnknownFields.CountOf("ps") > 1000);
        Assert.Equal(4, venue.UnknownFields.CountOf("pair")); // one per REST snapshot

        Assert.Equal(usdm.Books.Count, pipeline.Books.Count);
        for (int b = 0; b < pipeline.Books.Count; b++)
        {
            Assert.Equal(BookStatus.Live, pipeline.Books.State(b).Status);
            Assert.EndsWith("-COINM", pipeline.Session.Instruments[pipeline.Books.State(b).Instrument.Value].Name, StringComparison.Ordinal);
            int u = FindBook(usdm, pipeline.SymbolOf(b));
            Assert.Equal(usdm.Books.Book(u).Bids.ToArray(), pipeline.Books.Book(b).Bids.ToArray());
            Assert.Equal(usdm.Books.Book(u).Asks.ToArray(), pipeline.Books.Book(b).Asks.ToArray());
            Assert.Equal(usdm.Books.State(u).LastUpdateId, pipeline.Books.State(b).LastUpdateId);
        }

        Assert.Equal(0, pipeline.Books.Integrity(venue.Id).Errors);
    }

    private static int FindBook(ReplayPipeline pipeline, string symbol)
    {
        for (int b = 0; b < pipeline.Books.Count; b++)
        {
            if (pipeline.SymbolOf(b) == symbol)
            {
                return b;
            }
        }

        throw new InvalidOperationException($"no book {symbol}");
    }
}
