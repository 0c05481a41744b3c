using System.Globalization;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Tests.Okx;

namespace LowLatency.Adapters.Cex.Tests.Kraken;

/// <summary>
/// An independent Kraken v1 book builder for tests: JsonDocument, decimal keys in SortedDictionary, the venue's strings
/// kept, truncated to the subscribed depth, and the checksum computed as Kraken documents it (strings with '.' removed
/// and leading zeros stripped; a bitwise CRC32). Shares no code with the engine's parser, book or checksum.
/// </summary>
internal sealed class KrakenReferenceBooks
{
    private static readonly IComparer<decimal> s_descending = Comparer<decimal>.Create((x, y) => y.CompareTo(x));

    public Dictionary<string, (SortedDictionary<decimal, (string Px, string Vol)> Bids, SortedDictionary<decimal, (string Px, string Vol)> Asks)> Books { get; } = [];

    public int ChecksumsChecked { get; private set; }

    public int ChecksumMismatches { get; private set; }

    /// <summary>Applies a frame if it is a book message; returns its pair or null.</summary>
    public string? Apply(string json)
    {
        using var doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        int n = root.GetArrayLength();
        string channel = root[n - 2].GetString()!;
        if (!channel.StartsWith("book-", StringComparison.Ordinal))
        {
            return null;
        }

        int depth = int.Parse(channel.AsSpan(5), CultureInfo.InvariantCulture);
        string pair = root[n - 1].GetString()!;
        string? checksum = null;
        for (int i = 1; i < n - 2; i++)
        {
            JsonElement payload = root[i];
            if (payload.TryGetProperty("as", out JsonElement snapAsks))
            {
                Books[pair] = (new SortedDictionary<decimal, (string, string)>(s_descending), new SortedDictionary<decimal, (string, string)>());
                ApplySide(Books[pair].Asks, snapAsks);
                ApplySide(Books[pair].Bids, payload.GetProperty("bs"));
            }

            if (payload.TryGetProperty("a", out JsonElement asks))
            {
                ApplySide(Books[pair].Asks, asks);
            }

            if (payload.TryGetProperty("b", out JsonElement bids))
            {
                ApplySide(Books[pair].Bids, bids);
            }

            if (payload.TryGetProperty("c", out JsonElement c))
            {
                checksum = c.GetString();
            }
        }

        Truncate(Books[pair].Bids, depth);
        Truncate(Books[pair].Asks, depth);
        if (checksum is not null)
        {
            ChecksumsChecked++;
            if (Checksum(Books[pair].Bids, Books[pair].Asks) != uint.Parse(checksum, CultureInfo.InvariantCulture))
            {
                ChecksumMismatches++;
            }
        }

        return pair;
    }

    public static uint Checksum(SortedDictionary<decimal, (string Px, string Vol)> bids, SortedDictionary<decimal, (string Px, string Vol)> asks)
    {
        var text = new StringBuilder();
        foreach (var (px, vol) in asks.Values.Take(10))
        {
            text.Append(Strip(px)).Append(Strip(vol));
        }

        foreach (var (px, vol) in bids.Values.Take(10))
        {
            text.Append(Strip(px)).Append(Strip(vol));
        }

        return OkxReferenceBooks.ReferenceCrc32(Encoding.ASCII.GetBytes(text.ToString()));
    }

    private static string Strip(string number) => number.Replace(".", "", StringComparison.Ordinal).TrimStart('0');

    private static void Truncate(SortedDictionary<decimal, (string, string)> side, int depth)
    {
        while (side.Count > depth)
        {
            side.Remove(side.Keys.Last());
        }
    }

    private static void ApplySide(SortedDictionary<decimal, (string, string)> side, JsonElement levels)
    {
        foreach (JsonElement level in levels.EnumerateArray())
        {
            string px = level[0].GetString()!;
            string vol = level[1].GetString()!;
            decimal price = decimal.Parse(px, CultureInfo.InvariantCulture);
            if (decimal.Parse(vol, CultureInfo.InvariantCulture) == 0)
            {
                side.Remove(price);
            }
            else
            {
                side[price] = (px, vol);
            }
        }
    }
}
