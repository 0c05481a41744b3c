using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LowLatency.Adapters.Cex.Tests.Okx;

/// <summary>
/// An independent OKX book builder for tests: JsonDocument, decimal keys in SortedDictionary, the venue's own strings
/// kept, and the checksum computed the way OKX documents it (from the wire strings, with a CRC32 of its own).
/// Shares no code with the engine's parser, book or checksum.
/// </summary>
internal sealed class OkxReferenceBooks
{
    private static readonly IComparer<decimal> s_descending = Comparer<decimal>.Create((x, y) => y.CompareTo(x));

    public Dictionary<string, (SortedDictionary<decimal, (string Px, string Sz)> Bids, SortedDictionary<decimal, (string Px, string Sz)> Asks)> Books { get; } = [];

    public int ChecksumsChecked { get; private set; }

    public int ChecksumMismatches { get; private set; }

    /// <summary>Applies a frame if it is a books message; returns its instId or null.</summary>
    public string? Apply(string json)
    {
        using var doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        if (!root.TryGetProperty("arg", out JsonElement arg) || arg.GetProperty("channel").GetString() != "books" || !root.TryGetProperty("action", out JsonElement action))
        {
            return null;
        }

        string inst = arg.GetProperty("instId").GetString()!;
        JsonElement data = root.GetProperty("data")[0];
        if (action.GetString() == "snapshot" || !Books.ContainsKey(inst))
        {
            Books[inst] = (new SortedDictionary<decimal, (string, string)>(s_descending), new SortedDictionary<decimal, (string, string)>());
        }

        var (bids, asks) = Books[inst];
        ApplySide(bids, data.GetProperty("bids"));
        ApplySide(asks, data.GetProperty("asks"));
        if (data.TryGetProperty("checksum", out JsonElement checksum))
        {
            ChecksumsChecked++;
            if (Checksum(bids, asks) != checksum.GetInt32())
            {
                ChecksumMismatches++;
            }
        }

        return inst;
    }

    /// <summary>OKX's documented checksum: "bid:ask" pairs of the top 25, alternating, from the wire strings.</summary>
    public static int Checksum(SortedDictionary<decimal, (string Px, string Sz)> bids, SortedDictionary<decimal, (string Px, string Sz)> asks)
    {
        var b = bids.Values.Take(25).ToList();
        var a = asks.Values.Take(25).ToList();
        var parts = new List<string>();
        for (int i = 0; i < Math.Max(b.Count, a.Count); i++)
        {
            if (i < b.Count)
            {
                parts.Add(b[i].Px + ":" + b[i].Sz);
            }

            if (i < a.Count)
            {
                parts.Add(a[i].Px + ":" + a[i].Sz);
            }
        }

        return unchecked((int)ReferenceCrc32(Encoding.ASCII.GetBytes(string.Join(':', parts))));
    }

    /// <summary>Bitwise CRC-32 (no table): deliberately a different implementation from the engine's.</summary>
    public static uint ReferenceCrc32(byte[] bytes) => LowLatency.Testing.Exchanges.ReferenceCrc32.Compute(bytes);

    private static void ApplySide(SortedDictionary<decimal, (string, string)> side, JsonElement levels)
    {
        foreach (JsonElement level in levels.EnumerateArray())
        {
            string px = level[0].GetString()!;
            string sz = level[1].GetString()!;
            decimal price = decimal.Parse(px, CultureInfo.InvariantCulture);
            if (decimal.Parse(sz, CultureInfo.InvariantCulture) == 0)
            {
                side.Remove(price);
            }
            else
            {
                side[price] = (px, sz);
            }
        }
    }
}
