using LowLatency.Ml.Data;

namespace LowLatency.Ml.Agents;

/// <summary>
/// Agent 2, cross-chain arbitrage: buy BTC where it is cheaper, move it, sell it where it is dearer. No bridge data
/// exists here, so the two "chains" are two venues with real history of one pair (Kraken and Gemini BTC/USD, hourly,
/// 2017-08 → 2018-04) and the transfer takes one step (an hour, priced by the venues' real moves meanwhile): buy at
/// the hour's close with the taker fee, sell at the next hour's close on the other venue with its fee, less a fixed
/// transfer fee of 0.0005 BTC. Sizes 0.5 or 2 BTC.
/// </summary>
public sealed class CrossChainDesk : AgentDesk
{
    public const string KrakenFile = "market_history/hourly_3venues_2017-2018/kraken_BTCUSD_1h_2017-08-17_2018-04-30.csv";
    public const string GeminiFile = "market_history/hourly_3venues_2017-2018/gemini_BTCUSD_1h_2017-08-17_2018-04-30.csv";
    public const double KrakenFeeBps = 26;
    public const double GeminiFeeBps = 25;
    public const double TransferFeeBtc = 0.0005;
    private static readonly double[] s_sizes = [0, 0.5, 2];
    private readonly double[] _kraken;
    private readonly double[] _gemini;
    private readonly long[] _timeNs;

    private CrossChainDesk(double[] kraken, double[] gemini, long[] timeNs)
    {
        _kraken = kraken;
        _gemini = gemini;
        _timeNs = timeNs;
    }

    /// <summary>Loads both files and keeps the hours both have.</summary>
    public static CrossChainDesk Load(string dataRoot)
    {
        CandleSeries k = CandleSeries.Load(Path.Combine(dataRoot, KrakenFile));
        CandleSeries g = CandleSeries.Load(Path.Combine(dataRoot, GeminiFile));
        var gemini = new Dictionary<long, double>(g.Count);
        for (int i = 0; i < g.Count; i++)
        {
            gemini[g.OpenTimeNs[i]] = g.Close[i];
        }

        var kc = new List<double>();
        var gc = new List<double>();
        var ts = new List<long>();
        for (int i = 0; i < k.Count; i++)
        {
            if (gemini.TryGetValue(k.OpenTimeNs[i], out double gp) && gp > 0 && k.Close[i] > 0)
            {
                kc.Add(k.Close[i]);
                gc.Add(gp);
                ts.Add(k.OpenTimeNs[i]);
            }
        }

        if (ts.Count < 200)
        {
            throw new InvalidDataException($"{KrakenFile} and {GeminiFile}: only {ts.Count} common hours");
        }

        return new CrossChainDesk([.. kc], [.. gc], [.. ts]);
    }

    /// <summary>Another desk over the same prices (its own trading state).</summary>
    public CrossChainDesk Fresh() => new(_kraken, _gemini, _timeNs);

    public override int Id => 2;

    public override string Name => "cross-chain";

    public override int Length => _timeNs.Length - 1;

    public override int Warmup => 24;

    /// <summary>Own features before the shared signals (the live builder sizes its observation by it too).</summary>
    public const int OwnFeatures = 8;

    public override int FeatureCount => OwnFeatures;

    public override int ActionCount => 3;

    public override double StepsPerYear => 8760;

    public override double RewardScale => 100;

    public override string Description => "Kraken and Gemini BTC/USD hourly 2017-08..2018-04 as the two chains; buy at the close on the cheaper one (taker fee), sell one hour later on the other (its fee), transfer fee 0.0005 BTC";

    public override IReadOnlyList<string> DataFiles => [KrakenFile, GeminiFile];

    public long TimeNs(int t) => _timeNs[t];

    /// <summary>Kraken's close at <paramref name="t"/> (sizes the notional).</summary>
    public double PriceOf(int t) => _kraken[t];

    public override void ResetState()
    {
        LastNotional = 0;
        LastActive = false;
    }

    /// <summary>Gemini over Kraken, bps.</summary>
    public double SpreadBps(int t) => ((_gemini[t] / _kraken[t]) - 1) * 1e4;

    public static double CostBps(double price, double size) =>
        KrakenFeeBps + GeminiFeeBps + (size > 0 ? TransferFeeBtc / size * 1e4 : 0);

    public override void Features(int t, Span<float> f)
    {
        double s = SpreadBps(t);
        double vol = 0;
        for (int i = Math.Max(1, t - 23); i <= t; i++)
        {
            vol += Math.Abs(Math.Log(_kraken[i] / _kraken[i - 1]));
        }

        double hour = (_timeNs[t] / 3_600_000_000_000L % 24) * (2 * Math.PI / 24);
        f[0] = Clip(s / 50);
        f[1] = Clip((s - SpreadBps(Math.Max(0, t - 1))) / 50);
        f[2] = Clip((s - SpreadBps(Math.Max(0, t - 6))) / 50);
        f[3] = Clip((Math.Abs(s) - CostBps(_kraken[t], s_sizes[1])) / 50);
        f[4] = Clip(Math.Log(_kraken[t] / _kraken[Math.Max(0, t - 1)]) * 1e4 / 100);
        f[5] = Clip(vol * 1e4 / 24 / 100);
        f[6] = (float)Math.Sin(hour);
        f[7] = (float)Math.Cos(hour);
    }

    /// <summary>Go at the small size when the gap covers both fees and the transfer.</summary>
    public override int Rule(int t) => Math.Abs(SpreadBps(t)) > CostBps(_kraken[t], s_sizes[1]) ? 1 : 0;

    public override double Act(int t, int action, double scale)
    {
        double size = s_sizes[action] * scale;
        LastActive = size > 0;
        LastNotional = 0;
        if (!(size > 0))
        {
            return 0;
        }

        bool geminiRich = _gemini[t] > _kraken[t];
        double buy = geminiRich ? _kraken[t] * (1 + (KrakenFeeBps / 1e4)) : _gemini[t] * (1 + (GeminiFeeBps / 1e4));
        double sellPrice = geminiRich ? _gemini[t + 1] : _kraken[t + 1];
        double sellFee = geminiRich ? GeminiFeeBps : KrakenFeeBps;
        double received = (size - TransferFeeBtc) * sellPrice * (1 - (sellFee / 1e4));
        LastNotional = size * (buy + sellPrice);
        return received - (size * buy);
    }

    public override float Signal(int t, int action) =>
        action == 0 ? 0f : (float)(Math.Sign(_gemini[t] - _kraken[t]) * s_sizes[action] / s_sizes[^1]);
}
