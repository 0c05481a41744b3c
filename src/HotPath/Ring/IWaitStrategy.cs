namespace LowLatency.HotPath.Ring;

/// <summary>
/// How a consumer waits for a sequence to become available. Chosen by configuration
/// (<see cref="WaitStrategies.Create(WaitStrategyKind)"/>) or, where the devirtualised loop matters, passed
/// as a struct type parameter (<see cref="SequenceBarrier.WaitFor{TWait}(long, ref TWait)"/>).
/// </summary>
/// <remarks>
/// On a 2-core machine at most one thread may busy-spin; every other waiter yields or blocks, otherwise two
/// spinners starve each other (and the producer) and a sub-microsecond hop gets millisecond tails.
/// </remarks>
public interface IWaitStrategy
{
    /// <summary>
    /// True when producers must call <see cref="SignalAllWhenBlocking"/> after each publish (blocking strategies).
    /// The ring reads this once at construction, so spinning strategies cost nothing on publish.
    /// </summary>
    bool SignalsOnPublish { get; }

    /// <summary>
    /// Consumer thread: waits until <see cref="SequenceBarrier.GetDependentValue"/> reaches <paramref name="sequence"/>
    /// or the barrier is alerted, and returns that dependent value. A value below <paramref name="sequence"/>
    /// means "woken without progress" (check <see cref="SequenceBarrier.IsAlerted"/>). Does not allocate.
    /// </summary>
    long WaitFor(long sequence, SequenceBarrier barrier);

    /// <summary>Producer thread after publish, or any thread on halt: wakes blocked waiters. Does not allocate.</summary>
    void SignalAllWhenBlocking();
}

/// <summary>The wait strategies selectable from configuration.</summary>
public enum WaitStrategyKind
{
    /// <summary>"busy-spin": lowest latency, burns a core. Only one thread per 2-core box.</summary>
    BusySpin = 0,

    /// <summary>"yielding": spins briefly, then <see cref="Thread.Yield"/>. Good default for the hot consumer on small boxes.</summary>
    Yielding = 1,

    /// <summary>"blocking": sleeps on a monitor, woken by publish. Lowest CPU, microsecond-scale wake-up.</summary>
    Blocking = 2,
}

/// <summary>Factory and config parsing for wait strategies (start-up only; allocates).</summary>
public static class WaitStrategies
{
    /// <summary>Creates the strategy for <paramref name="kind"/>. Start-up only: boxes the struct strategies once.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unknown <paramref name="kind"/>.</exception>
    public static IWaitStrategy Create(WaitStrategyKind kind) => kind switch
    {
        WaitStrategyKind.BusySpin => new BusySpinWaitStrategy(),
        WaitStrategyKind.Yielding => new YieldingWaitStrategy(),
        WaitStrategyKind.Blocking => new BlockingWaitStrategy(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown wait strategy kind."),
    };

    /// <summary>Parses "busy-spin", "yielding" or "blocking" (case-insensitive, surrounding spaces ignored).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out WaitStrategyKind kind)
    {
        text = text.Trim();
        if (text.Equals("busy-spin", StringComparison.OrdinalIgnoreCase))
        {
            kind = WaitStrategyKind.BusySpin;
            return true;
        }

        if (text.Equals("yielding", StringComparison.OrdinalIgnoreCase))
        {
            kind = WaitStrategyKind.Yielding;
            return true;
        }

        if (text.Equals("blocking", StringComparison.OrdinalIgnoreCase))
        {
            kind = WaitStrategyKind.Blocking;
            return true;
        }

        kind = default;
        return false;
    }

    /// <summary>Parses a config string; throws <see cref="FormatException"/> naming the accepted values (start-up only).</summary>
    public static WaitStrategyKind Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out WaitStrategyKind kind)
            ? kind
            : throw new FormatException($"Unknown wait strategy '{text}'; expected busy-spin, yielding or blocking.");
    }

    /// <summary>The config string for <paramref name="kind"/>.</summary>
    public static string ToConfigString(WaitStrategyKind kind) => kind switch
    {
        WaitStrategyKind.BusySpin => "busy-spin",
        WaitStrategyKind.Yielding => "yielding",
        WaitStrategyKind.Blocking => "blocking",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown wait strategy kind."),
    };
}
