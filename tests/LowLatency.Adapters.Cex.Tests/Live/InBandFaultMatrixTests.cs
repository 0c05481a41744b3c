using System.Text;
using System.Text.RegularExpressions;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.Testing;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Adapters.Cex.Tests.Live;

/// <summary>
/// The fault matrix of the in-band venues (OKX v5, Coinbase Advanced Trade, Bybit v5, Kraken WebSocket v2 and v1), one fault table
/// driving one loopback exchange: each recorded session is served to the live client with one fault aimed at the middle
/// of the stream. Every fault is detected (as the table below expects) and healed: every book ends live with the same top
/// 10 levels as the fault-free replay of the same frames. The Kraken v2 session is KRAKEN.ws.50.0 (v1, the only Kraken
/// session recorded) written as v2 frames by <see cref="KrakenV2ExchangeModel.Transcribe"/>; its replay is the v1 one.
/// Kraken v1 serves the same session as recorded (<see cref="KrakenV1ExchangeModel"/>).
/// </summary>
[Trait("Category", "Slow")]
public sealed class InBandFaultMatrixTests
{
    private const int KrakenDepth = 1000;

    public enum Fault
    {
        None,
        Drop,
        Duplicate,
        Reorder,
        Garbage,
        Truncate,
        Oversized,
        Disconnect,
        Stall,
        VenueError,
        RejectedSubscription,
        SlowReader,
    }

    public static TheoryData<string, Fault> Matrix()
    {
        var data = new TheoryData<string, Fault>();
        foreach (string venue in new[] { "okx", "coinbase", "bybit", "kraken-v2", "kraken" })
        {
            foreach (Fault fault in Enum.GetValues<Fault>())
            {
                data.Add(venue, fault);
            }
        }

        return data;
    }

    internal sealed record Session(ReplaySession Replay, IReadOnlyList<byte[]> Frames, LiveVenueKind Kind, Func<IInBandVenueModel> Model, string BookNeedle, int Depth)
    {
        /// <summary>Per frame: an update the checksum sees (Kraken's top 10, OKX's top 25); null where sequence numbers see every one.</summary>
        public Func<bool[]>? Visible { get; init; }
    }

    private static readonly Lazy<IReadOnlyList<byte[]>> s_krakenFrames = new(() =>
        KrakenV2ExchangeModel.Transcribe(RecordedCapture.Frames(KrakenFile).Select(f => f.Bytes), KrakenDepth));

    private static string KrakenFile => SharedData.File("cex_ws", "cryptofeed", "KRAKEN.ws.50.0");

    internal static Session Load(string venue)
    {
        switch (venue)
        {
            case "okx":
                string okx = SharedData.File("cex_ws", "cryptofeed", "OKX.ws.1.0");
                IReadOnlyList<byte[]> okxFrames = [.. RecordedCapture.Frames(okx).Select(f => f.Bytes)];
                return new Session(ReplaySession.Load([okx]), okxFrames, LiveVenueKind.Okx, () => new OkxExchangeModel(), "\"channel\":\"books\",\"instId\":\"BTC-USDT\"", 10)
                {
                    Visible = () => ChecksumVisible(okxFrames, new OkxExchangeModel(), (m, f) => m.TouchesTop25(f)),
                };
            case "coinbase":
                string coinbase = CoinbaseBybitLoopbackTests.Capture(CoinbaseBybitLoopbackTests.CoinbaseFile);
                return new Session(ReplaySession.Load([coinbase]), [.. RecordedCapture.JsonLinesFrames(coinbase, "COINBASE.ws.2").Select(f => f.Bytes)],
                    LiveVenueKind.Coinbase, () => new CoinbaseExchangeModel(), "\"product_id\":\"ETH-USD\"", 10);
            case "bybit":
                string bybit = CoinbaseBybitLoopbackTests.OneConnection(CoinbaseBybitLoopbackTests.BybitFile, CoinbaseBybitLoopbackTests.BybitLinear);
                return new Session(ReplaySession.Load([bybit]), [.. RecordedCapture.JsonLinesFrames(bybit, CoinbaseBybitLoopbackTests.BybitLinear).Select(f => f.Bytes)],
                    LiveVenueKind.Bybit, () => new BybitExchangeModel(), "\"topic\":\"orderbook.200.ETHUSDT\"", 10);
            case "kraken":
                // Kraken v1: the recorded session itself, served verbatim (updates carry their recorded checksums).
                IReadOnlyList<byte[]> v1 = [.. RecordedCapture.Frames(KrakenFile).Select(f => f.Bytes)];
                return new Session(ReplaySession.Load([KrakenFile]), v1, LiveVenueKind.Kraken, () => new KrakenV1ExchangeModel(KrakenDepth), "\"XMR/USD\"]", KrakenDepth)
                {
                    Visible = () => ChecksumVisible(v1, new KrakenV1ExchangeModel(KrakenDepth), (m, f) => m.TouchesTop10(f)),
                };
            default:
                return new Session(ReplaySession.Load([KrakenFile]), s_krakenFrames.Value, LiveVenueKind.KrakenV2, () => new KrakenV2ExchangeModel(KrakenDepth), "\"symbol\":\"XMR/USD\"", KrakenDepth)
                {
                    Visible = () => ChecksumVisible(s_krakenFrames.Value, new KrakenV2ExchangeModel(KrakenDepth), (m, f) => m.TouchesTop10(f)),
                };
        }
    }

