using System.Diagnostics;

namespace LowLatency.Adapters.Cex.Live;

/// <summary>
/// A venue's REST request weight budget: <see cref="Capacity"/> weight, refilled at <see cref="RefillPerSecond"/>
/// (Binance: 6,000 per minute for spot; a 1,000-level depth snapshot weighs 50). A request takes its weight or waits;
/// a 429/418 answer blocks the bucket until the venue's <c>Retry-After</c> has passed. Time comes from a function of
/// <see cref="Stopwatch"/> ticks so tests can drive it. Thread-safe (a lock: REST is the cold path).
/// </summary>
public sealed class TokenBucket
{
    private readonly Func<long> _now;
    private readonly object _gate = new();
    private double _tokens;
    private long _lastRefill;
    private long _blockedUntil;

    public TokenBucket(double capacity, double refillPerSecond, Func<long>? now = null)
    {
        if (!(capacity > 0) || !(refillPerSecond > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "a token bucket needs a positive capacity and refill rate");
        }

        Capacity = capacity;
        RefillPerSecond = refillPerSecond;
        _now = now ?? Stopwatch.GetTimestamp;
        _tokens = capacity;
        _lastRefill = _now();
    }

    public double Capacity { get; }

    public double RefillPerSecond { get; }

    /// <summary>
    /// Takes <paramref name="weight"/> if the bucket holds it and is not blocked; otherwise false and how long to wait
    /// before asking again. A weight above the capacity is clamped to it (it can never be held otherwise).
    /// </summary>
    public bool TryTake(double weight, out TimeSpan wait)
    {
        weight = Math.Min(weight, Capacity);
        lock (_gate)
        {
            long now = _now();
            if (now < _blockedUntil)
            {
                wait = Stopwatch.GetElapsedTime(now, _blockedUntil);
                return false;
            }

            double elapsed = (now - _lastRefill) / (double)Stopwatch.Frequency;
            _tokens = Math.Min(Capacity, _tokens + (elapsed * RefillPerSecond));
            _lastRefill = now;
            if (_tokens >= weight)
            {
                _tokens -= weight;
                wait = TimeSpan.Zero;
                return true;
            }

            wait = TimeSpan.FromSeconds((weight - _tokens) / RefillPerSecond);
            return false;
        }
    }

    /// <summary>The venue said 429/418: nothing is taken until <paramref name="retryAfter"/> has passed, and the bucket is emptied.</summary>
    public void Block(TimeSpan retryAfter)
    {
        lock (_gate)
        {
            long now = _now();
            long until = now + (long)(Math.Max(0, retryAfter.TotalSeconds) * Stopwatch.Frequency);
            _blockedUntil = Math.Max(_blockedUntil, until);
            _tokens = 0;
            _lastRefill = Math.Max(now, _blockedUntil);
        }
    }
}
