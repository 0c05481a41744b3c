namespace LowLatency.Fuzz.Tests.Targets;

/// <summary>
/// Replays every minimised input the fuzzers found (<c>Regressions/&lt;target&gt;/</c>, our own small files) through its
/// target's check on a fresh target: each one crashed or broke an invariant before its fix.
/// </summary>
public sealed class RegressionTests
{
    private static string Root => Path.Combine(AppContext.BaseDirectory, "Regressions");

    public static TheoryData<string> Inputs()
    {
        var data = new TheoryData<string>();
        foreach (string folder in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            foreach (string file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(Root, file).Replace('\\', '/'));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void A_recorded_fuzz_finding_is_handled(string input)
    {
        string target = input[..input.IndexOf('/', StringComparison.Ordinal)];
        Assert.True(FuzzTargets.All.TryGetValue(target, out var create), $"Regressions/{target}: no fuzz target of that name");
        var fuzzTarget = create!();
        try
        {
            fuzzTarget.Check(File.ReadAllBytes(Path.Combine(Root, input)));
        }
        finally
        {
            (fuzzTarget as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void Every_regression_folder_names_a_target_and_every_target_its_name()
    {
        foreach (string folder in Directory.EnumerateDirectories(Root))
        {
            Assert.Contains(Path.GetFileName(folder), FuzzTargets.All.Keys);
        }

        foreach ((string name, var create) in FuzzTargets.All)
        {
            var target = create();
            Assert.Equal(name, target.Name);
            (target as IDisposable)?.Dispose();
        }
    }
}