    /// <summary>
    /// A middle update of one book whose loss the venue's rules must see: any update on Coinbase (sequence_num), a delta
    /// on Bybit (u), an update inside the top 10 on Kraken (its checksum covers no more). For a reorder, the next frame
    /// is an update of the same book too (two books' frames swapped are no fault).
    /// </summary>
    private static int Target(Session s, Fault fault)
    {
        bool[]? top = s.Visible?.Invoke();
        string update = s.Kind switch
        {
            LiveVenueKind.Coinbase => "\"type\":\"update\"",
            LiveVenueKind.Bybit => "\"type\":\"delta\"",
            LiveVenueKind.Okx => "\"action\":\"update\"",
            LiveVenueKind.Kraken => "\"c\":\"", // v1 updates carry a checksum, snapshots none
            _ => "\"type\":\"update\"",
        };
        bool IsUpdate(int i, string needle) => i < s.Frames.Count && Encoding.UTF8.GetString(s.Frames[i]) is { } t
            && t.Contains(needle, StringComparison.Ordinal) && t.Contains(update, StringComparison.Ordinal)
            && (top is null || top[i]);
        if (fault != Fault.Reorder)
        {
            return InBandLoopbackHarness.NthIndex(s.Frames, [s.BookNeedle, update], 10, i => IsUpdate(i, s.BookNeedle));
        }

        // Two updates of one book in a row (any book: Bybit interleaves four).
        string any = s.Kind switch { LiveVenueKind.Bybit => "\"topic\":\"orderbook.", LiveVenueKind.KrakenV2 => "\"symbol\":", LiveVenueKind.Kraken => "\"book-", LiveVenueKind.Okx => "\"channel\":\"books\"", _ => "\"product_id\":" };
        return InBandLoopbackHarness.NthIndex(s.Frames, [any, update], 5, i => IsUpdate(i, any) && BookKey(s.Frames[i]) == BookKey(s.Frames[i + 1]));
    }

    private static bool[] ChecksumVisible<TModel>(IReadOnlyList<byte[]> frames, TModel model, Func<TModel, byte[], bool> touches)
        where TModel : IInBandVenueModel
    {
        bool[] visible = new bool[frames.Count];
        for (int i = 0; i < frames.Count; i++)
        {
            visible[i] = touches(model, frames[i]);
            model.Apply(frames[i]);
        }

        return visible;
    }

