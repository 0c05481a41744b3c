namespace LowLatency.Adapters.Cex.Live;

/// <summary>
/// Jittered exponential back-off ("full jitter"): the n-th consecutive failure waits a uniform time in
/// [base·2ⁿ / 2, base·2ⁿ], capped at <see cref="Max"/>. The jitter keeps many clients that lost one venue at once from
/// reconnecting in lock step. Seeded, so tests see the same sequence. Not thread-safe: one per connection.
/// </summary>
public sealed class Backoff
{
    private readonly Random _random;
    private int _failures;

    public Backoff(TimeSpan initial, TimeSpan max, int seed)
    {
        if (initial <= TimeSpan.Zero || max < initial)
        {
            throw new ArgumentOutOfRangeException(nameof(initial), "back-off needs 0 < initial <= max");
        }

        Initial = initial;
        Max = max;
        _random = new Random(seed);
    }

    public TimeSpan Initial { get; }

    public TimeSpan Max { get; }

    /// <summary>Consecutive failures since the last <see cref="Reset"/>.</summary>
    public int Failures => _failures;

    /// <summary>The wait before the next attempt; each call counts one more failure.</summary>
    public TimeSpan Next()
    {
        int exponent = Math.Min(_failures, 30);
        _failures++;
        double ceiling = Math.Min(Max.Ticks, Initial.Ticks * Math.Pow(2, exponent));
        double ticks = (ceiling / 2) + (_random.NextDouble() * ceiling / 2);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>A connection that worked: the next failure starts from <see cref="Initial"/> again.</summary>
    public void Reset() => _failures = 0;
}
