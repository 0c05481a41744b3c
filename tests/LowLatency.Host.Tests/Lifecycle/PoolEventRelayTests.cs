using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing.Graph;

namespace LowLatency.Host.Tests.Lifecycle;

/// <summary>
/// The relay paper mode reads the strategy thread's pool events from: each applied event is handed on in order, 0 B on
/// the strategy step; a reader a ring behind makes counted drops, never a wait.
/// </summary>
public sealed class PoolEventRelayTests
{
    [Fact]
    public void Applied_pool_events_are_handed_on_in_order_and_a_full_ring_drops_and_counts_without_waiting()
    {
        using var rig = new GraphBundleRig(null);
        var warm = new PoolEventRelay(size: 64);
        rig.Pipeline.Strategy.PoolRelay = warm;
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(1, rig.PoolTick());
        }

        var relay = new PoolEventRelay(size: 8);
        rig.Pipeline.Strategy.PoolRelay = relay;
        long cursor = relay.Ring.Cursor;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 8; i++)
        {
            rig.PoolTick();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(8, relay.Relayed);
        // The rig alternates the pair between two states, one block apart: the relay holds them as applied.
        var seen = new List<(long Block, (UInt256, UInt256) Reserves)>();
        for (long s = cursor + 1; s <= relay.Ring.Cursor; s++)
        {
            ref PoolUpdate u = ref PoolUpdate.Of(ref relay.Ring[s]);
            Assert.Equal(PoolUpdateKind.V2Reserves, u.Kind);
            Assert.Equal(rig.PairPoolId, u.Pool);
            seen.Add((u.Block, (u.A, u.B)));
        }

        Assert.Equal(8, seen.Count);
        for (int i = 1; i < seen.Count; i++)
        {
            Assert.Equal(seen[i - 1].Block + 1, seen[i].Block);
            Assert.NotEqual(seen[i - 1].Reserves, seen[i].Reserves);
            if (i >= 2)
            {
                Assert.Equal(seen[i - 2].Reserves, seen[i].Reserves);
            }
        }

        // A reader that never moves: the ring fills after 8 events and the rest are counted drops.
        var stuck = new PoolEventRelay(size: 8);
        stuck.Ring.AddGatingSequences(new HotPath.Ring.Sequence());
        rig.Pipeline.Strategy.PoolRelay = stuck;
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(1, rig.PoolTick()); // the strategy step goes on as before
        }

        Assert.Equal(8, stuck.Relayed);
        Assert.Equal(2, stuck.Dropped);
    }
}
