using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>Start-up helper for parsers: instrument specs as an array indexed by <see cref="InstrumentId.Value"/>.</summary>
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
            table[instruments[i].Id.Value] = instruments[i];
        }

        return table;
    }
}
