using System.Runtime.CompilerServices;

namespace LowLatency.Testing.Anvil;

/// <summary>
/// Finds the repository root and the shared data folder from a test process. Test binaries may be
/// built into a folder outside the repo (LL_ARTIFACTS), so walking up from the binary is not enough:
/// the order is env override, walk up from the binary, walk up from the working directory, then the
/// path this file was compiled from.
/// </summary>
public static class RepoLocator
{
    private static readonly Lazy<string?> s_repoRoot = new(FindRepoRoot);

    /// <summary>The repo root (the folder holding LowLatency.slnx), or null when it cannot be found.</summary>
    public static string? RepoRoot => s_repoRoot.Value;

    /// <summary>The shared read-only data folder (../shared/data from the repo root, or LL_SHARED_DATA).</summary>
    public static string SharedData
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("LL_SHARED_DATA");
            if (!string.IsNullOrEmpty(env))
            {
                return env;
            }

            foreach (var start in StartPoints())
            {
                for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                {
                    var candidate = Path.Combine(dir.FullName, "shared", "data");
                    if (Directory.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }

            throw new DirectoryNotFoundException("shared/data not found next to the repo; set LL_SHARED_DATA");
        }
    }

    private static string? FindRepoRoot()
    {
        var env = Environment.GetEnvironmentVariable("LL_REPO_ROOT");
        if (!string.IsNullOrEmpty(env) && IsRepoRoot(env))
        {
            return env;
        }

        foreach (var start in StartPoints())
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                if (IsRepoRoot(dir.FullName))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    private static bool IsRepoRoot(string dir) =>
        File.Exists(Path.Combine(dir, "LowLatency.slnx")) || File.Exists(Path.Combine(dir, "LowLatency.sln"));

    private static IEnumerable<string> StartPoints()
    {
        yield return AppContext.BaseDirectory;
        yield return Environment.CurrentDirectory;
        var source = SourceDirectory();
        if (!string.IsNullOrEmpty(source))
        {
            yield return source;
        }
    }

    private static string? SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path);
}
