using LowLatency.Ml.Torch;

namespace LowLatency.Ml.Tests;

public sealed class TorchNativeTests
{
    private static string OriginalLibrary()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"the TorchSharp package is restored: {path}");
        return path;
    }

    [Fact]
    public void The_fix_marks_only_the_GLIBCXX_3_4_32_requirement_weak_and_is_idempotent()
    {
        string copy = Path.Combine(Path.GetTempPath(), "lowlatency-ml-" + Guid.NewGuid().ToString("N") + ".so");
        File.Copy(OriginalLibrary(), copy);
        byte[] before = File.ReadAllBytes(copy);
        Assert.Equal(TorchNative.ElfFind.Found, TorchNative.TryFindVernaux(before, "GLIBCXX_3.4.32", out int offset));
        Assert.Equal(0, before[offset] & 2);

        Assert.Null(TorchNative.PatchFile(copy));
        byte[] after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        int differing = Enumerable.Range(0, before.Length).Count(i => before[i] != after[i]);
        Assert.Equal(1, differing);
        Assert.Equal(2, after[offset] & 2);

        Assert.Null(TorchNative.PatchFile(copy));
        Assert.Equal(after, File.ReadAllBytes(copy));
    }

    [Fact]
    public void A_file_that_is_not_an_ELF_library_is_reported_not_changed()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "not a library");
        Assert.EndsWith("not a 64-bit little-endian ELF file", TorchNative.PatchFile(path), StringComparison.Ordinal);
        Assert.Equal("not a library", File.ReadAllText(path));
        Assert.Equal(TorchNative.ElfFind.NotRequired, TorchNative.TryFindVernaux(File.ReadAllBytes("/bin/ls"), "GLIBCXX_3.4.32", out _));
    }
}
