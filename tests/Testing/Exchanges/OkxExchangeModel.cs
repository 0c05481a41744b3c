using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LowLatency.Testing.Exchanges;

/// <summary>
/// OKX v5 as an exchange: <c>books</c> kept per instrument from the frames it serves; a later <c>books</c> subscribe of an
/// instrument is answered by a snapshot of it with its checksum, computed here independently from the wire text (CRC-32
/// of <c>bid1px:bid1sz:ask1px:ask1sz:…</c> over the top 25, as a signed int). Test infrastructure; allocates freely.
/// </summary>
public sealed class OkxExchangeModel : IInBandVenueModel
{
    private const int ChecksumDepth = 25;
    private readonly Dictionary<string, (ModelSide Bids, ModelSide Asks, string Ts)> _books = new(StringComparer.Ordinal);
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);

    public byte[] Apply(byte[] frame)
    {
        if (!frame.AsSpan().StartsWith("{\"arg\":{\"channel\":\"books\""u8))
        {
            return frame;
        }

        using JsonDocument document = JsonDocument.Parse(frame);
        JsonElement root = document.RootElement;
        string instId = root.GetProperty("arg").GetProperty("instId").GetString()!;
        JsonElement data = root.GetProperty("data")[0];
        if (!_books.TryGetValue(instId, out var book))
        {
            book = (new ModelSide(), new ModelSide(), "0");
        }

        if (root.GetProperty("action").ValueEquals("snapshot"u8))
        {
            book.Bids.Clear();
            book.Asks.Clear();
        }

        foreach ((string name, ModelSide side) in new[] { ("bids", book.Bids), ("asks", book.Asks) })
        {
            foreach (JsonElement level in data.GetProperty(name).EnumerateArray())
            {
                side.Set(level[0].GetString()!, level[1].GetString()!);
            }
        }

        _books[instId] = (book.Bids, book.Asks, data.GetProperty("ts").GetString()!);
        return frame;
    }

    public IReadOnlyList<string> SnapshotRequests(string message)
    {
        using JsonDocument document = JsonDocument.Parse(message);
        JsonElement root = document.RootElement;
        if (!root.TryGetProperty("op", out JsonElement op) || !op.ValueEquals("subscribe"u8))
        {
            return [];
        }

        var keys = new List<string>();
        foreach (JsonElement arg in root.GetProperty("args").EnumerateArray())
        {
            string instId = arg.GetProperty("instId").GetString()!;
            if (arg.GetProperty("channel").ValueEquals("books"u8) && !_subscribed.Add(instId))
            {
                keys.Add(instId); // subscribed before: a resubscribe
            }
        }

        return keys;
    }

    public byte[]? Snapshot(string key)
    {
        if (!_books.TryGetValue(key, out var book))
        {
            return null;
        }

        static string Levels(IEnumerable<(string Price, string Size)> levels) =>
            string.Join(',', levels.Select(l => $"[\"{l.Price}\",\"{l.Size}\",\"0\",\"1\"]"));
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"arg\":{{\"channel\":\"books\",\"instId\":\"{key}\"}},\"action\":\"snapshot\",\"data\":[{{\"asks\":[{Levels(book.Asks.Best(false))}],\"bids\":[{Levels(book.Bids.Best(true))}],\"ts\":\"{book.Ts}\",\"checksum\":{Checksum(key)}}}]}}"));
    }

    /// <summary>The checksum of a book as the exchange holds it.</summary>
    public int Checksum(string instId)
    {
        var book = _books[instId];
        var bids = book.Bids.Best(true).Take(ChecksumDepth).ToList();
        var asks = book.Asks.Best(false).Take(ChecksumDepth).ToList();
        var parts = new List<string>();
        for (int i = 0; i < ChecksumDepth; i++)
        {
            if (i < bids.Count)
            {
                parts.Add($"{bids[i].Price}:{bids[i].Size}");
            }

            if (i < asks.Count)
            {
                parts.Add($"{asks[i].Price}:{asks[i].Size}");
            }
        }

        return unchecked((int)ReferenceCrc32.Compute(Encoding.ASCII.GetBytes(string.Join(':', parts))));
    }

    /// <summary>Whether a book update, applied next, changes a level inside the top 25 (where the checksum sees it).</summary>
    public bool TouchesTop25(byte[] frame)
    {
        if (!frame.AsSpan().StartsWith("{\"arg\":{\"channel\":\"books\""u8))
        {
            return false;
        }

        using JsonDocument document = JsonDocument.Parse(frame);
        JsonElement root = document.RootElement;
        if (!root.GetProperty("action").ValueEquals("update"u8) || !_books.TryGetValue(root.GetProperty("arg").GetProperty("instId").GetString()!, out var book))
        {
            return false;
        }

        JsonElement data = root.GetProperty("data")[0];
        return book.Bids.Touches(data.GetProperty("bids").EnumerateArray().Select(l => l[0].GetString()!), ChecksumDepth, descending: true)
            || book.Asks.Touches(data.GetProperty("asks").EnumerateArray().Select(l => l[0].GetString()!), ChecksumDepth, descending: false);
    }

    public byte[] Rejection(string subscription) => "{\"event\":\"error\",\"code\":\"60018\",\"msg\":\"Invalid args\",\"connId\":\"loopback\"}"u8.ToArray();

    public byte[] VenueError() => "{\"event\":\"error\",\"code\":\"60012\",\"msg\":\"Invalid request\",\"connId\":\"loopback\"}"u8.ToArray();

    public byte[] Marker(string text) => Encoding.UTF8.GetBytes($"{{\"event\":\"notice\",\"msg\":\"{text}\",\"connId\":\"loopback\"}}");
}
