using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>
/// The one instrument table of every parser: specs as an array indexed by <see cref="InstrumentId.Value"/> (null where no
/// instrument), scales checked once at start-up. Start-up helper; lookups are array reads.
/// </summary>
internal static class InstrumentTable
{
    public static InstrumentSpec?[] ToDense(IReadOnlyList<InstrumentSpec> instruments)
    {
        int max = -1;
        for (int i = 0; i < instruments.Count; i++)
        {
            max = Math.Max(max, instruments[i].Id.Value);
        }

        var table = new InstrumentSpec?[max + 1];
        for (int i = 0; i < instruments.Count; i++)
        {
            InstrumentSpec spec = instruments[i];
            if ((uint)spec.PriceDecimals > FixedPoint.MaxDecimals || (uint)spec.QuantityDecimals > FixedPoint.MaxDecimals)
            {
                throw new ArgumentOutOfRangeException(nameof(instruments), $"{spec.Name}: decimals out of range");
            }

            table[spec.Id.Value] = spec;
        }

        return table;
    }
}
