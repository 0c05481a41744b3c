namespace LowLatency.Adapters.Aggregators;

/// <summary>Where a breaker stands: closed (calls pass), open (calls refused, no I/O), half-open (one probe in flight).</summary>
public enum BreakerState : byte
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>
/// A circuit breaker for one aggregator: <c>failures</c> failed calls in a row open it for <c>openFor</c>; then exactly
/// one call (the probe) is let through while every other is refused; the probe's success closes it, its failure opens
/// it again for another <c>openFor</c>. The clock is injected so tests are deterministic. Warm path; a lock, no I/O.
/// </summary>
public sealed class CircuitBreaker
{
    private readonly int _failureLimit;
    private readonly TimeSpan _openFor;
    private readonly Func<DateTimeOffset> _clock;
    private readonly Lock _gate = new();
    private BreakerState _state;
    private int _failures;
    private DateTimeOffset _openUntil;
    private long _opened;

    public CircuitBreaker(int failures, TimeSpan openFor, Func<DateTimeOffset>? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(openFor, TimeSpan.Zero);
        _failureLimit = failures;
        _openFor = openFor;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>The state now; an open breaker whose time has passed reads half-open (the next call is the probe).</summary>
    public BreakerState State
    {
        get
        {
            lock (_gate)
            {
                return _state == BreakerState.Open && _clock() >= _openUntil ? BreakerState.HalfOpen : _state;
            }
        }
    }

    /// <summary>Whether a call now would be refused (open, or half-open with its probe already out).</summary>
    public bool Refuses
    {
        get
        {
            lock (_gate)
            {
                return _state == BreakerState.HalfOpen || (_state == BreakerState.Open && _clock() < _openUntil);
            }
        }
    }

    /// <summary>Times the breaker has opened (including re-opens after a failed probe).</summary>
    public long OpenedCount => Interlocked.Read(ref _opened);

    /// <summary>Failed calls in a row so far.</summary>
    public int ConsecutiveFailures
    {
        get
        {
            lock (_gate)
            {
                return _failures;
            }
        }
    }

    /// <summary>Asks to make a call: false when refused. A true answer must be followed by exactly one <see cref="Record"/> or <see cref="Release"/>.</summary>
    public bool TryAcquire()
    {
        lock (_gate)
        {
            switch (_state)
            {
                case BreakerState.Closed:
                    return true;
                case BreakerState.Open when _clock() >= _openUntil:
                    _state = BreakerState.HalfOpen; // this caller is the probe
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>The outcome of an acquired call: a success closes, a failure counts (and opens at the limit, or re-opens after a probe).</summary>
    public void Record(bool success)
    {
        lock (_gate)
        {
            if (success)
            {
                _failures = 0;
                _state = BreakerState.Closed;
                return;
            }

            _failures++;
            if (_state == BreakerState.HalfOpen || _failures >= _failureLimit)
            {
                _state = BreakerState.Open;
                _openUntil = _clock() + _openFor;
                _opened++;
            }
        }
    }

    /// <summary>An acquired call that says nothing about the service (the caller cancelled): a probe goes back to open, due at once.</summary>
    public void Release()
    {
        lock (_gate)
        {
            if (_state == BreakerState.HalfOpen)
            {
                _state = BreakerState.Open;
            }
        }
    }
}
