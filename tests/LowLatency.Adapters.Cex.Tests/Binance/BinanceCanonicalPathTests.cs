using System.Text;
using LowLatency.Adapters.Cex.Binance;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.Adapters.Cex.Tests.Replay;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Binance;

/// <summary>
/// The byte-scanner fast path of <see cref="BinanceParser"/> against its reader path, differentially: each recorded
/// frame and snapshot, and mutations of them, is parsed as it is (canonical: the fast path may take it) and with one
/// space after the payload's opening brace (JSON-equivalent, and the fast path never takes it). Outcome, reason,
/// message and unknown-field counts must be the same. Each path has its own parser for the whole test, so the
/// counters they accumulate are compared too.
/// </summary>
public sealed class BinanceCanonicalPathTests
{
    private static readonly byte[] s_interesting = "\"\\,[]{}:09.-e x"u8.ToArray().Concat(new byte[] { 0, 0x1F, 0xC3, 0xFF }).ToArray();

    private static readonly string[] s_inserts =
    [
        "\"x\":1,", "\"T\":1,", "\"pu\":5,", "\"B\":\"1\",", ",\"b\":[]", "0", "00", "\"", "\\u0041", "[\"1\",\"2\"],", "-", ".5", "e5", "\"e\":\"depthUpdate\",",
    ];

    private static readonly (string From, string To)[] s_swaps =
    [
        ("depthUpdate", "bookTicker"), ("depthUpdate", "aggTrade"), ("\"U\":", "\"U\":0"), ("\"u\":", "\"u\":-"), ("\"E\":", "\"E\":9999999999999999"),
        ("\"s\":\"", "\"s\":\"X"), ("00000000\"", "00000001\""), ("\"]", "\",\"0\"]"), ("\"lastUpdateId\"", "\"lastUpdateID\""), ("[[", "[ ["),
        ("\"0.", "\"."), ("\"0.", "\"0..") , (".", ""),
    ];

    public static TheoryData<bool> Markets => new() { true, false };

    [Theory]
    [MemberData(nameof(Markets))]
    public void Recorded_messages_parse_the_same_on_both_paths(bool spot)
    {
        (List<byte[]> frames, List<(byte[] Url, byte[] Body)> snapshots) = Corpus(spot);
        var pair = new Pair(spot);
        int messages = 0;
        foreach (byte[] frame in frames)
        {
            messages += pair.Compare(frame, null) == ParseResult.Message ? 1 : 0;
        }

        foreach ((byte[] url, byte[] body) in snapshots)
        {
            messages += pair.Compare(body, url) == ParseResult.Message ? 1 : 0;
        }

        Assert.True(snapshots.Count >= 4, "the capture has its REST snapshots");
        Assert.Equal(frames.Count + snapshots.Count, messages);
    }

    [Theory]
    [MemberData(nameof(Markets))]
    public void Mutated_messages_parse_the_same_on_both_paths(bool spot)
    {
        (List<byte[]> frames, List<(byte[] Url, byte[] Body)> snapshots) = Corpus(spot);
        var pair = new Pair(spot);
        var random = new Random(spot ? 21 : 22);
        var outcomes = new Dictionary<string, int>();
        for (int i = 0; i < 6000; i++)
        {
            bool snapshot = i % 10 == 0;
            (byte[] url, byte[] body) = snapshot ? snapshots[random.Next(snapshots.Count)] : (null!, frames[random.Next(frames.Count)]);
            byte[] mutated = Mutate(body, random);
            ParseResult result = pair.Compare(mutated, snapshot ? url : null, out ParseError error);
            string key = result == ParseResult.Rejected ? "rejected:" + error : result.ToString();
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }

        // The mutations reach both paths' outcomes: accepted messages, several reasons to reject.
        Assert.True(outcomes.GetValueOrDefault(nameof(ParseResult.Message)) > 300, string.Join(", ", outcomes));
        Assert.True(outcomes.Keys.Count(k => k.StartsWith("rejected:", StringComparison.Ordinal)) >= 6, string.Join(", ", outcomes));
    }

    private static ParseResult Parse(BinanceReplayHarness h, byte[] input, byte[]? url) =>
        url is null ? h.Parser.ParseFrame(input, 11, 22, h.Scratch) : h.Parser.ParseDepthSnapshot(url, input, 11, 22, h.Scratch);

    /// <summary>Index of the payload's '{' where the parser looks for it, or -1.</summary>
    private static int BraceOf(byte[] input, bool snapshot) =>
        snapshot ? (input.Length > 0 && input[0] == (byte)'{' ? 0 : -1) : PayloadBrace(input);

    /// <summary>Index of the payload's '{' where the parser looks for it, or -1.</summary>
    private static int PayloadBrace(byte[] frame)
    {
        ReadOnlySpan<byte> span = frame;
        if (span.StartsWith("{\"stream\":\""u8))
        {
            int quote = span[11..].IndexOf((byte)'"');
            return quote >= 0 && span[(12 + quote)..].StartsWith(",\"data\":{"u8) ? 12 + quote + 8 : -1;
        }

        return span.StartsWith("{\"e\":"u8) ? 0 : -1;
    }