    private static string BookKey(byte[] frame)
    {
        // Kraken v1 names the pair last: [id, {..}, "book-N", "PAIR"].
        Match m = Regex.Match(Encoding.UTF8.GetString(frame), "\"(?:topic|symbol|product_id|instId)\":\"([^\"]+)\"|\"book-\\d+\",\"([^\"]+)\"\\]$");
        return m.Groups[1].Value + m.Groups[2].Value;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_fault_is_detected_and_healed_with_the_fault_free_top_levels(string venue, Fault fault)
    {
        Session s = Load(venue);
        int target = Target(s, fault);
        var faults = new Dictionary<int, LoopbackFault>();
        if (fault is not (Fault.None or Fault.RejectedSubscription or Fault.SlowReader))
        {
            faults[target] = Enum.Parse<LoopbackFault>(fault.ToString());
        }

        InBandOutcome o = await InBandLoopbackHarness.RunAsync(s.Replay, s.Frames, s.Kind, s.Model, new InBandRun
        {
            Faults = faults,
            RejectSubscriptions = fault == Fault.RejectedSubscription ? 2 : 0,
            StaleAfter = fault == Fault.Stall ? TimeSpan.FromMilliseconds(500) : null,
            PingAfter = fault == Fault.Stall ? TimeSpan.FromMilliseconds(200) : null,
            BookDepth = s.Depth,
            RingSize = fault != Fault.SlowReader ? 1 << 14 : s.Kind == LiveVenueKind.Okx ? 1 << 7 : 1 << 10, // small enough to fill, large enough for a snapshot
            SlowReader = fault == Fault.SlowReader,
        });
        await using LoopbackInBandExchange server = o.Server;
        using WebSocketMarketDataClient client = o.Client;
        VenueIntegrity integrity = o.Books.Integrity(o.Venue);
        long detected = integrity.Gaps + integrity.ChecksumFailures;
        Assert.Equal(faults.Count, server.FaultsFired);

        switch (fault)
        {
            case Fault.None:
            case Fault.Duplicate:
                Assert.Equal(0, detected);
                Assert.Equal(0, client.Counters.Resubscribes);
                Assert.Equal(1, client.Counters.Connects);
                break;
            case Fault.Drop:
            case Fault.Truncate:
            case Fault.Reorder:
                Assert.True(detected >= 1, $"{fault}: not detected");
                Assert.True(client.Counters.Resubscribes >= 1);
                Assert.True(server.SnapshotsSent >= 1);
                if (fault == Fault.Truncate)
                {
                    Assert.True(client.Counters.Rejected >= 1);
                }

                break;
            case Fault.Garbage:
                Assert.True(client.Counters.Rejected >= 1);
                Assert.Equal(0, detected);
                Assert.Equal(0, client.Counters.Resubscribes);
                break;
            case Fault.Oversized:
                Assert.Equal(1, client.Counters.Oversized);
                Assert.Equal(0, detected);
                Assert.Equal(1, client.Counters.Connects);
                break;
            case Fault.Disconnect:
            case Fault.Stall:
                Assert.True(client.Counters.Connects >= 2);
                Assert.True(integrity.Gaps >= 1, "the books left Live when the connection was lost");
                Assert.True(server.SnapshotsSent >= 1); // every book the exchange had: the new subscription's snapshots
                if (fault == Fault.Stall)
                {
                    Assert.True(client.Counters.StaleHeartbeats >= 1);
                }

                break;
            case Fault.VenueError:
                Assert.True(client.Counters.VenueErrors >= 1);
                Assert.Contains(o.Log, l => l.Contains(s.Kind is LiveVenueKind.KrakenV2 or LiveVenueKind.Kraken ? "error message" : "refused the subscription", StringComparison.Ordinal));
                break;
            case Fault.RejectedSubscription:
                Assert.Equal(2, client.Counters.RejectedSubscriptions);
                Assert.True(client.Counters.Connects >= 3);
                break;
            case Fault.SlowReader:
                Assert.True(client.Counters.BackPressure > 0);
                Assert.Equal(0, detected);
                break;
        }

        InBandLoopbackHarness.AssertSameBooks(o, 10);
    }

    [Theory]
    [InlineData("okx", 100)]
    [InlineData("kraken-v2", 300)]
    [InlineData("kraken", 300)]
    public async Task Steady_state_frames_allocate_nothing_from_receive_to_ring_publish(string venue, int warmUpFrames)
    {
        Session s = Load(venue);
        InBandOutcome o = await InBandLoopbackHarness.RunAsync(s.Replay, s.Frames, s.Kind, s.Model, new InBandRun { BookDepth = s.Depth, MeasureAfterFrames = warmUpFrames });
        await using LoopbackInBandExchange server = o.Server;
        using WebSocketMarketDataClient client = o.Client;

        Assert.True(client.FramesMeasured > 200, $"{client.FramesMeasured} frames measured");
        Assert.Equal(0, client.FramePathAllocatedBytes);
        InBandLoopbackHarness.AssertSameBooks(o, int.MaxValue);
    }
}
