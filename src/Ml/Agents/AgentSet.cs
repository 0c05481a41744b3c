namespace LowLatency.Ml.Agents;

/// <summary>
/// The five agents over their data: the on-chain day (agents 1, 3, 4, 5) and the 2017-18 hourly venues (agent 2), the
/// shared signal board of each timeline (the rule baselines' signals) and the walk-forward split: the first
/// <see cref="TrainFraction"/> of each timeline trains, the rest is the held-out test. Cold path.
/// </summary>
public sealed class AgentSet
{
    public const double TrainFraction = 0.7;

    private AgentSet(OnchainDay day, CrossChainDesk cross)
    {
        Day = day;
        Cross = cross;
        OnchainBoard = new SignalBoard(day.Count);
        OnchainBoard.Record(new CexDexDesk(day));
        OnchainBoard.Record(new FlashLoanDesk(day));
        OnchainBoard.Record(new WhaleDesk(day));
        OnchainBoard.Record(new RiskDesk(day));
        CrossBoard = new SignalBoard(cross.Length + 1);
        CrossBoard.Record(cross.Fresh());
    }

    public OnchainDay Day { get; }

    public CrossChainDesk Cross { get; }

    public SignalBoard OnchainBoard { get; }

    public SignalBoard CrossBoard { get; }

    public static readonly string[] Names = ["cex-dex", "cross-chain", "flash-loan", "whale-copy", "risk-manager"];

    /// <summary>Loads the data under <paramref name="dataRoot"/>; <see cref="InvalidDataException"/> or <see cref="IOException"/> naming the file on a bad one.</summary>
    public static AgentSet Load(string dataRoot) => new(OnchainDay.Load(dataRoot), CrossChainDesk.Load(dataRoot));

    /// <summary>A fresh desk (its own trading state) of agent <paramref name="id"/> (1..5).</summary>
    public AgentDesk Create(int id) => id switch
    {
        1 => new CexDexDesk(Day),
        2 => Cross.Fresh(),
        3 => new FlashLoanDesk(Day),
        4 => new WhaleDesk(Day),
        5 => new RiskDesk(Day),
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "agents are 1..5"),
    };

    public SignalBoard BoardOf(int id) => id == 2 ? CrossBoard : OnchainBoard;

    /// <summary>The training part [from, split) and the test part [split, length) of agent <paramref name="id"/>'s timeline.</summary>
    public (int From, int Split, int To) Segments(int id)
    {
        AgentDesk d = id == 2 ? Cross : new CexDexDesk(Day);
        return (d.Warmup, (int)(d.Length * TrainFraction), d.Length);
    }
}
