using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels.Tests.EdgeSweep;

/// <summary>
/// One <see cref="KernelHost"/> on ILGPU's CPU accelerator shared by the tests of the "IlgpuCpu"
/// collection (compiling the kernel is the slow part; the host is single-threaded, so one collection).
/// </summary>
public sealed class IlgpuCpuHostFixture : IDisposable
{
    public static readonly EdgeSweepShape Capacity = new(64, 17);

    public KernelHost Host { get; } = new(Capacity, KernelBackendPreference.IlgpuCpu);

    public void Dispose() => Host.Dispose();
}

[CollectionDefinition(Name)]
public sealed class IlgpuCpuCollection : ICollectionFixture<IlgpuCpuHostFixture>
{
    public const string Name = "IlgpuCpu";
}
