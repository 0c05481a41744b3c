using System.Globalization;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing;

namespace LowLatency.Adapters.Cex.Tests.Replay;

/// <summary>
/// The recorded Binance session with its NKNUSDT REST snapshot (fetched at 1633998512.32) delivered a second time,
/// later: at the end of the session and in its middle. The book has long moved past that snapshot's lastUpdateId, so
/// the snapshot is ignored and counted; the book ends exactly as in the clean replay, live, with no gap.
/// </summary>
public sealed class StaleSnapshotReplayTests
{
    private static string Capture(string name) => SharedData.File("cex_ws", "cryptofeed", name);

    private static string WithRepeatedSnapshot(double atSeconds)
    {
        string[] lines = File.ReadAllLines(Capture("BINANCE.http.0.0"));
        string nkn = Array.Find(lines, l => l.Contains("symbol=NKNUSDT", StringComparison.Ordinal))!;
        int arrow = nkn.IndexOf(" -> ", StringComparison.Ordinal);
        int colon = nkn.IndexOf(": ", arrow, StringComparison.Ordinal);
        string repeated = nkn[..(arrow + 4)] + atSeconds.ToString("0.000000", CultureInfo.InvariantCulture) + nkn[colon..];
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}-BINANCE.http.0.0");
        File.WriteAllLines(path, [.. lines, repeated]);
        return path;
    }

    private static ReplayPipeline Replay(params string[] files)
    {
        var opportunities = new RingBuffer<Opportunity>(1 << 12, ProducerType.Single, WaitStrategyKind.Yielding);
        var drained = new Sequence();
        opportunities.AddGatingSequences(drained);
        var pipeline = new ReplayPipeline(ReplaySession.Load(files), _ => 0.001, 5, opportunities);
        for (int i = 0; i < pipeline.Session.Tape.Count; i++)
        {
            pipeline.Step(i);
            drained.Value = opportunities.Cursor;
        }

        return pipeline;
    }

    private static int BookOf(ReplayPipeline pipeline, string symbol)
    {
        for (int b = 0; b < pipeline.Books.Count; b++)
        {
            if (pipeline.SymbolOf(b) == symbol)
            {
                return b;
            }
        }

        throw new InvalidOperationException(symbol);
    }

    [Theory]
    [InlineData(1633998541.0)] // after the last frame of the session
    [InlineData(1633998527.0)] // mid-session, with diffs still to come
    public void A_repeated_older_snapshot_is_ignored_and_the_book_stays_as_the_stream_made_it(double atSeconds)
    {
        ReplayPipeline clean = Replay(Capture("BINANCE.ws.1.0"), Capture("BINANCE.http.0.0"));
        ReplayPipeline repeated = Replay(Capture("BINANCE.ws.1.0"), WithRepeatedSnapshot(atSeconds));

        int b = BookOf(repeated, "NKNUSDT");
        int c = BookOf(clean, "NKNUSDT");
        VenueIntegrity integrity = repeated.Books.Integrity(repeated.Session.Venues[0].Id);
        Assert.Equal(1, integrity.StaleSnapshots);
        Assert.Equal(1, repeated.Books.State(b).Counters.StaleSnapshots);
        Assert.Equal(4, integrity.Snapshots);
        Assert.Equal(0, integrity.Errors + integrity.Resyncs);
        Assert.Equal(BookStatus.Live, repeated.Books.State(b).Status);
        Assert.True(repeated.Books.IsTradeable(b));
        Assert.Equal(clean.Books.State(c).LastUpdateId, repeated.Books.State(b).LastUpdateId);
        Assert.Equal(clean.Books.Book(c).Bids.ToArray(), repeated.Books.Book(b).Bids.ToArray());
        Assert.Equal(clean.Books.Book(c).Asks.ToArray(), repeated.Books.Book(b).Asks.ToArray());
    }
}
