using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Features;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Ml.Data;

/// <summary>
/// Rows from recorded WebSocket/REST captures (cryptofeed sessions): the capture is replayed through the hot path
/// (<see cref="ReplayPipeline"/>: parsers → ring → venue-exact books) and, after every record, <see cref="FeatureStage"/>
/// builds the frames of the candidates the record touched — the very code the strategy thread runs live. Candidates:
/// every ordered pair of books on different venues whose instruments are one asset (the same symbol, or spot against its
/// perpetual). Cold path.
/// </summary>
public static class CaptureDatasets
{
    /// <summary>Every ordered pair of books on two venues quoting one asset (XYZ and XYZ-PERP count as one).</summary>
    public static IReadOnlyList<FeatureCandidate> Candidates(ReplaySession session, BookSet books)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(books);
        var list = new List<FeatureCandidate>();
        for (int a = 0; a < books.Count; a++)
        {
            for (int b = 0; b < books.Count; b++)
            {
                ref readonly BookSyncState sa = ref books.State(a);
                ref readonly BookSyncState sb = ref books.State(b);
                if (a != b && sa.Venue != sb.Venue && Asset(session, sa.Instrument) == Asset(session, sb.Instrument))
                {
                    list.Add(new FeatureCandidate(a, b));
                }
            }
        }

        return list;
    }

    /// <summary>Replays <paramref name="paths"/> and returns one stream per candidate. Throws <see cref="InvalidDataException"/> for files that are not captures.</summary>
    public static FeatureDataset Build(IReadOnlyList<string> paths, DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ReplaySession session = ReplaySession.Load(paths);
        var pipeline = new ReplayPipeline(session, options.FeeOf, thresholdBps: 1e9, opportunityRing: null);
        IReadOnlyList<FeatureCandidate> candidates = Candidates(session, pipeline.Books);
        var stage = new FeatureStage(pipeline.Strategy, candidates, Fees(session, options), options.Features);
        var sink = new CollectingSink(candidates.Count);
        for (int i = 0; i < session.Tape.Count; i++)
        {
            if (pipeline.Step(i) == ParseResult.Message)
            {
                stage.OnBatchEnd(ref sink);
            }
        }

        var dataset = new FeatureDataset();
        for (int c = 0; c < candidates.Count; c++)
        {
            FeatureCandidate candidate = candidates[c];
            dataset.BeginStream(string.Join('+', paths.Select(Path.GetFileName)),
                $"buy {pipeline.VenueNameOf(pipeline.Books.State(candidate.BuyBook).Venue)} {pipeline.SymbolOf(candidate.BuyBook)} sell {pipeline.VenueNameOf(pipeline.Books.State(candidate.SellBook).Venue)} {pipeline.SymbolOf(candidate.SellBook)}");
            foreach ((FeatureFrame frame, long time) in sink.Rows[c])
            {
                dataset.Add(in frame, time, frame[FeatureIndex.NetEdgeBps]);
            }

            dataset.LabelStream(options);
        }

        return dataset;
    }

    /// <summary>Taker fee per venue id of a session.</summary>
    public static double[] Fees(ReplaySession session, DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        var fees = new double[Math.Max(2, session.Venues.Count)];
        foreach (ReplayVenue venue in session.Venues)
        {
            fees[venue.Id.Value] = options.FeeOf(venue.Name);
        }

        return fees;
    }

    private static string Asset(ReplaySession session, InstrumentId id)
    {
        string name = session.Instruments[id.Value].Name;
        return name.EndsWith("-PERP", StringComparison.Ordinal) ? name[..^5] : name;
    }

    private readonly struct CollectingSink(int candidates) : IFeatureSink
    {
        public List<(FeatureFrame Frame, long Time)>[] Rows { get; } = [.. Enumerable.Range(0, candidates).Select(_ => new List<(FeatureFrame, long)>())];

        public void OnFrame(int candidate, in MarketObservation observation, in FeatureFrame frame) => Rows[candidate].Add((frame, observation.TimeNs));
    }
}
