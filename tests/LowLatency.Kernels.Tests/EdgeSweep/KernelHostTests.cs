using ILGPU;
using ILGPU.Runtime.Cuda;
using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels.Tests.EdgeSweep;

/// <summary>Backend choice, the ILGPU kernel on the CPU accelerator, and the allocation-free SIMD path.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class KernelHostTests(IlgpuCpuHostFixture fixture)
{
    public static TheoryData<int, int, int> SmallShapes => new()
    {
        { 1, 2, 21 },
        { 7, 3, 22 },
        { 13, 4, 23 },
        { 11, 5, 24 },
        { 9, 7, 25 },
        { 4, 17, 26 },
        { 64, 17, 27 },
    };

    [Fact]
    public void Auto_picks_cuda_only_when_a_cuda_device_exists()
    {
        using var host = new KernelHost(new EdgeSweepShape(500, 5));
        using (var probe = Context.Create(builder => builder.Cuda()))
        {
            Assert.Equal(probe.GetCudaDevices().Count > 0 ? KernelBackend.Cuda : KernelBackend.Simd, host.Backend);
        }

        if (!File.Exists("/dev/nvidia0"))
        {
            Assert.Equal(KernelBackend.Simd, host.Backend);
            Assert.StartsWith("SIMD", host.DeviceName, StringComparison.Ordinal);
        }

        var c = SweepCase.Random(new EdgeSweepShape(500, 5), 31);
        var (refNet, refGross) = Sweepers.RunOk(Impl.Reference, c);
        var (net, gross) = c.NewOutputs();
        Assert.Equal(EdgeSweepStatus.Ok, host.Sweep(c.Shape, c.Bid, c.Ask, c.Tradeable, c.TakerFee, net, gross));
        SweepAssert.Parity(c, refNet, net, "net");
        SweepAssert.Parity(c, refGross, gross, "gross");
    }

    [Theory]
    [MemberData(nameof(SmallShapes))]
    public void Ilgpu_kernel_matches_reference_on_random_markets(int instruments, int venues, int seed)
    {
        var c = SweepCase.Random(new EdgeSweepShape(instruments, venues), seed);
        var (refNet, refGross) = Sweepers.RunOk(Impl.Reference, c);
        var (net, gross) = Sweepers.RunOk(Impl.IlgpuCpu, c, fixture.Host);
        int valid = SweepAssert.Parity(c, refNet, net, "net");
        SweepAssert.Parity(c, refGross, gross, "gross");
        Assert.Equal(EdgeSweepParityTests.CountValidPairs(c), valid);
    }

    [Fact]
    public void Ilgpu_kernel_matches_reference_on_recorded_binance_quotes()
    {
        var c = RecordedQuotes.Load(5, [0.001, 0.00075, 0.0004, 0.0002, 0]);
        var (refNet, refGross) = Sweepers.RunOk(Impl.Reference, c);
        var (net, gross) = Sweepers.RunOk(Impl.IlgpuCpu, c, fixture.Host);
        SweepAssert.Parity(c, refNet, net, "net");
        SweepAssert.Parity(c, refGross, gross, "gross");
    }

    [Fact]
    public void Ilgpu_host_reuses_its_buffers_across_shapes()
    {
        // A large sweep then a small one: stale device data beyond the small shape must not leak in.
        var big = SweepCase.Random(IlgpuCpuHostFixture.Capacity, 41);
        Sweepers.RunOk(Impl.IlgpuCpu, big, fixture.Host);
        var small = SweepCase.Random(new EdgeSweepShape(3, 4), 42);
        var (refNet, _) = Sweepers.RunOk(Impl.Reference, small);
        var (net, _) = Sweepers.RunOk(Impl.IlgpuCpu, small, fixture.Host);
        SweepAssert.Parity(small, refNet, net, "net");
        Assert.Equal(KernelBackend.IlgpuCpu, fixture.Host.Backend);
    }

    [Fact]
    public void Simd_sweep_does_not_allocate()
    {
        using var host = new KernelHost(new EdgeSweepShape(500, 5), KernelBackendPreference.Simd);
        var c = SweepCase.Random(new EdgeSweepShape(500, 5), 51);
        var (net, gross) = c.NewOutputs();
        for (int k = 0; k < 50; k++)
        {
            host.Sweep(c.Shape, c.Bid, c.Ask, c.Tradeable, c.TakerFee, net, gross);
            EdgeSweepSimd.Sweep(c.Shape, c.Bid, c.Ask, c.Tradeable, c.TakerFee, net, gross);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int ok = 0;
        for (int k = 0; k < 200; k++)
        {
            ok += host.Sweep(c.Shape, c.Bid, c.Ask, c.Tradeable, c.TakerFee, net, gross) == EdgeSweepStatus.Ok ? 1 : 0;
            ok += EdgeSweepSimd.Sweep(c.Shape, c.Bid, c.Ask, c.Tradeable, c.TakerFee, net, gross) == EdgeSweepStatus.Ok ? 1 : 0;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(400, ok);
        Assert.Equal(0, allocated);
    }
}
