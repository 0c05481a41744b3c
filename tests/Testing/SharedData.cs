namespace LowLatency.Testing;

/// <summary>
/// Finds the repository root and the shared, read-only test data (<c>../shared/data</c> beside the clone; CI has it
/// there too). <c>LL_SHARED_DATA</c> overrides the data folder.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);
    private static readonly Lazy<string> s_dataRoot = new(FindDataRoot);

    /// <summary>The folder holding LowLatency.sln.</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>The shared data folder (cex_ws/, eth/, market_history/, onchain/).</summary>
    public static string Root => s_dataRoot.Value;

    /// <summary>A path inside the shared data folder; fails the test clearly when the file is missing.</summary>
    public static string File(params string[] parts)
    {
        string path = System.IO.Path.Combine([Root, .. parts]);
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"shared test data missing: {path} (set LL_SHARED_DATA or place shared/ beside the clone)", path);
        }

        return path;
    }

    // The binaries may live outside the clone (LL_ARTIFACTS), so look above both them and the working directory.
    private static string[] SearchStarts =>
    [
        AppContext.BaseDirectory,
        Environment.CurrentDirectory,
        .. typeof(SharedData).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .Where(a => a.Key == "RepoRoot" && !string.IsNullOrEmpty(a.Value))
            .Select(a => a.Value!),
    ];

    private static string FindRepoRoot()
    {
        foreach (string start in SearchStarts)
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                if (System.IO.File.Exists(System.IO.Path.Combine(d.FullName, "LowLatency.sln")))
                {
                    return d.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException($"LowLatency.sln not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}");
    }

    private static string FindDataRoot()
    {
        if (Environment.GetEnvironmentVariable("LL_SHARED_DATA") is { Length: > 0 } overridden)
        {
            return overridden;
        }

        foreach (string start in SearchStarts)
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                string candidate = System.IO.Path.Combine(d.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("shared/data not found beside the repository; set LL_SHARED_DATA");
    }
}
