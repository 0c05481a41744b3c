using System.Globalization;
using System.IO.Compression;
using System.Text;
using LowLatency.Adapters.Dex.Common;

namespace LowLatency.Adapters.Dex.Replay;

/// <summary>One row of a raw on-chain log CSV, decoded by the same decoder the node feed uses.</summary>
public readonly record struct RawLogRow(int Line, DexLog Log, DecodeStatus Status, long UnixSeconds, string? Error);

/// <summary>One row of a per-block V2 reserves CSV (getReserves() at the end of each block).</summary>
public readonly record struct ReservesRow(int Line, ulong Block, UInt256 Reserve0, UInt256 Reserve1, string? Error);

/// <summary>
/// Readers for the recorded on-chain CSVs of <c>../shared/data/onchain/</c> (gzip or plain): the raw eth_getLogs rows
/// of a pool (<c>block_number,block_timestamp,transaction_hash,transaction_index,log_index,topics,data</c>, topics as a
/// Python list) and per-block V2 reserves (<c>blockNumber,reserve0,reserve1</c>). A bad row is a row with an
/// <c>Error</c> (the caller counts it), never an exception. Replay tooling: allocates per line.
/// </summary>
public static class OnchainCsv
{
    public const string RawLogHeader = "block_number,block_timestamp,transaction_hash,transaction_index,log_index,topics,data";
    public const string ReservesHeader = "blockNumber,reserve0,reserve1";

    /// <summary>What kind of on-chain CSV <paramref name="path"/> is, from its header line; null if neither.</summary>
    public static string? Sniff(string path)
    {
        using TextReader reader = OpenText(path);
        string? header = reader.ReadLine();
        return header switch
        {
            RawLogHeader => "raw-logs",
            ReservesHeader => "v2-reserves",
            _ => null,
        };
    }

    public static TextReader OpenText(string path)
    {
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
    }

    /// <summary>The 0x address inside a file name (demeter-fetch names files after the pool), if any.</summary>
    public static Address? AddressInName(string path)
    {
        string name = Path.GetFileName(path);
        int at = name.IndexOf("0x", StringComparison.OrdinalIgnoreCase);
        return at >= 0 && at + 42 <= name.Length && Address.TryParse(name.AsSpan(at, 42), out Address a) ? a : null;
    }

    /// <summary>Rows of a raw log CSV, each decoded as a log of <paramref name="pool"/> (the file has no address column).</summary>
    public static IEnumerable<RawLogRow> ReadRawLogs(string path, Address pool)
    {
        using TextReader reader = OpenText(path);
        string? header = reader.ReadLine();
        if (header != RawLogHeader)
        {
            yield return new RawLogRow(1, default, DecodeStatus.Malformed, 0, "not a raw log CSV (header " + Shorten(header) + ")");
            yield break;
        }

        byte[] topics = new byte[4 * 32];
        byte[] data = new byte[4096];
        int line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            yield return ParseRawLog(line, text, pool, topics, data);
        }
    }

    /// <summary>Rows of a per-block reserves CSV.</summary>
    public static IEnumerable<ReservesRow> ReadReserves(string path)
    {
        using TextReader reader = OpenText(path);
        string? header = reader.ReadLine();
        if (header != ReservesHeader)
        {
            yield return new ReservesRow(1, 0, default, default, "not a reserves CSV (header " + Shorten(header) + ")");
            yield break;
        }

        int line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            string[] f = text.Split(',');
            if (f.Length != 3 || !ulong.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong block) ||
                !UInt256.TryParse(f[1].Trim('"'), out UInt256 r0) || !UInt256.TryParse(f[2].Trim('"'), out UInt256 r1) ||
                r0.BitLength > 112 || r1.BitLength > 112)
            {
                yield return new ReservesRow(line, 0, default, default, "not blockNumber,reserve0,reserve1 with uint112 reserves");
                continue;
            }

            yield return new ReservesRow(line, block, r0, r1, null);
        }
    }

    internal static RawLogRow ParseRawLog(int line, string text, Address pool, byte[] topics, byte[] data)
    {
        // block_number,block_timestamp,transaction_hash,transaction_index,log_index,"['0x..', '0x..']",0xdata
        int quote = text.IndexOf(",\"[", StringComparison.Ordinal);
        int close = quote < 0 ? -1 : text.IndexOf("]\",", quote, StringComparison.Ordinal);
        if (quote < 0 || close < 0)
        {
            return Bad(line, "topics column missing");
        }

        string[] head = text[..quote].Split(',');
        if (head.Length != 5 ||
            !ulong.TryParse(head[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong block) ||
            !DateTime.TryParseExact(head[1], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime time) ||
            !uint.TryParse(head[3], NumberStyles.None, CultureInfo.InvariantCulture, out uint txIndex) ||
            !uint.TryParse(head[4], NumberStyles.None, CultureInfo.InvariantCulture, out uint logIndex))
        {
            return Bad(line, "block_number, block_timestamp, transaction_index or log_index is not valid");
        }

        int topicBytes = 0;
        foreach (string raw in text[(quote + 3)..close].Split(','))
        {
            string t = raw.Trim().Trim('\'');
            if (t.Length == 0)
            {
                continue;
            }

            if (topicBytes == topics.Length || !HexUtf8.TryDecode(Encoding.ASCII.GetBytes(t), topics.AsSpan(topicBytes, 32), out int n) || n != 32)
            {
                return Bad(line, "a topic is not 32 bytes of hex");
            }

            topicBytes += 32;
        }

        string dataText = text[(close + 3)..];
        if (!HexUtf8.TryDecode(Encoding.ASCII.GetBytes(dataText), data, out int dataBytes))
        {
            return Bad(line, "data is not hex (or longer than 4096 bytes)");
        }

        var log = new DexLog
        {
            Pool = pool,
            BlockNumber = block,
            LogIndex = logIndex,
            TransactionIndex = txIndex,
        };
        DecodeStatus status = DexLogDecoder.Decode(topics.AsSpan(0, topicBytes), data.AsSpan(0, dataBytes), ref log);
        long unix = new DateTimeOffset(time, TimeSpan.Zero).ToUnixTimeSeconds();
        return new RawLogRow(line, log, status, unix, status == DecodeStatus.Ok ? null : status == DecodeStatus.UnknownTopic ? "unknown event topic" : "malformed event");
    }

    private static RawLogRow Bad(int line, string error) => new(line, default, DecodeStatus.Malformed, 0, error);

    private static string Shorten(string? text) => text is null ? "missing" : "'" + (text.Length > 60 ? text[..60] + "…" : text) + "'";
}
