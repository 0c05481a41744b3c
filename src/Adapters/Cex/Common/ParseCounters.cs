namespace LowLatency.Adapters.Cex.Common;

/// <summary>
/// Counts of parse outcomes for one parser instance (one per connection / I/O thread). Written by that thread only;
/// other threads read with <see cref="Rejected(ParseError)"/> (values may be slightly stale). Allocation-free after construction.
/// </summary>
public sealed class ParseCounters
{
    private static readonly int s_errorKinds = Enum.GetValues<ParseError>().Length;
    private readonly long[] _rejected = new long[s_errorKinds];
    private long _messages;
    private long _ignored;

    /// <summary>Frames parsed into a message.</summary>
    public long Messages => Volatile.Read(ref _messages);

    /// <summary>Frames recognised and ignored (channels we do not consume).</summary>
    public long Ignored => Volatile.Read(ref _ignored);

    /// <summary>Frames rejected for <paramref name="error"/>.</summary>
    public long Rejected(ParseError error) => Volatile.Read(ref _rejected[(int)error]);

    /// <summary>All rejected frames.</summary>
    public long TotalRejected
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _rejected.Length; i++)
            {
                sum += Volatile.Read(ref _rejected[i]);
            }

            return sum;
        }
    }

    /// <summary>Records one outcome and returns <paramref name="result"/> (so parsers can <c>return counters.Count(...)</c>).</summary>
    public ParseResult Count(ParseResult result, ParseError error)
    {
        switch (result)
        {
            case ParseResult.Message:
                _messages++;
                break;
            case ParseResult.Ignored:
                _ignored++;
                break;
            default:
                _rejected[(int)error]++;
                break;
        }

        return result;
    }
}
