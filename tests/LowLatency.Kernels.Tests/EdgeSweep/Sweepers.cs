using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels.Tests.EdgeSweep;

public enum Impl
{
    Reference,
    Simd,
    HostSimd,
    IlgpuCpu,
}

internal static class Sweepers
{
    /// <summary>Runs one implementation; <paramref name="ilgpuHost"/> is needed only for <see cref="Impl.IlgpuCpu"/>.</summary>
    public static EdgeSweepStatus Run(
        Impl impl,
        SweepCase c,
        double[] net,
        double[] gross,
        KernelHost? ilgpuHost = null,
        EdgeSweepShape? shapeOverride = null)
    {
        var shape = shapeOverride ?? c.Shape;
        switch (impl)
        {
            case Impl.Reference:
                return EdgeSweepReference.Sweep(shape, c.Bid, c.Ask, c.Tradeable, c.TakerFee, net, gross);
            case Impl.Simd:
                return EdgeSweepSimd.Sweep(shape, c.Bid, c.Ask, c.Tradeable, c.TakerFee, net, gross);
            case Impl.HostSimd:
                using (var host = new KernelHost(new EdgeSweepShape(600, EdgeSweepLimits.MaxVenues), KernelBackendPreference.Simd))
                {
                    Assert.Equal(KernelBackend.Simd, host.Backend);
                    return host.Sweep(shape, c.Bid, c.Ask, c.Tradeable, c.TakerFee, net, gross);
                }

            case Impl.IlgpuCpu:
                Assert.NotNull(ilgpuHost);
                Assert.Equal(KernelBackend.IlgpuCpu, ilgpuHost.Backend);
                return ilgpuHost.Sweep(shape, c.Bid, c.Ask, c.Tradeable, c.TakerFee, net, gross);
            default:
                throw new ArgumentOutOfRangeException(nameof(impl));
        }
    }

    public static (double[] Net, double[] Gross) RunOk(Impl impl, SweepCase c, KernelHost? ilgpuHost = null)
    {
        var (net, gross) = c.NewOutputs();
        Assert.Equal(EdgeSweepStatus.Ok, Run(impl, c, net, gross, ilgpuHost));
        Assert.DoesNotContain(SweepCase.Poison, net);
        Assert.DoesNotContain(SweepCase.Poison, gross);
        return (net, gross);
    }
}