    private static string Describe(BookMessage m)
    {
        var sb = new StringBuilder();
        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"{m.Kind} {m.Venue.Value} {m.Instrument.Value} {m.Flags} {m.Checksum} {m.FirstUpdateId} {m.LastUpdateId} {m.PrevUpdateId} {m.ExchangeTimeNs} {m.ReceiveTimeNs} {m.ReceiveTimestamp} |");
        foreach (BookLevel level in m.Bids)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $" {level.Price.Raw}:{level.Quantity.Raw}");
        }

        sb.Append(" |");
        foreach (BookLevel level in m.Asks)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $" {level.Price.Raw}:{level.Quantity.Raw}");
        }

        return sb.ToString();
    }

    private static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        int count = random.Next(1, 3);
        for (int m = 0; m < count && bytes.Count > 0; m++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = s_interesting[random.Next(s_interesting.Length)];
                    break;
                case 1:
                    bytes.RemoveAt(at);
                    break;
                case 2:
                    bytes.Insert(at, s_interesting[random.Next(s_interesting.Length)]);
                    break;
                case 3:
                    bytes.InsertRange(at, Encoding.ASCII.GetBytes(s_inserts[random.Next(s_inserts.Length)]));
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    (string from, string to) = s_swaps[random.Next(s_swaps.Length)];
                    string text = Encoding.ASCII.GetString(bytes.ToArray());
                    int index = text.IndexOf(from, random.Next(Math.Max(1, text.Length / 2)), StringComparison.Ordinal);
                    index = index < 0 ? text.IndexOf(from, StringComparison.Ordinal) : index;
                    if (index >= 0 && text.All(c => c < 0x80))
                    {
                        bytes = [.. Encoding.ASCII.GetBytes(text[..index] + to + text[(index + from.Length)..])];
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    private static (List<byte[]> Frames, List<(byte[] Url, byte[] Body)> Snapshots) Corpus(bool spot)
    {
        CaptureTape tape = spot ? BinanceReplayHarness.LoadSpot() : BinanceReplayHarness.LoadFutures();
        var frames = new List<byte[]>();
        var snapshots = new List<(byte[] Url, byte[] Body)>();
        foreach (CaptureRecord record in tape.Records)
        {
            ReadOnlySpan<byte> payload = tape.Payload(record);
            if (record.Kind == CaptureRecordKind.Received && payload.IndexOf("depthUpdate"u8) >= 0)
            {
                frames.Add(payload.ToArray());
            }
            else if (record.Kind == CaptureRecordKind.HttpResponse && tape.Url(record).IndexOf("/depth?"u8) >= 0)
            {
                snapshots.Add((tape.Url(record).ToArray(), payload.ToArray()));
            }
        }

        return (frames, snapshots);
    }

    /// <summary>Two parsers of one market: one reads inputs as they are, the other their spaced twins.</summary>
    private sealed class Pair(bool spot)
    {
        private readonly BinanceReplayHarness _a = spot ? BinanceReplayHarness.Spot() : BinanceReplayHarness.Futures();
        private readonly BinanceReplayHarness _b = spot ? BinanceReplayHarness.Spot() : BinanceReplayHarness.Futures();

        public ParseResult Compare(byte[] input, byte[]? url) => Compare(input, url, out _);

        /// <summary>Parses the input and its spaced twin and asserts the same outcome.</summary>
        public ParseResult Compare(byte[] input, byte[]? url, out ParseError error)
        {
            int insertAt = BraceOf(input, url is not null);
            ParseResult result = Parse(_a, input, url);
            error = _a.Parser.LastError;
            // No brace where the fast path looks: the twin is the input itself, keeping the two parsers' counts in step.
            byte[] spaced = insertAt < 0 ? input : [.. input.AsSpan(0, insertAt + 1), (byte)' ', .. input.AsSpan(insertAt + 1)];
            ParseResult spacedResult = Parse(_b, spaced, url);
            string text = Encoding.UTF8.GetString(input);
            Assert.True(result == spacedResult, $"{result} vs {spacedResult} ({_a.Parser.LastError} vs {_b.Parser.LastError}) for {Cut(text)}");
            Assert.True(_a.Parser.LastError == _b.Parser.LastError, $"{_a.Parser.LastError} vs {_b.Parser.LastError} for {Cut(text)}");
            Assert.Equal(Describe(_b.Scratch), Describe(_a.Scratch));
            Assert.Equal(_b.Parser.UnknownFields.Total, _a.Parser.UnknownFields.Total);
            Assert.Equal(_b.Parser.UnknownFields.Entries().ToArray(), _a.Parser.UnknownFields.Entries().ToArray());
            return result;
        }
    }

    private static string Cut(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
