using System.Globalization;
using LowLatency.HotPath.Graph;

namespace LowLatency.Host.Configuration;

/// <summary>
/// Gas units the venue graph costs flash-loan paths with (<c>"flashLoanGas": {...}</c>), per leg. Only the whole path is
/// measured: the executor on anvil (prague), flash loan of 2.21 WETH, V3 0.05 % swap, V2 swap, repay, builder payment,
/// sweep used 348 046 to 351 922 gas as a direct transaction (ExecutorAnvilTests; src/Adapters/Flashbots/README.md).
/// The defaults sum to the upper end for that two-hop path; the split between the legs is our estimate, not a measurement.
/// </summary>
public sealed record FlashLoanGasOptions
{
    /// <summary>The measured two-hop flash-loan path (V3 + V2), upper end, gas units.</summary>
    public const double MeasuredTwoHopPathGas = 351_922;

    /// <summary>Largest figure accepted: a block's gas limit.</summary>
    public const double MaxGas = 30_000_000;

    /// <summary>The transaction's intrinsic gas.</summary>
    public double TxBaseGas { get; init; } = 21_000;

    /// <summary>One V2 leg: the transfer to the pair and <c>pair.swap</c> (estimate).</summary>
    public double V2SwapGas { get; init; } = 60_000;

    /// <summary>One V3 leg within one tick range: <c>pool.swap</c> and its callback (estimate).</summary>
    public double V3SwapGas { get; init; } = 100_000;

    /// <summary>Each initialised tick a V3 leg crosses (estimate; the measured path crossed none).</summary>
    public double V3TickCrossGas { get; init; } = 25_000;

    /// <summary>Aave's flashLoanSimple and repayment plus the executor's own work (checks, approvals, builder payment,
    /// sweep): the measured path less the three figures above.</summary>
    public double FlashLoanGas { get; init; } = MeasuredTwoHopPathGas - 21_000 - 60_000 - 100_000;

    /// <summary>The chain's on-chain readings (<paramref name="gas"/>: base fee, tip, premium) with these gas units.</summary>
    public ChainGas ApplyTo(ChainGas gas) => gas with
    {
        TxBaseGas = TxBaseGas,
        FlashLoanGas = FlashLoanGas,
        V2SwapGas = V2SwapGas,
        V3SwapGas = V3SwapGas,
        V3TickCrossGas = V3TickCrossGas,
    };

    /// <summary>Every problem, each naming its setting (<paramref name="at"/> is the JSON path, <c>flashLoanGas</c>).</summary>
    public IEnumerable<string> Validate(string at)
    {
        (string Name, double Value)[] figures =
        [
            ("txBaseGas", TxBaseGas), ("flashLoanGas", FlashLoanGas), ("v2SwapGas", V2SwapGas), ("v3SwapGas", V3SwapGas), ("v3TickCrossGas", V3TickCrossGas),
        ];
        foreach ((string name, double value) in figures)
        {
            if (!(double.IsFinite(value) && value >= 0 && value <= MaxGas))
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"{at}.{name}: {value} must be gas units in [0, 30000000] (a block's gas limit)");
            }
        }
    }
}
