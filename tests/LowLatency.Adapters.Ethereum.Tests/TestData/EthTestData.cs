using System.IO.Compression;
using System.Text.Json;
using LowLatency.Testing;

namespace LowLatency.Adapters.Ethereum.Tests;

/// <summary>Paths in the shared data's eth/ folder, and its JSON loaded (gunzipping .gz files).</summary>
internal static class EthTestData
{
    public static string PathOf(params string[] parts) => Path.Combine([SharedData.Root, "eth", .. parts]);

    public static JsonDocument Load(params string[] parts)
    {
        string path = PathOf(parts);
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 4096 });
    }
}
