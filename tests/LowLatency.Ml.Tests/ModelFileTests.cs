using LowLatency.Ml.Inference;
using LowLatency.Ml.Training;

namespace LowLatency.Ml.Tests;

public sealed class ModelFileTests
{
    private static string Saved()
    {
        var model = new ScorerModel();
        ScorerInit.Randomize(model, 5);
        string path = Path.Combine(Path.GetTempPath(), "lowlatency-ml-" + Guid.NewGuid().ToString("N") + ".llm");
        model.Save(path);
        return path;
    }

    [Fact]
    public void A_saved_model_loads_back_bit_for_bit()
    {
        var model = new ScorerModel();
        ScorerInit.Randomize(model, 5);
        string path = Saved();
        Assert.True(ScorerModel.TryLoad(path, out ScorerModel? loaded, out string error), error);
        foreach (((string name, float[] a), (_, float[] b)) in model.Tensors().Zip(loaded!.Tensors()))
        {
            Assert.True(a.AsSpan().SequenceEqual(b), name);
        }
    }

    [Fact]
    public void A_missing_file_is_refused_with_a_clear_message()
    {
        Assert.False(ScorerModel.TryLoad("/nonexistent/scorer.llm", out ScorerModel? model, out string error));
        Assert.Null(model);
        Assert.Equal("/nonexistent/scorer.llm: no such model file", error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(5_000)]
    public void A_truncated_file_is_refused(int cut)
    {
        string path = Saved();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^cut]);
        Assert.False(ScorerModel.TryLoad(path, out _, out string error));
        Assert.Contains("truncated or damaged", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flipped_byte_is_refused()
    {
        string path = Saved();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        Assert.False(ScorerModel.TryLoad(path, out _, out string error));
        Assert.Contains("checksum", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_of_another_feature_version_is_refused_naming_both_versions()
    {
        string path = Saved();
        byte[] bytes = File.ReadAllBytes(path);
        byte[] content = bytes[..^32];
        content[12] = 99; // the feature schema version, after the magic (8) and format version (4)
        File.WriteAllBytes(path, [.. content, .. System.Security.Cryptography.SHA256.HashData(content)]);
        Assert.False(ScorerModel.TryLoad(path, out _, out string error));
        Assert.Contains("feature schema v99", error, StringComparison.Ordinal);
        Assert.Contains("this build builds v1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_refused()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "{\"weights\": []}");
        Assert.False(ScorerModel.TryLoad(path, out _, out string error));
        Assert.Contains("not a scorer model file", error, StringComparison.Ordinal);
    }
}
