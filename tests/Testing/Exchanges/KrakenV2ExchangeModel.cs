using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LowLatency.Testing.Exchanges;

/// <summary>
/// Kraken spot WebSocket v2 as an exchange: <c>book</c> books kept per symbol (truncated to the subscribed depth, as
/// Kraken keeps them), a later book subscribe of a symbol answered by a snapshot of it with its v2 checksum, computed
/// here independently from the wire text (top 10 asks then bids, '.' and leading zeros removed, CRC-32). There is no
/// recorded v2 session in the shared data, so <see cref="Transcribe"/> writes a recorded v1 session (KRAKEN.ws.50.0) as
/// the v2 frames Kraken would have sent for it: the same levels, numbers written as JSON numbers at the same precision,
/// an <c>instrument</c> frame first, every book message with its checksum. Test infrastructure; allocates freely.
/// </summary>
public sealed class KrakenV2ExchangeModel(int depth) : IInBandVenueModel
{
    private readonly Dictionary<string, (ModelSide Bids, ModelSide Asks)> _books = new(StringComparer.Ordinal);
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);

    /// <summary>The v2 frames of a recorded v1 <c>book-N</c> session (events and other channels left out).</summary>
    public static IReadOnlyList<byte[]> Transcribe(IEnumerable<byte[]> v1Frames, int depth)
    {
        var model = new KrakenV2ExchangeModel(depth);
        var frames = new List<byte[]>();
        var precisions = new Dictionary<string, (int Price, int Qty)>(StringComparer.Ordinal);
        foreach (byte[] v1 in v1Frames)
        {
            if (v1.Length == 0 || v1[0] != (byte)'[')
            {
                continue;
            }

            using JsonDocument document = JsonDocument.Parse(v1);
            JsonElement root = document.RootElement;
            int n = root.GetArrayLength();
            string channel = root[n - 2].GetString()!;
            if (!channel.StartsWith("book-", StringComparison.Ordinal))
            {
                continue;
            }

            string symbol = root[n - 1].GetString()!;
            var bids = new List<(string, string)>();
            var asks = new List<(string, string)>();
            bool snapshot = false;
            string? time = null;
            for (int i = 1; i < n - 2; i++)
            {
                foreach (JsonProperty side in root[i].EnumerateObject())
                {
                    if (side.Name == "c")
                    {
                        continue;
                    }

                    snapshot |= side.Name is "as" or "bs";
                    List<(string, string)> into = side.Name is "b" or "bs" ? bids : asks;
                    foreach (JsonElement level in side.Value.EnumerateArray())
                    {
                        into.Add((level[0].GetString()!, level[1].GetString()!));
                        time = level[2].GetString();
                    }
                }
            }

            if (snapshot && !precisions.ContainsKey(symbol) && (bids.Count > 0 || asks.Count > 0))
            {
                (string p, string q) = bids.Count > 0 ? bids[0] : asks[0];
                precisions[symbol] = (Decimals(p), Decimals(q));
            }

            frames.Add(model.Apply(BookFrame(symbol, snapshot, bids, asks, checksum: null, time)));
        }

        string pairs = string.Join(',', precisions.Select(kv =>
            $"{{\"symbol\":\"{kv.Key}\",\"base\":\"{kv.Key.Split('/')[0]}\",\"status\":\"online\",\"price_precision\":{kv.Value.Price},\"qty_precision\":{kv.Value.Qty},\"marginable\":false}}"));
        frames.Insert(0, Encoding.UTF8.GetBytes($"{{\"channel\":\"instrument\",\"type\":\"snapshot\",\"data\":{{\"assets\":[{{\"id\":\"USD\",\"status\":\"enabled\"}}],\"pairs\":[{pairs}]}}}}"));
        return frames;
    }

    /// <summary>Applies a v2 book frame; a frame written without its checksum gets the exchange's (transcription).</summary>
    public byte[] Apply(byte[] frame)
    {
        if (!frame.AsSpan().StartsWith("{\"channel\":\"book\""u8))
        {
            return frame;
        }

        using JsonDocument document = JsonDocument.Parse(frame);
        JsonElement root = document.RootElement;
        JsonElement data = root.GetProperty("data")[0];
        string symbol = data.GetProperty("symbol").GetString()!;
        (ModelSide bids, ModelSide asks) = Book(symbol);
        if (root.GetProperty("type").ValueEquals("snapshot"u8))
        {
            bids.Clear();
            asks.Clear();
        }

        foreach ((string name, ModelSide side) in new[] { ("bids", bids), ("asks", asks) })
        {
            foreach (JsonElement level in data.GetProperty(name).EnumerateArray())
            {
                side.Set(level.GetProperty("price").GetRawText(), level.GetProperty("qty").GetRawText());
            }

            side.Truncate(depth, descending: name == "bids");
        }

        if (data.TryGetProperty("checksum", out _))
        {
            return frame;
        }

        string text = Encoding.UTF8.GetString(frame);
        int end = text.LastIndexOf("}]}", StringComparison.Ordinal); // the book object's end
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{text[..end]},\"checksum\":{Checksum(symbol)}}}]}}"));
    }

    public IReadOnlyList<string> SnapshotRequests(string message)
    {
        using JsonDocument document = JsonDocument.Parse(message);
        JsonElement root = document.RootElement;
        if (!root.TryGetProperty("method", out JsonElement method) || !method.ValueEquals("subscribe"u8)
            || !root.GetProperty("params").GetProperty("channel").ValueEquals("book"u8))
        {
            return [];
        }

        var keys = new List<string>();
        foreach (JsonElement symbol in root.GetProperty("params").GetProperty("symbol").EnumerateArray())
        {
            if (!_subscribed.Add(symbol.GetString()!))
            {
                keys.Add(symbol.GetString()!); // subscribed before: a resubscribe
            }
        }

        return keys;
    }

    public byte[] Rejection(string subscription) =>
        "{\"error\":\"Currency pair not supported\",\"method\":\"subscribe\",\"success\":false,\"time_in\":\"2023-10-06T17:35:55.219022Z\",\"time_out\":\"2023-10-06T17:35:55.219067Z\"}"u8.ToArray();

    public byte[] VenueError() =>
        "{\"error\":\"Exceeded msg rate\",\"method\":\"ping\",\"success\":false,\"time_in\":\"2023-10-06T17:35:55.219022Z\",\"time_out\":\"2023-10-06T17:35:55.219067Z\"}"u8.ToArray();

    public byte[] Marker(string text) => Encoding.UTF8.GetBytes($"{{\"channel\":\"heartbeat\",\"loopback\":\"{text}\"}}");

    /// <summary>Whether a book update, applied next, changes a level inside the top 10 (where the checksum sees it).</summary>
    public bool TouchesTop10(byte[] frame)
    {
        using JsonDocument document = JsonDocument.Parse(frame);
        JsonElement root = document.RootElement;
        if (!root.TryGetProperty("channel", out JsonElement channel) || !channel.ValueEquals("book"u8) || !root.GetProperty("type").ValueEquals("update"u8))
        {
            return false;
        }

        JsonElement data = root.GetProperty("data")[0];
        (ModelSide bids, ModelSide asks) = Book(data.GetProperty("symbol").GetString()!);
        return bids.Touches(data.GetProperty("bids").EnumerateArray().Select(l => l.GetProperty("price").GetRawText()), 10, descending: true)
            || asks.Touches(data.GetProperty("asks").EnumerateArray().Select(l => l.GetProperty("price").GetRawText()), 10, descending: false);
    }

    public byte[]? Snapshot(string key)
    {
        if (!_books.ContainsKey(key))
        {
            return null;
        }

        (ModelSide bids, ModelSide asks) = Book(key);
        string body = BookJson(key, snapshot: true, bids.Best(true).Take(depth), asks.Best(false).Take(depth), Checksum(key), time: null);
        return Encoding.UTF8.GetBytes(body);
    }

    /// <summary>The v2 checksum of a book as the exchange holds it.</summary>
    public uint Checksum(string symbol)
    {
        (ModelSide bids, ModelSide asks) = Book(symbol);
        var text = new StringBuilder();
        foreach ((string price, string qty) in asks.Best(false).Take(10).Concat(bids.Best(true).Take(10)))
        {
            text.Append(Strip(price)).Append(Strip(qty));
        }

        return ReferenceCrc32.Compute(Encoding.ASCII.GetBytes(text.ToString()));
    }

    private static string Strip(string number) => number.Replace(".", "", StringComparison.Ordinal).TrimStart('0');

    private static int Decimals(string number) => number.Contains('.', StringComparison.Ordinal) ? number.Length - number.IndexOf('.', StringComparison.Ordinal) - 1 : 0;

    private static byte[] BookFrame(string symbol, bool snapshot, IEnumerable<(string, string)> bids, IEnumerable<(string, string)> asks, uint? checksum, string? time) =>
        Encoding.UTF8.GetBytes(BookJson(symbol, snapshot, bids, asks, checksum, time));

    private static string BookJson(string symbol, bool snapshot, IEnumerable<(string Price, string Qty)> bids, IEnumerable<(string Price, string Qty)> asks, uint? checksum, string? time)
    {
        static string Levels(IEnumerable<(string Price, string Qty)> levels) =>
            string.Join(',', levels.Select(l => $"{{\"price\":{l.Price},\"qty\":{l.Qty}}}"));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"channel\":\"book\",\"type\":\"{(snapshot ? "snapshot" : "update")}\",\"data\":[{{\"symbol\":\"{symbol}\",\"bids\":[{Levels(bids)}],\"asks\":[{Levels(asks)}]");
        if (!snapshot && time is not null)
        {
            var at = DateTimeOffset.UnixEpoch.AddTicks((long)(decimal.Parse(time, CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond));
            sb.Append(CultureInfo.InvariantCulture, $",\"timestamp\":\"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffff}Z\"");
        }

        if (checksum is { } c)
        {
            sb.Append(CultureInfo.InvariantCulture, $",\"checksum\":{c}");
        }

        sb.Append("}]}");
        return sb.ToString();
    }

    private (ModelSide Bids, ModelSide Asks) Book(string symbol)
    {
        if (!_books.TryGetValue(symbol, out (ModelSide, ModelSide) book))
        {
            book = (new ModelSide(), new ModelSide());
            _books.Add(symbol, book);
        }

        return book;
    }
}

/// <summary>CRC-32 (IEEE 802.3, reflected, as zlib), bit by bit: the reference the venue checksums are tested against.</summary>
public static class ReferenceCrc32
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
