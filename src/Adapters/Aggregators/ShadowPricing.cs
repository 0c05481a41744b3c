using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace LowLatency.Adapters.Aggregators;

/// <summary>What one exact-input request asks: chain, the two tokens and the amount sold (base units).</summary>
public readonly record struct QuoteRequest(int ChainId, TokenRef Sell, TokenRef Buy, BigInteger SellAmount);

/// <summary>
/// One shadow-priced quote, for the log and the dashboard: every aggregator's answer and our own pool price side by
/// side, which was best, and — once the executor reports a fill — what was realised.
/// </summary>
public sealed record ShadowRecord(
    long Id,
    DateTimeOffset At,
    QuoteRequest Request,
    IReadOnlyList<AggregatorQuote> Aggregators,
    OwnQuote Own,
    string? Best,
    BigInteger? RealisedBuyAmount = null,
    string? RealisedVia = null,
    DateTimeOffset? RealisedAt = null)
{
    /// <summary>The name our own price goes by in records, the log and the table.</summary>
    public const string OwnName = "own";

    /// <summary>Buy tokens per sell token (whole units) for a buy amount in base units; null when nothing was sold.</summary>
    public double? PriceOf(BigInteger buyAmount) => Price(Request, buyAmount);

    public static double? Price(QuoteRequest request, BigInteger buyAmount) =>
        request.SellAmount <= 0 ? null : (double)buyAmount / (double)request.SellAmount * Math.Pow(10, request.Sell.Decimals - request.Buy.Decimals);

    /// <summary>How far the realised amount fell short of <paramref name="quoted"/>, in basis points (positive: got less).</summary>
    public static double ShortfallBps(BigInteger quoted, BigInteger realised) =>
        quoted <= 0 ? double.NaN : (double)(quoted - realised) * 10_000 / (double)quoted;
}

/// <summary>What became of a reported fill.</summary>
public enum FillOutcome : byte
{
    Recorded,
    UnknownQuote,
    Duplicate,
    InvalidAmount,
}

/// <summary>
/// Shadow pricing: every request is asked of every aggregator at once and priced on our own pools; the three prices are
/// one JSON line (<c>"type":"shadow"</c>) and a <see cref="ShadowRecord"/> kept for the dashboard (the last
/// <c>capacity</c>, newest first from <see cref="Recent"/>). <see cref="ReportFill"/> is the executor's call when a
/// fill happens: a <c>"type":"fill"</c> line with the realised amount next to the three prices and the shortfall of
/// each. A failed log write is counted and alerted, never silent and never an exception to the caller. Warm path
/// (I/O threads); a lock around the small ring; allocates.
/// </summary>
public sealed class ShadowPricing
{
    private readonly QuoteRouter _router;
    private readonly Func<QuoteRequest, OwnQuote>? _own;
    private readonly TextWriter? _log;
    private readonly Action<string>? _alert;
    private readonly Func<DateTimeOffset> _clock;
    private readonly ShadowRecord?[] _ring;
    private readonly Lock _gate = new();
    private long _next;
    private long _failedWrites;
    private long _unknownFills;
    private long _duplicateFills;

    /// <param name="own">Our own price, or null when no pool state is at hand (the record then says so).</param>
    /// <param name="log">Where the JSON lines go (null: none).</param>
    /// <param name="alert">Told once per failed log write, with the reason.</param>
    public ShadowPricing(QuoteRouter router, Func<QuoteRequest, OwnQuote>? own, TextWriter? log = null, Action<string>? alert = null,
        int capacity = 256, Func<DateTimeOffset>? clock = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _router = router;
        _own = own;
        _log = log;
        _alert = alert;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        _ring = new ShadowRecord?[capacity];
    }

    /// <summary>Why our own price is missing when no pricer was given.</summary>
    public string NoOwnPrice { get; init; } = "no node configured";

    public long FailedWrites => Interlocked.Read(ref _failedWrites);

    public long UnknownFills => Interlocked.Read(ref _unknownFills);

    public long DuplicateFills => Interlocked.Read(ref _duplicateFills);

    /// <summary>Asks every aggregator and our pools; logs and keeps the record.</summary>
    public async Task<ShadowRecord> QuoteAsync(QuoteRequest request, CancellationToken cancel)
    {
        AggregatorQuote[] quotes = await _router.QuoteAllAsync(request.ChainId, request.Sell.Address, request.Buy.Address, request.SellAmount, cancel).ConfigureAwait(false);
        OwnQuote own = _own is null ? OwnQuote.Failed(NoOwnPrice) : _own(request);
        return Record(request, quotes, own);
    }

    /// <summary>Records answers obtained elsewhere (tests, a caller that asked already).</summary>
    public ShadowRecord Record(QuoteRequest request, IReadOnlyList<AggregatorQuote> quotes, OwnQuote own)
    {
        ArgumentNullException.ThrowIfNull(quotes);
        string? best = null;
        BigInteger bestAmount = -1;
        foreach (AggregatorQuote q in quotes)
        {
            if (q.IsOk && q.BuyAmount > bestAmount)
            {
                (best, bestAmount) = (q.Aggregator, q.BuyAmount);
            }
        }

        if (own.IsOk && own.BuyAmount > bestAmount)
        {
            best = ShadowRecord.OwnName;
        }

        ShadowRecord record;
        lock (_gate)
        {
            record = new ShadowRecord(++_next, _clock(), request, [.. quotes], own, best);
            _ring[(int)(record.Id % _ring.Length)] = record;
        }

        Write(Line(record, fill: false));
        return record;
    }

