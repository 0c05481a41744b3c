using System.IO.Compression;
using System.Text;
using LowLatency.Fuzz.Tests.Engine;
using LowLatency.Testing;

namespace LowLatency.Fuzz.Tests.Tape;

/// <summary>
/// Small capture tapes cut from the real cryptofeed files (windows of consecutive lines, long lines left out), and the
/// line-level mutations a damaged capture shows: lost, repeated, reordered or joined lines, CRLF endings, broken
/// timestamps, arrows and URL prefixes.
/// </summary>
internal static class TapeCorpus
{
    private const int MaxLine = 1500;

    private static readonly string[] s_files =
    [
        "BINANCE.ws.1.0", "BINANCE.http.0.0", "BINANCE_FUTURES.ws.1.0", "BINANCE_FUTURES.http.0.0", "OKX.ws.1.0", "KRAKEN.ws.50.0",
        "KRAKEN.ws.48.0", "KRAKEN.ws.49.0", "BITSTAMP.ws.1.0", "BINANCE.0.gz", "BINANCE_FUTURES.0",
    ];

    private static readonly string[] s_timestamps =
        ["", "-1", "1e9", "99999999999", "9000000000.5", "9000000001", "1633998512.0633569.5", "1633998512,06", " 1633998512", "0", "0.0000000001", ".", "1633998512.0633569123456789"];

    private static readonly string[] s_prefixes = ["wss://", "ws://", "https://", "http://", "configuration: ", "", "wss:/", "1633998512.06: "];

    private static readonly string[] s_arrows = [" <-> ", " <- ", " -> ", " <> ", " ", " <-", "<->"];

    public static IReadOnlyList<byte[]> Windows { get; } = BuildWindows();

    /// <summary>A tape input: a corpus window, then line-level and byte or JSON mutations.</summary>
    public static byte[] Next(FuzzRandom rng, List<string> log)
    {
        byte[] seed = rng.Pick(Windows);
        if (rng.OneIn(32))
        {
            log.Add("unmutated");
            return (byte[])seed.Clone();
        }

        byte[] input = seed;
        int lineOps = rng.OneIn(3) ? 0 : rng.Next(1, 4);
        for (int i = 0; i < lineOps; i++)
        {
            input = LineOp(rng, input, log);
        }

        return lineOps == 0 || rng.OneIn(2) ? Mutator.Mutate(rng, input, Windows, json: true, log) : input;
    }

    public static byte[] Gzip(byte[] plain)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(plain);
        }

        return output.ToArray();
    }

    private static byte[] LineOp(FuzzRandom rng, byte[] input, List<string> log)
    {
        var lines = Encoding.Latin1.GetString(input).Split('\n').ToList();
        int i = rng.Next(lines.Count);
        switch (rng.Next(9))
        {
            case 0:
                log.Add("drop-line");
                lines.RemoveAt(i);
                break;
            case 1:
                log.Add("repeat-line");
                lines.Insert(i, lines[i]);
                break;
            case 2:
                log.Add("swap-lines");
                int j = rng.Next(lines.Count);
                (lines[i], lines[j]) = (lines[j], lines[i]);
                break;
            case 3:
                log.Add("join-lines");
                if (i + 1 < lines.Count)
                {
                    lines[i] += lines[i + 1];
                    lines.RemoveAt(i + 1);
                }

                break;
            case 4:
                log.Add("crlf");
                for (int k = 0; k < lines.Count; k++)
                {
                    lines[k] += "\r";
                }

                break;
            case 5:
                log.Add("timestamp");
                lines[i] = ReplaceTimestamp(lines[i], rng.Pick(s_timestamps));
                break;
            case 6:
                log.Add("arrow");
                foreach (string arrow in s_arrows[..3])
                {
                    int at = lines[i].IndexOf(arrow, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        lines[i] = lines[i][..at] + rng.Pick(s_arrows) + lines[i][(at + arrow.Length)..];
                        break;
                    }
                }

                break;
            case 7:
                log.Add("prefix");
                int scheme = lines[i].IndexOf("://", StringComparison.Ordinal);
                lines[i] = rng.Pick(s_prefixes) + (scheme >= 0 && scheme < 8 ? lines[i][(scheme + 3)..] : lines[i]);
                break;
            default:
                log.Add("blank-lines");
                lines.Insert(i, rng.Pick(["", "\r", "\0", " ", ": ", ":"]));
                break;
        }

        return Encoding.Latin1.GetBytes(string.Join('\n', lines));
    }

    private static string ReplaceTimestamp(string line, string timestamp)
    {
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 0)
        {
            return line;
        }

        int start = line.LastIndexOf(' ', Math.Max(0, colon - 1));
        start = start < 0 ? 0 : start + 1;
        return line[..start] + timestamp + line[colon..];
    }

    private static List<byte[]> BuildWindows()
    {
        var windows = new List<byte[]>();
        foreach (string file in s_files)
        {
            string path = SharedData.File("cex_ws", "cryptofeed", file);
            byte[] raw = File.ReadAllBytes(path);
            if (raw.Length > 2 && raw[0] == 0x1f && raw[1] == 0x8b)
            {
                using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gzip.CopyTo(plain);
                raw = plain.ToArray();
            }

            string[] lines = [.. Encoding.Latin1.GetString(raw).Split('\n').Where(l => l.Length is > 0 and <= MaxLine)];
            // The head (connection and subscription lines), then windows spread over the file.
            for (int start = 0, n = 0; start < lines.Length && n < 12; start += Math.Max(1, lines.Length / 12), n++)
            {
                int count = 2 + (n * 5 % 11);
                windows.Add(Encoding.Latin1.GetBytes(string.Join('\n', lines.Skip(start).Take(count)) + "\n"));
            }
        }

        return windows;
    }
}
