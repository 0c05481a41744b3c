using System.Numerics;

namespace LowLatency.Adapters.Aggregators;

/// <summary>One aggregator's price for an exact input, behind its own breaker.</summary>
public interface IAggregator
{
    string Name { get; }

    CircuitBreaker Breaker { get; }

    /// <summary>The buy amount for <paramref name="sellAmount"/> (base units); every failure is a value, never an exception.</summary>
    Task<AggregatorQuote> QuoteAsync(int chainId, string sellToken, string buyToken, BigInteger sellAmount, CancellationToken cancel);
}

/// <summary>
/// The aggregators in order of preference. <see cref="RouteAsync"/> sends a request to the first whose breaker lets it
/// through and falls over to the next when that one fails (5xx, timeout, 429, a broken answer, a chain or token it does not serve),
/// so a burst of 1inch 5xx sends traffic to 0x until 1inch's probe succeeds. <see cref="QuoteAllAsync"/> asks every one
/// at once (shadow pricing). Warm path; allocates.
/// </summary>
public sealed class QuoteRouter
{
    private readonly IAggregator[] _aggregators;

    public QuoteRouter(IReadOnlyList<IAggregator> byPreference)
    {
        ArgumentNullException.ThrowIfNull(byPreference);
        _aggregators = [.. byPreference];
    }

    public IReadOnlyList<IAggregator> Aggregators => _aggregators;

    /// <summary>Every aggregator's answer, in preference order (an open breaker answers <see cref="QuoteError.CircuitOpen"/> with no I/O).</summary>
    public async Task<AggregatorQuote[]> QuoteAllAsync(int chainId, string sellToken, string buyToken, BigInteger sellAmount, CancellationToken cancel)
    {
        var pending = new Task<AggregatorQuote>[_aggregators.Length];
        for (int i = 0; i < pending.Length; i++)
        {
            pending[i] = _aggregators[i].QuoteAsync(chainId, sellToken, buyToken, sellAmount, cancel);
        }

        return await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <summary>The first usable answer in preference order; when none, the last failure (each tried one's reason is in its own breaker and log).</summary>
    public async Task<AggregatorQuote> RouteAsync(int chainId, string sellToken, string buyToken, BigInteger sellAmount, CancellationToken cancel)
    {
        AggregatorQuote last = AggregatorQuote.Failed("none", chainId, QuoteError.NotConfigured, "no aggregator is configured");
        foreach (IAggregator aggregator in _aggregators)
        {
            if (aggregator.Breaker.Refuses)
            {
                last = AggregatorQuote.Failed(aggregator.Name, chainId, QuoteError.CircuitOpen, "circuit open after repeated failures");
                continue;
            }

            last = await aggregator.QuoteAsync(chainId, sellToken, buyToken, sellAmount, cancel).ConfigureAwait(false);
            // Any failure but the caller's own cancel may be this aggregator's alone (each serves its own chains and tokens).
            if (last.IsOk || last.Error == QuoteError.Cancelled)
            {
                return last;
            }
        }

        return last;
    }
}
