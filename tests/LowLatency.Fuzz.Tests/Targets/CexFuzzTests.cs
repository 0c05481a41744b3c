using LowLatency.Fuzz.Tests.Cex;
using LowLatency.Fuzz.Tests.Engine;
using Xunit.Abstractions;

namespace LowLatency.Fuzz.Tests.Targets;

public sealed class BinanceFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Depth_diffs_never_throw_and_a_rejected_diff_changes_nothing() => FuzzRunner.Run(() => new BinanceFrameTarget(tickers: false), output);

    [Fact]
    public void Book_tickers_never_throw_and_a_rejected_top_changes_nothing() => FuzzRunner.Run(() => new BinanceFrameTarget(tickers: true), output);

    [Fact]
    public void Rest_snapshots_never_throw_and_an_accepted_one_makes_a_live_uncrossed_book() => FuzzRunner.Run(() => new BinanceSnapshotTarget(), output);
}

public sealed class InBandBookFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Okx_books_frames_never_throw_and_a_rejected_frame_changes_no_book() => FuzzRunner.Run(() => new InBandTarget(kraken: false), output);

    [Fact]
    public void Kraken_book_frames_never_throw_and_a_rejected_frame_changes_no_book() => FuzzRunner.Run(() => new InBandTarget(kraken: true), output);

    [Fact]
    public void Coinbase_l2_frames_never_throw_and_a_rejected_frame_changes_no_book() => FuzzRunner.Run(() => new InBandTarget(InBandVenue.Coinbase), output);

    [Fact]
    public void Bybit_orderbook_frames_never_throw_and_a_rejected_frame_changes_no_book() => FuzzRunner.Run(() => new InBandTarget(InBandVenue.Bybit), output);
}
