using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing;

namespace LowLatency.Adapters.Cex.Tests.Pipeline;

/// <summary>The venue graph on the strategy thread over a recorded tape: updated from the books, evaluated, published, 0 B.</summary>
public sealed class GraphReplayTests
{
    private static readonly string[] s_quotes = ["USDT", "ETH", "BTC", "EUR"];

    /// <summary>Binance spot seen through two connections (the same real frames under two venue names), as in ReplayPipelineTests.</summary>
    private static string[] TwoVenueCaptures()
    {
        string folder = Path.Combine(Path.GetTempPath(), "lowlatency-tests", Guid.NewGuid().ToString("N"));
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

    private sealed class Run
    {
        public Run(string[] files)
        {
            Pipeline = new ReplayPipeline(ReplaySession.Load(files), _ => 0.001, 5, Opportunities);
            Opportunities.AddGatingSequences(Drained);
            BookSet books = Pipeline.Books;
            var assets = new Dictionary<string, int>();
            var nodes = new Dictionary<(int Asset, int Venue), int>();
            Graph = new VenueGraph(64, 256, 16, 1, maxBooks: 64);
            int ethAsset = assets["ETH"] = 0;
            int Node(string asset, int venue)
            {
                if (!assets.TryGetValue(asset, out int id))
                {
                    assets[asset] = id = assets.Count;
                }

                if (!nodes.TryGetValue((id, venue), out int node))
                {
                    nodes[(id, venue)] = node = Graph.AddNode(id, GraphLocationKind.Exchange, venue);
                }

                return node;
            }

            var map = new int[books.Count];
            for (int b = 0; b < books.Count; b++)
            {
                ref readonly BookSyncState state = ref books.State(b);
                string symbol = Pipeline.SymbolOf(b).ToUpperInvariant();
                string quote = s_quotes.First(q => symbol.EndsWith(q, StringComparison.Ordinal));
                string baseAsset = symbol[..^quote.Length];
                InstrumentSpec spec = Pipeline.Session.Instruments[state.Instrument.Value];
                // Zero taker fee: the same frames seen twice only cross by the spread, and the test wants crossings.
                map[b] = Graph.AddCexBook(Node(baseAsset, state.Venue.Value), Node(quote, state.Venue.Value), 0, spec.PriceDecimals, spec.QuantityDecimals, books.Book(b));
                if (state.Venue.Value == 0)
                {
                    Graph.PriceFromBook(map[b]);
                }
            }

            foreach (((int asset, int venue), int node) in nodes.ToArray())
            {
                if (venue == 0 && nodes.TryGetValue((asset, 1), out int other))
                {
                    Graph.AddInventoryLink(node, other);
                }
            }

            // A V2 NKN/USDT pair on chain 0 pricing NKN at 0.36 USDT, a few % above the recorded books, held in inventory
            // beside both exchanges: every move of the books re-prices the CEX-DEX routes.
            int nkn = Graph.AddNode(assets["NKN"], GraphLocationKind.Chain, 0, decimals: 18);
            int usdt = Graph.AddNode(assets["USDT"], GraphLocationKind.Chain, 0, decimals: 6);
            Pair = Graph.AddV2Pool(nkn, usdt, 30);
            for (int venue = 0; venue < 2; venue++)
            {
                Graph.AddInventoryLink(nodes[(assets["NKN"], venue)], nkn);
                Graph.AddInventoryLink(nodes[(assets["USDT"], venue)], usdt);
            }

            Graph.Freeze();
            Graph.UpdateV2Reserves(Pair, HotPath.Primitives.UInt256.Parse("1000000000000000000000000"), (HotPath.Primitives.UInt256)360_000_000_000UL);
            Graph.SetChainGas(0, new ChainGas { BaseFeeWei = 1e9, PriorityFeeWei = 1e8, NativeAsset = ethAsset, TxBaseGas = 21_000, V2SwapGas = 100_000, FlashLoanGas = 30_000, FlashLoanPremiumBps = 5 });
            Graph.SetAssetPrice(assets["USDT"], 1);
            Graph.SetAssetPrice(assets["ETH"], 3_500);
            Graph.SetAssetPrice(assets["BTC"], 55_000);
            Graph.SetAssetPrice(assets["EUR"], 1.16);
            Stage = new GraphStage(Graph, new GraphStageOptions { ThresholdBps = 0, MaxSizeQuote = 10_000 });
            Pipeline.Strategy.AttachGraph(Stage, map);
        }

        public RingBuffer<Opportunity> Opportunities { get; } = new(1 << 14, ProducerType.Single, WaitStrategyKind.Yielding);

        public Sequence Drained { get; } = new();

        public ReplayPipeline Pipeline { get; }

        public VenueGraph Graph { get; }

        public GraphStage Stage { get; }

        public int Pair { get; }

        public List<Opportunity> GraphOpportunities { get; } = [];

        public void Replay()
        {
            for (int i = 0; i < Pipeline.Session.Tape.Count; i++)
            {
                Pipeline.Step(i);
                Drained.Value = Opportunities.Cursor;
            }
        }
    }

    [Fact]
    public void Books_feed_the_graph_and_its_sized_opportunities_reach_the_ring_with_no_allocation_after_warm_up()
    {
        string[] files = TwoVenueCaptures();
        var warm = new Run(files);
        warm.Replay(); // JIT and statics

        var run = new Run(files);
        long before = GC.GetAllocatedBytesForCurrentThread();
        run.Replay();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(run.Stage.Evaluations > 100, run.Stage.Evaluations.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(run.Stage.PairRouteCount > 0);
        Assert.True(run.Pipeline.Strategy.GraphOpportunities > 0, $"{run.Stage.Candidates} candidates, {run.Stage.Unsized} unsized");
        Assert.Equal(warm.Pipeline.Strategy.GraphOpportunities, run.Pipeline.Strategy.GraphOpportunities); // deterministic

        int graphSeen = 0;
        for (long s = Math.Max(0, run.Opportunities.Cursor - (1 << 14) + 1); s <= run.Opportunities.Cursor; s++)
        {
            Opportunity o = run.Opportunities[s];
            if (o.Path.Count == 0)
            {
                Assert.Equal(OpportunityKind.CexCex, o.Kind); // the edge stage's, unchanged
                continue;
            }

            graphSeen++;
            Assert.Equal(OpportunityKind.CexDex, o.Kind);
            Assert.Equal(4, o.Path.Count); // trade, inventory link, trade, inventory link
            Assert.True(o.Costs.Gas > 0 && o.Costs.PoolFees > 0);
            Assert.True(o.Size > 0 && o.SizeQuote <= 10_000 * (1 + 1e-9));
            Assert.True(o.NetProfitQuote >= 0);
            Assert.Equal(o.GrossProfitQuote - o.Costs.Total, o.NetProfitQuote, 9);
        }

        Assert.True(graphSeen > 0);
    }
}
