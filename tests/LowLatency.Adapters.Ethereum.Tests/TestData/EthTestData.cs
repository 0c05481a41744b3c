using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.Tests;

/// <summary>Locates ../shared/data/eth (override: LL_SHARED_DATA) and loads its JSON, gunzipping .gz files.</summary>
internal static class EthTestData
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Root => s_root.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, "eth", .. parts]);

    public static JsonDocument Load(params string[] parts)
    {
        string path = PathOf(parts);
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 4096 });
    }

    private static string FindRoot()
    {
        string? env = Environment.GetEnvironmentVariable("LL_SHARED_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env))
        {
            return env;
        }

        // Artifacts may live outside the repo (LL_ARTIFACTS), so also walk up from this source file.
        foreach (string start in new[] { AppContext.BaseDirectory, ThisFileDirectory() })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(Path.Combine(candidate, "eth")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("shared/data not found next to the repo; set LL_SHARED_DATA.");
    }

    private static string ThisFileDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path) ?? ".";
}