    /// <summary>
    /// The executor's report of a fill of quote <paramref name="id"/> through <paramref name="via"/>: the realised buy
    /// amount is logged against the three prices. An unknown (or evicted) id, a second fill of the same quote, or a
    /// negative amount is a value, counted, and changes nothing.
    /// </summary>
    public FillOutcome ReportFill(long id, string via, BigInteger realisedBuyAmount)
    {
        ArgumentNullException.ThrowIfNull(via);
        if (realisedBuyAmount < 0)
        {
            return FillOutcome.InvalidAmount;
        }

        ShadowRecord filled;
        lock (_gate)
        {
            int slot = (int)(id % _ring.Length);
            ShadowRecord? record = id > 0 ? _ring[slot] : null;
            if (record is null || record.Id != id)
            {
                _unknownFills++;
                return FillOutcome.UnknownQuote;
            }

            if (record.RealisedBuyAmount is not null)
            {
                _duplicateFills++;
                return FillOutcome.Duplicate;
            }

            filled = record with { RealisedBuyAmount = realisedBuyAmount, RealisedVia = via, RealisedAt = _clock() };
            _ring[slot] = filled;
        }

        Write(Line(filled, fill: true));
        return FillOutcome.Recorded;
    }

    /// <summary>The kept records, newest first (a copy: the dashboard may hold it).</summary>
    public ShadowRecord[] Recent()
    {
        lock (_gate)
        {
            var list = new List<ShadowRecord>(_ring.Length);
            for (long id = _next; id > 0 && id > _next - _ring.Length; id--)
            {
                if (_ring[(int)(id % _ring.Length)] is { } r && r.Id == id)
                {
                    list.Add(r);
                }
            }

            return [.. list];
        }
    }

    /// <summary>The JSON line of a record (a quote, or its fill).</summary>
    public static string Line(ShadowRecord record, bool fill)
    {
        ArgumentNullException.ThrowIfNull(record);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", fill ? "fill" : "shadow");
            w.WriteNumber("id", record.Id);
            w.WriteString("at", (fill ? record.RealisedAt ?? record.At : record.At).ToString("O", CultureInfo.InvariantCulture));
            w.WriteNumber("chainId", record.Request.ChainId);
            w.WriteString("sell", record.Request.Sell.Symbol);
            w.WriteString("buy", record.Request.Buy.Symbol);
            w.WriteString("sellAmount", record.Request.SellAmount.ToString(CultureInfo.InvariantCulture));
            w.WriteStartObject("prices");
            foreach (AggregatorQuote q in record.Aggregators)
            {
                w.WriteStartObject(q.Aggregator);
                if (q.IsOk)
                {
                    WriteAmount(w, record, q.BuyAmount, record.RealisedBuyAmount);
                }
                else
                {
                    w.WriteString("error", q.Error.ToString());
                    w.WriteString("detail", q.Detail);
                }

                w.WriteEndObject();
            }

            w.WriteStartObject(ShadowRecord.OwnName);
            if (record.Own.IsOk)
            {
                WriteAmount(w, record, record.Own.BuyAmount, record.RealisedBuyAmount);
                w.WriteString("pool", record.Own.Pool);
                w.WriteString("kind", record.Own.Kind);
                w.WriteNumber("block", record.Own.Block);
            }
            else
            {
                w.WriteString("error", record.Own.Error);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            if (record.Best is null)
            {
                w.WriteNull("best");
            }
            else
            {
                w.WriteString("best", record.Best);
            }

            if (fill && record.RealisedBuyAmount is { } realised)
            {
                w.WriteString("via", record.RealisedVia);
                w.WriteString("realisedBuyAmount", realised.ToString(CultureInfo.InvariantCulture));
                WritePrice(w, "realisedPrice", record.PriceOf(realised));
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteAmount(Utf8JsonWriter w, ShadowRecord record, BigInteger amount, BigInteger? realised)
    {
        w.WriteString("buyAmount", amount.ToString(CultureInfo.InvariantCulture));
        WritePrice(w, "price", record.PriceOf(amount));
        if (realised is { } r)
        {
            w.WriteNumber("shortfallBps", Math.Round(ShadowRecord.ShortfallBps(amount, r), 3));
        }
    }

    private static void WritePrice(Utf8JsonWriter w, string name, double? price)
    {
        if (price is { } p && double.IsFinite(p))
        {
            w.WriteNumber(name, p);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private void Write(string line)
    {
        if (_log is null)
        {
            return;
        }

        try
        {
            lock (_log)
            {
                _log.WriteLine(line);
                _log.Flush();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _failedWrites);
            _alert?.Invoke("shadow pricing: writing the log failed: " + e.Message);
        }
    }
}
