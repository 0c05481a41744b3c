using LowLatency.Testing;
using System.Globalization;
using System.Text.Json;
using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels.Tests.EdgeSweep;

/// <summary>
/// Builds sweep inputs from recorded Binance bookTicker frames
/// (<c>1633998512.06: {"stream":"nknusdt@bookTicker","data":{"s":"NKNUSDT","b":"0.35","a":"0.36",...}}</c>).
/// Every symbol subscribed in a file is an instrument; its quotes are cut into <c>venueCount</c>
/// successive snapshots that play the venues. A symbol with fewer quotes than venues leaves the
/// early venues untradeable, one never quoted leaves all of them untradeable.
/// </summary>
internal static class RecordedQuotes
{
    public static readonly string[] Files = ["BINANCE.ws.1.0", "BINANCE_FUTURES.ws.1.0"];

    public static SweepCase Load(int venueCount, ReadOnlySpan<double> takerFee)
    {
        var quotes = new SortedDictionary<string, List<(double Bid, double Ask)>>(StringComparer.Ordinal);
        foreach (string file in Files)
        {
            Read(SharedData.File("cex_ws", "cryptofeed", file), quotes);
        }

        var shape = new EdgeSweepShape(quotes.Count, venueCount);
        var c = new SweepCase(shape, "recorded Binance bookTicker");
        takerFee[..venueCount].CopyTo(c.TakerFee);
        int i = 0;
        foreach (var (_, list) in quotes)
        {
            for (int v = 0; v < venueCount; v++)
            {
                int at = ((v + 1) * list.Count / venueCount) - 1;
                int q = shape.QuoteIndex(i, v);
                if (at >= 0)
                {
                    (c.Bid[q], c.Ask[q]) = list[at];
                    c.Tradeable[q] = 1;
                }
            }

            i++;
        }

        return c;
    }

    private static void Read(string path, SortedDictionary<string, List<(double Bid, double Ask)>> quotes)
    {
        foreach (string line in File.ReadLines(path))
        {
            // Header: "wss://...?streams=a@bookTicker/b@depth... <-> time".
            if (line.StartsWith("wss://", StringComparison.Ordinal))
            {
                string streams = line[(line.IndexOf("streams=", StringComparison.Ordinal) + 8)..].Split(' ')[0];
                foreach (string stream in streams.Split('/'))
                {
                    if (stream.EndsWith("@bookTicker", StringComparison.Ordinal))
                    {
                        string subscribed = stream[..stream.IndexOf('@', StringComparison.Ordinal)].ToUpperInvariant();
                        if (!quotes.ContainsKey(subscribed))
                        {
                            quotes[subscribed] = [];
                        }
                    }
                }

                continue;
            }

            int json = line.IndexOf('{', StringComparison.Ordinal);
            if (json < 0 || !line.Contains("@bookTicker\"", StringComparison.Ordinal))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line.AsMemory(json));
            var data = doc.RootElement.GetProperty("data");
            string symbol = data.GetProperty("s").GetString()!;
            double bid = double.Parse(data.GetProperty("b").GetString()!, CultureInfo.InvariantCulture);
            double ask = double.Parse(data.GetProperty("a").GetString()!, CultureInfo.InvariantCulture);
            if (!quotes.TryGetValue(symbol, out var list))
            {
                quotes[symbol] = list = [];
            }

            list.Add((bid, ask));
        }
    }
}
