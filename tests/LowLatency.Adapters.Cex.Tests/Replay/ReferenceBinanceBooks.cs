using System.Globalization;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Tape;

namespace LowLatency.Adapters.Cex.Tests.Replay;

/// <summary>
/// An independent, deliberately plain Binance book builder for cross-checking: JsonDocument, decimal, SortedDictionary,
/// and the sync procedure written straight from Binance's "manage a local order book" instructions.
/// </summary>
internal sealed class ReferenceBinanceBooks(bool futures)
{
    private readonly Dictionary<string, Book> _books = [];

    public Book this[string symbol] => _books[symbol];

    public void Feed(CaptureTape tape, in CaptureRecord record)
    {
        if (record.Kind == CaptureRecordKind.HttpResponse)
        {
            string url = Encoding.UTF8.GetString(tape.Url(record));
            string symbol = url[(url.IndexOf("symbol=", StringComparison.Ordinal) + 7)..].Split('&')[0];
            using var doc = JsonDocument.Parse(tape.Payload(record).ToArray());
            Book book = Get(symbol);
            book.Bids.Clear();
            book.Asks.Clear();
            foreach (JsonElement level in doc.RootElement.GetProperty("bids").EnumerateArray())
            {
                book.Bids[Dec(level[0])] = Dec(level[1]);
            }

            foreach (JsonElement level in doc.RootElement.GetProperty("asks").EnumerateArray())
            {
                book.Asks[Dec(level[0])] = Dec(level[1]);
            }

            book.LastUpdateId = doc.RootElement.GetProperty("lastUpdateId").GetInt64();
            book.HasSnapshot = true;
            book.Bridged = false;
            List<JsonElement> buffered = [.. book.Buffered];
            book.Buffered.Clear();
            foreach (JsonElement diff in buffered)
            {
                Apply(book, diff);
            }

            return;
        }

        if (record.Kind != CaptureRecordKind.Received)
        {
            return;
        }

        using var frame = JsonDocument.Parse(tape.Payload(record).ToArray());
        JsonElement data = frame.RootElement.TryGetProperty("data", out JsonElement d) ? d : frame.RootElement;
        if (!data.TryGetProperty("e", out JsonElement e) || e.GetString() != "depthUpdate")
        {
            return;
        }

        Book target = Get(data.GetProperty("s").GetString()!);
        if (!target.HasSnapshot)
        {
            target.Buffered.Add(data.Clone());
            return;
        }

        Apply(target, data);
    }

    private void Apply(Book book, JsonElement diff)
    {
        if (book.Gap)
        {
            return;
        }

        long first = diff.GetProperty("U").GetInt64();
        long last = diff.GetProperty("u").GetInt64();
        if (!book.Bridged)
        {
            bool drop = futures ? last < book.LastUpdateId : last <= book.LastUpdateId;
            if (drop)
            {
                return;
            }

            bool bridges = futures ? first <= book.LastUpdateId && last >= book.LastUpdateId : first <= book.LastUpdateId + 1 && last >= book.LastUpdateId + 1;
            if (!bridges)
            {
                book.Gap = true;
                return;
            }

            book.Bridged = true;
        }
        else
        {
            bool contiguous = futures ? diff.GetProperty("pu").GetInt64() == book.LastUpdateId : first == book.LastUpdateId + 1;
            if (!contiguous)
            {
                book.Gap = true;
                return;
            }
        }

        book.LastUpdateId = last;
        foreach (JsonElement level in diff.GetProperty("b").EnumerateArray())
        {
            Set(book.Bids, Dec(level[0]), Dec(level[1]));
        }

        foreach (JsonElement level in diff.GetProperty("a").EnumerateArray())
        {
            Set(book.Asks, Dec(level[0]), Dec(level[1]));
        }
    }

    private static void Set(SortedDictionary<decimal, decimal> side, decimal price, decimal qty)
    {
        if (qty == 0)
        {
            side.Remove(price);
        }
        else
        {
            side[price] = qty;
        }
    }

    private static decimal Dec(JsonElement text) => decimal.Parse(text.GetString()!, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    private Book Get(string symbol)
    {
        if (!_books.TryGetValue(symbol, out Book? book))
        {
            book = new Book();
            _books[symbol] = book;
        }

        return book;
    }

    internal sealed class Book
    {
        public SortedDictionary<decimal, decimal> Bids { get; } = [];

        public SortedDictionary<decimal, decimal> Asks { get; } = [];

        public List<JsonElement> Buffered { get; } = [];

        public long LastUpdateId { get; set; }

        public bool HasSnapshot { get; set; }

        public bool Bridged { get; set; }

        public bool Gap { get; set; }

        /// <summary>Best levels first, as fixed-point raws at <paramref name="decimals"/>.</summary>
        public List<(long Price, long Qty)> Levels(bool bids, int decimals, int depth)
        {
            decimal scale = (decimal)Math.Pow(10, decimals);
            IEnumerable<KeyValuePair<decimal, decimal>> ordered = bids ? Bids.Reverse() : Asks;
            var result = new List<(long, long)>();
            foreach (var kv in ordered)
            {
                if (result.Count == depth)
                {
                    break;
                }

                result.Add(((long)(kv.Key * scale), (long)(kv.Value * scale)));
            }

            return result;
        }
    }
}
