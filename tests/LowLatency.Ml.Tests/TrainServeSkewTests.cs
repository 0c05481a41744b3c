using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Features;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Ml.Data;
using LowLatency.Ml.Inference;
using LowLatency.Testing;

namespace LowLatency.Ml.Tests;

/// <summary>
/// A real capture replayed both ways: through the live chain (ring → FeatureStrategyHandler on the strategy side) and
/// through the dataset builder. Every value of every frame must agree: no training/serving skew.
/// </summary>
public sealed class TrainServeSkewTests
{
    /// <summary>
    /// The cryptofeed sessions share no asset across venues, so (as the replay pipeline tests do) the Binance session is
    /// also seen through a second venue: the same real frames with the hosts rewritten to Binance.US.
    /// </summary>
    private static string[] Captures()
    {
        string folder = Path.Combine(Path.GetTempPath(), "lowlatency-ml-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var paths = new List<string> { SharedData.File("cex_ws", "cryptofeed", "BINANCE.ws.1.0"), SharedData.File("cex_ws", "cryptofeed", "BINANCE.http.0.0") };
        foreach (string name in new[] { "BINANCE.ws.1.0", "BINANCE.http.0.0" })
        {
            string text = File.ReadAllText(SharedData.File("cex_ws", "cryptofeed", name))
                .Replace("stream.binance.com", "stream.binance.us", StringComparison.Ordinal)
                .Replace("api.binance.com", "api.binance.us", StringComparison.Ordinal);
            string path = Path.Combine(folder, "US_" + name);
            File.WriteAllText(path, text);
            paths.Add(path);
        }

        return [.. paths];
    }

    private sealed class Served
    {
        public List<float[]>[] Frames { get; init; } = [];
    }

    private readonly struct ServedSink(Served served) : IFeatureSink
    {
        public void OnFrame(int candidate, in MarketObservation observation, in FeatureFrame frame) =>
            served.Frames[candidate].Add(((ReadOnlySpan<float>)frame).ToArray());
    }

    /// <summary>The live shape: a market ring whose consumer is the strategy chain with the feature stage behind it.</summary>
    private static List<float[]>[] Serve(string[] paths, DatasetOptions options)
    {
        ReplaySession session = ReplaySession.Load(paths);
        var books = new BookSet(session.Books);
        int venues = Math.Max(2, session.Venues.Count);
        double[] fees = CaptureDatasets.Fees(session, options);
        int[] decimals = [.. session.Instruments.Select(i => i.PriceDecimals)];
        var edges = new EdgeStage(decimals.Length, venues, decimals, fees, 1e9);
        var strategy = new StrategyState(books, edges, null) { UseRecordedTime = true };
        IReadOnlyList<FeatureCandidate> candidates = CaptureDatasets.Candidates(session, books);
        var stage = new FeatureStage(strategy, candidates, fees, options.Features);
        var served = new Served { Frames = [.. candidates.Select(_ => new List<float[]>())] };
        var ring = new RingBuffer<TickEvent>(1 << 12, ProducerType.Single, WaitStrategyKind.Yielding);
        var handler = new FeatureStrategyHandler<ServedSink>(new StrategyHandler(strategy), stage, new ServedSink(served));
        var processor = new BatchEventProcessor<TickEvent, FeatureStrategyHandler<ServedSink>>(ring, ring.NewBarrier(), handler);
        ring.AddGatingSequences(processor.Sequence);
        var message = new BookMessage();
        for (int i = 0; i < session.Tape.Count; i++)
        {
            if (session.Decode(i, System.Diagnostics.Stopwatch.GetTimestamp(), message) == ParseResult.Message)
            {
                Assert.True(ReplaySession.Publish(message, ring));
                processor.Poll();
            }
        }

        return served.Frames;
    }

    [Fact]
    public void Live_features_and_training_rows_agree_on_every_value()
    {
        var options = new DatasetOptions { HorizonMs = 100, TakerFees = new Dictionary<string, double> { ["binance"] = 0.001, ["binance-us"] = 0.0006 }, Features = new FeatureOptions { LatencyMs = 20, NotionalQuote = 5_000 } };
        string[] paths = Captures();
        List<float[]>[] served = Serve(paths, options);
        FeatureDataset rows = CaptureDatasets.Build(paths, options);
        Assert.Equal(served.Length, rows.Streams.Count);
        Assert.True(served.Length >= 2, "the two venues quoting the same instruments make candidates");
        int compared = 0;
        for (int c = 0; c < served.Length; c++)
        {
            StreamInfo s = rows.Streams[c];
            Assert.Equal(served[c].Count, s.Count);
            for (int k = 0; k < s.Count; k++)
            {
                Assert.True(rows.Row(s.Start + k).SequenceEqual(served[c][k]), $"{s.Candidate} row {k} differs");
                compared++;
            }
        }

        Assert.True(compared > 1_000, $"{compared} frames compared");
        int withDepth = Enumerable.Range(0, rows.Count).Count(i => rows.Row(i)[FeatureIndex.DepthAvailable] == 1);
        Assert.True(withDepth > compared / 2, "the frames carry real depth from the books");
    }

    [Fact]
    public void Cutting_the_future_off_a_capture_moves_no_earlier_row()
    {
        var options = new DatasetOptions { HorizonMs = 100 };
        string[] paths = Captures();
        string folder = Path.Combine(Path.GetTempPath(), "lowlatency-ml-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string[] cut = [.. paths.Select(p => Path.Combine(folder, Path.GetFileName(p)))];
        for (int i = 0; i < paths.Length; i++)
        {
            string[] lines = File.ReadAllLines(paths[i]);
            File.WriteAllLines(cut[i], paths[i].Contains(".ws.", StringComparison.Ordinal) ? lines[..(lines.Length / 2)] : lines);
        }

        FeatureDataset full = CaptureDatasets.Build(paths, options);
        FeatureDataset early = CaptureDatasets.Build(cut, options);
        Assert.Equal(full.Streams.Count, early.Streams.Count);
        for (int c = 0; c < full.Streams.Count; c++)
        {
            StreamInfo f = full.Streams[c];
            StreamInfo e = early.Streams[c];
            Assert.True(e.Count > 0 && e.Count < f.Count);
            for (int k = 0; k < e.Count; k++)
            {
                Assert.True(full.Row(f.Start + k).SequenceEqual(early.Row(e.Start + k)), $"{f.Candidate} row {k} moved");
            }
        }
    }

    [Fact]
    public void The_scorer_on_the_strategy_chain_allocates_nothing_per_tick_and_scores_what_evaluation_scores()
    {
        var options = new DatasetOptions { HorizonMs = 100 };
        string[] paths = Captures();
        var model = new ScorerModel();
        Training.ScorerInit.Randomize(model, 3);
        ReplaySession session = ReplaySession.Load(paths);
        var books = new BookSet(session.Books);
        double[] fees = CaptureDatasets.Fees(session, options);
        int[] decimals = [.. session.Instruments.Select(i => i.PriceDecimals)];
        var strategy = new StrategyState(books, new EdgeStage(decimals.Length, Math.Max(2, session.Venues.Count), decimals, fees, 1e9), null) { UseRecordedTime = true };
        IReadOnlyList<FeatureCandidate> candidates = CaptureDatasets.Candidates(session, books);
        var stage = new FeatureStage(strategy, candidates, fees, options.Features);
        var scores = new CandidateScores(model, candidates.Count);
        var ring = new RingBuffer<TickEvent>(1 << 12, ProducerType.Single, WaitStrategyKind.Yielding);
        var processor = new BatchEventProcessor<TickEvent, FeatureStrategyHandler<ScoringSink>>(ring, ring.NewBarrier(),
            new FeatureStrategyHandler<ScoringSink>(new StrategyHandler(strategy), stage, new ScoringSink(scores)));
        ring.AddGatingSequences(processor.Sequence);
        var message = new BookMessage();
        var last = new float[candidates.Count];
        int half = session.Tape.Count / 2;
        long allocated = 0;
        for (int i = 0; i < session.Tape.Count; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            if (session.Decode(i, System.Diagnostics.Stopwatch.GetTimestamp(), message) == ParseResult.Message)
            {
                Assert.True(ReplaySession.Publish(message, ring));
                processor.Poll();
            }

            if (i >= half)
            {
                allocated += GC.GetAllocatedBytesForCurrentThread() - before; // the second half: everything is warm
            }
        }

        Assert.Equal(0, allocated);
        FeatureDataset rows = CaptureDatasets.Build(paths, options);
        double[] evaluated = Evaluation.Evaluator.ScoreAll(model, rows);
        Assert.Equal(rows.Count, scores.Scored);
        for (int c = 0; c < candidates.Count; c++)
        {
            StreamInfo s = rows.Streams[c];
            Assert.Equal((float)evaluated[s.Start + s.Count - 1], scores.Latest[c]);
        }
    }
}
