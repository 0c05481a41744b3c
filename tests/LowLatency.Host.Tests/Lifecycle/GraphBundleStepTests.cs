using LowLatency.Kernels;
using LowLatency.Kernels.NegativeCycle;
using LowLatency.Testing.Graph;

namespace LowLatency.Host.Tests.Lifecycle;

/// <summary>The rig GraphBundleBenchmarks measures: one pool tick through the strategy step signs one bundle, 0 B.</summary>
public sealed class GraphBundleStepTests
{
    [Fact]
    public void Each_pool_tick_signs_one_bundle_with_its_own_nonce_and_allocates_nothing()
    {
        using var rig = new GraphBundleRig((nodes, edges) => new NegativeCycleHost(nodes, edges, KernelBackendPreference.Simd));
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(1, rig.PoolTick());
        }

        ulong nonce = rig.LastBundle.Nonce;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            rig.PoolTick();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(208, rig.Bundler.Built);
        Assert.Equal(nonce + 200, rig.LastBundle.Nonce);
        Assert.True(rig.LastBundle.TriggerTimestamp > 0 && rig.LastBundle.SignedTimestamp >= rig.LastBundle.TriggerTimestamp);
        Assert.Equal(0, allocated);
    }
}
