using System.Text;
using System.Text.Json.Nodes;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Primitives;
using LowLatency.Fuzz.Tests.Cex;
using LowLatency.Fuzz.Tests.Engine;
using LowLatency.Testing;

namespace LowLatency.Fuzz.Tests.Tape;

/// <summary>
/// Mutated capture sessions (one to three files: input files are separated by <see cref="Separator"/>) through
/// <see cref="ReplaySession.Load"/>'s start-up scan, then every record through <see cref="ReplaySession.Decode"/>, and
/// every sixteenth session through the whole <see cref="ReplayPipeline"/>. The only exception Load documents for bad
/// input is <see cref="InvalidDataException"/> (a file whose venue cannot be told, a damaged gzip stream); the replay
/// command reports it in one line.
/// </summary>
internal sealed class ReplaySessionTarget : FuzzTarget, IDisposable
{
    public static readonly byte[] Separator = "\n#--next-file--\n"u8.ToArray();

    private static readonly Lazy<List<byte[]>> s_corpus = new(BuildCorpus);
    private readonly string _folder = FuzzSettings.NewScratchFolder();
    private readonly BookMessage _scratch = new();

    public override string Name => "replay-session";

    public override IReadOnlyList<byte[]> Corpus => s_corpus.Value;

    public override void Check(byte[] input)
    {
        var paths = new List<string>();
        int start = 0;
        while (paths.Count < 3)
        {
            int next = input.AsSpan(start).IndexOf(Separator);
            int end = next < 0 || paths.Count == 2 ? input.Length : start + next;
            string path = Path.Combine(_folder, "capture" + paths.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            File.WriteAllBytes(path, input.AsSpan(start, end - start).ToArray());
            paths.Add(path);
            if (end == input.Length)
            {
                break;
            }

            start = end + Separator.Length;
        }

        ReplaySession session;
        try
        {
            session = ReplaySession.Load(paths);
        }
        catch (InvalidDataException)
        {
            Outcome("refused: " + paths.Count + " file(s)");
            return;
        }

        long messages = 0, rejected = 0;
        for (int i = 0; i < session.Tape.Count; i++)
        {
            ParseResult result = session.Decode(i, ParserChecks.ReceiveTimestamp, _scratch);
            Invariant.That(Enum.IsDefined(result), "decode: an undefined result");
            if (result == ParseResult.Message)
            {
                messages++;
                Invariant.That(session.Venues.Any(v => v.Id == _scratch.Venue), "decode: a message of no session venue");
                Invariant.That(_scratch.Instrument.Value < session.Instruments.Count, "decode: a message of no session instrument");
            }
            else if (result == ParseResult.Rejected)
            {
                rejected++;
            }
        }

        Invariant.Equal(messages, session.Venues.Sum(v => v.Counters.Messages), "counters: messages vs decoded messages");
        Invariant.Equal(rejected, session.Venues.Sum(v => v.Counters.TotalRejected), "counters: rejections vs decoded rejections");
        Outcome(messages > 0 ? "replayed with messages" : "replayed, no messages");
        if (input.Length % 16 != 0 || session.Books.Count == 0)
        {
            return;
        }

        // The hot path over the same records (fresh parsers: a second session).
        ReplaySession again = ReplaySession.Load(paths);
        var pipeline = new ReplayPipeline(again, _ => 0.001, 5, opportunityRing: null, ringSize: 256);
        for (int i = 0; i < again.Tape.Count; i++)
        {
            pipeline.Step(i);
        }

        Invariant.Equal(messages, pipeline.Published, "pipeline: published vs decoded messages");
        BookHarness.CheckInvariants(pipeline.Books);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static List<byte[]> BuildCorpus()
    {
        byte[] binance = Head("BINANCE.ws.1.0", 8), binanceHttp = Head("BINANCE.http.0.0", 1);
        byte[] futures = Head("BINANCE_FUTURES.ws.1.0", 8), futuresHttp = Head("BINANCE_FUTURES.http.0.0", 1);
        byte[] okx = Head("OKX.ws.1.0", 24, keep: l => !l.Contains("\"trades\"", StringComparison.Ordinal) || l.StartsWith("wss", StringComparison.Ordinal));
        byte[] kraken = Head("KRAKEN.ws.50.0", 20);
        return
        [
            [.. binance, .. Separator, .. binanceHttp],
            [.. futures, .. Separator, .. futuresHttp],
            okx,
            kraken,
            [.. binance, .. Separator, .. binanceHttp, .. Separator, .. okx],
            [.. kraken, .. Separator, .. okx],
            [.. futures, .. Separator, .. futuresHttp, .. Separator, .. kraken],
        ];
    }

    /// <summary>The first lines of a capture, with every book in them cut to a few levels a side.</summary>
    private static byte[] Head(string file, int lines, Func<string, bool>? keep = null)
    {
        IEnumerable<string> all = File.ReadLines(SharedData.File("cex_ws", "cryptofeed", file));
        var sb = new StringBuilder();
        foreach (string line in all.Where(keep ?? (_ => true)).Take(lines))
        {
            int json = line.IndexOf(": ", StringComparison.Ordinal);
            string text = line;
            if (json > 0 && line.Length > 1500)
            {
                JsonNode? node = JsonNode.Parse(line[(json + 2)..]);
                CutLevels(node);
                text = line[..(json + 2)] + node!.ToJsonString();
            }

            sb.Append(text).Append('\n');
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void CutLevels(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array when array.Count > 0 && array[0] is JsonArray:
                while (array.Count > 4)
                {
                    array.RemoveAt(array.Count - 1);
                }

                break;
            case JsonArray array:
                foreach (JsonNode? child in array)
                {
                    CutLevels(child);
                }

                break;
            case JsonObject obj:
                foreach ((_, JsonNode? child) in obj)
                {
                    CutLevels(child);
                }

                break;
        }
    }
}
