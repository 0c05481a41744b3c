using LowLatency.Ml.Torch;
using TorchSharp;

namespace LowLatency.Ml.Tests;

/// <summary>Loads TorchSharp once per test run (with the GLIBCXX fix) on one thread, so results are deterministic.</summary>
internal static class TorchFixture
{
    private static readonly Lazy<bool> s_ready = new(() =>
    {
        string? error = TorchNative.EnsureLoadable();
        Assert.True(error is null, error);
        torch.set_num_threads(1);
        return true;
    });

    public static void Ensure() => Assert.True(s_ready.Value);
}
