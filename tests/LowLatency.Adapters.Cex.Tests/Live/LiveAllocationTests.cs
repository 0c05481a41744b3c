namespace LowLatency.Adapters.Cex.Tests.Live;

public sealed class LiveAllocationTests
{
    [Fact]
    public async Task Steady_state_frames_allocate_nothing_from_receive_to_ring_publish()
    {
        await using BinanceLiveHarness h = await BinanceLiveHarness.StartAsync();
        await h.Exchange.WaitForSubscriptionsAsync(1);
        await h.Exchange.SendAsync(60); // warm-up: every frame kind, every book live
        await h.WaitAllLiveAsync();

        h.Client.MeasureAllocations = true;
        await h.Exchange.SendRestAsync();
        await h.SyncAsync();
        h.Client.MeasureAllocations = false;

        Assert.True(h.Client.FramesMeasured > 150, $"{h.Client.FramesMeasured} frames measured");
        Assert.Equal(0, h.Client.FramePathAllocatedBytes);
        h.AssertTopsMatchExchange();
    }
}
