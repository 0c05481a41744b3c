using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LowLatency.Testing.Exchanges;

/// <summary>
/// Kraken spot WebSocket v1 as an exchange: <c>book-N</c> books kept per pair from the wire text (truncated to the
/// subscribed depth after every message, as Kraken keeps them: it sends no delete for a level pushed out of the top N),
/// each level with its price, volume and timestamp strings as written; a later book subscribe of a pair answered by a
/// snapshot <c>[channelID,{"as":[..],"bs":[..]},"book-N","PAIR"]</c> of it (v1 snapshots carry no checksum; the
/// recorded updates that follow carry theirs). Recorded frames are served verbatim. Test infrastructure; allocates freely.
/// </summary>
public sealed class KrakenV1ExchangeModel(int depth) : IInBandVenueModel
{
    private readonly Dictionary<string, Book> _books = new(StringComparer.Ordinal);
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);

    public byte[] Apply(byte[] frame)
    {
        if (!TryRead(frame, out string pair, out string channel, out int channelId, out List<(string Side, JsonElement Levels)> sides, out JsonDocument? document))
        {
            return frame;
        }

        using (document)
        {
            Book book = BookOf(pair);
            book.Channel = channel;
            book.ChannelId = channelId;
            if (sides.Exists(s => s.Side is "as" or "bs"))
            {
                book.Bids.Clear();
                book.Asks.Clear();
            }

            foreach ((string side, JsonElement levels) in sides)
            {
                SortedDictionary<decimal, (string Price, string Volume, string Time)> into = side is "b" or "bs" ? book.Bids : book.Asks;
                foreach (JsonElement level in levels.EnumerateArray())
                {
                    string price = level[0].GetString()!;
                    string volume = level[1].GetString()!;
                    decimal p = decimal.Parse(price, NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (decimal.Parse(volume, NumberStyles.Float, CultureInfo.InvariantCulture) == 0)
                    {
                        into.Remove(p);
                    }
                    else
                    {
                        into[p] = (price, volume, level[2].GetString()!);
                    }
                }
            }

            Truncate(book.Bids, bids: true);
            Truncate(book.Asks, bids: false);
        }

        return frame;
    }

    public IReadOnlyList<string> SnapshotRequests(string message)
    {
        using JsonDocument document = JsonDocument.Parse(message);
        JsonElement root = document.RootElement;
        if (!root.TryGetProperty("event", out JsonElement e) || !e.ValueEquals("subscribe"u8)
            || !root.GetProperty("subscription").GetProperty("name").ValueEquals("book"u8))
        {
            return [];
        }

        var keys = new List<string>();
        foreach (JsonElement pair in root.GetProperty("pair").EnumerateArray())
        {
            string name = pair.GetString()!;
            if (!_subscribed.Add(name))
            {
                keys.Add(name); // subscribed before: a resubscribe
            }
        }

        return keys;
    }

    public byte[]? Snapshot(string key)
    {
        if (!_books.TryGetValue(key, out Book? book))
        {
            return null;
        }

        static string Levels(IEnumerable<(string Price, string Volume, string Time)> levels) =>
            string.Join(',', levels.Select(l => $"[\"{l.Price}\",\"{l.Volume}\",\"{l.Time}\"]"));
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"[{book.ChannelId},{{\"as\":[{Levels(book.Asks.Values)}],\"bs\":[{Levels(book.Bids.Values.Reverse())}]}},\"{book.Channel}\",\"{key}\"]"));
    }

    public byte[] Rejection(string subscription) =>
        "{\"errorMessage\":\"Currency pair not supported\",\"event\":\"subscriptionStatus\",\"status\":\"error\",\"subscription\":{\"depth\":1000,\"name\":\"book\"}}"u8.ToArray();

    public byte[] VenueError() => "{\"event\":\"error\",\"errorMessage\":\"Exceeded msg rate\"}"u8.ToArray();

    public byte[] Marker(string text) => Encoding.UTF8.GetBytes($"{{\"event\":\"heartbeat\",\"loopback\":\"{text}\"}}");

    /// <summary>Whether a book update, applied next, changes a level inside the top 10 (where the checksum sees it).</summary>
    public bool TouchesTop10(byte[] frame)
    {
        if (!TryRead(frame, out string pair, out _, out _, out List<(string Side, JsonElement Levels)> sides, out JsonDocument? document))
        {
            return false;
        }

        using (document)
        {
            if (sides.Exists(s => s.Side is "as" or "bs"))
            {
                return false; // a snapshot, not an update
            }

            Book book = BookOf(pair);
            foreach ((string side, JsonElement levels) in sides)
            {
                bool bids = side == "b";
                List<decimal> top = [.. (bids ? book.Bids.Keys.Reverse() : (IEnumerable<decimal>)book.Asks.Keys).Take(10)];
                foreach (JsonElement level in levels.EnumerateArray())
                {
                    decimal p = decimal.Parse(level[0].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (top.Count < 10 || (bids ? p >= top[^1] : p <= top[^1]))
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }

    /// <summary>Reads a v1 book frame <c>[channelID, {..}(, {..}), "book-N", "PAIR"]</c>: its sides' level arrays.</summary>
    private static bool TryRead(byte[] frame, out string pair, out string channel, out int channelId, out List<(string Side, JsonElement Levels)> sides, out JsonDocument? document)
    {
        pair = channel = "";
        channelId = 0;
        sides = [];
        document = null;
        if (frame.Length == 0 || frame[0] != (byte)'[')
        {
            return false;
        }

        document = JsonDocument.Parse(frame);
        JsonElement root = document.RootElement;
        int n = root.GetArrayLength();
        if (n < 4 || root[n - 2].ValueKind != JsonValueKind.String || !root[n - 2].GetString()!.StartsWith("book-", StringComparison.Ordinal))
        {
            document.Dispose();
            document = null;
            return false;
        }

        channelId = root[0].GetInt32();
        channel = root[n - 2].GetString()!;
        pair = root[n - 1].GetString()!;
        for (int i = 1; i < n - 2; i++)
        {
            foreach (JsonProperty side in root[i].EnumerateObject())
            {
                if (side.Name is "a" or "b" or "as" or "bs")
                {
                    sides.Add((side.Name, side.Value));
                }
            }
        }

        return true;
    }

    private void Truncate(SortedDictionary<decimal, (string, string, string)> side, bool bids)
    {
        while (side.Count > depth)
        {
            side.Remove(bids ? side.Keys.First() : side.Keys.Last());
        }
    }

    private Book BookOf(string pair)
    {
        if (!_books.TryGetValue(pair, out Book? book))
        {
            book = new Book();
            _books.Add(pair, book);
        }

        return book;
    }

    private sealed class Book
    {
        public SortedDictionary<decimal, (string Price, string Volume, string Time)> Bids { get; } = [];

        public SortedDictionary<decimal, (string Price, string Volume, string Time)> Asks { get; } = [];

        public string Channel { get; set; } = "";

        public int ChannelId { get; set; }
    }
}
