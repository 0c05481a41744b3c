using System.Globalization;

namespace LowLatency.Adapters.Cex.Replay;

/// <summary>
/// Paces a replay at recorded speed: each record is due at its recorded time after the first, and the caller waits
/// until then. A recorded gap longer than <see cref="MaxGap"/> (the recorder idle, a session spanning days) is cut to
/// <see cref="MaxGap"/>, counted and its length kept, so no wait is ever longer than <see cref="MaxGap"/>. The clock and
/// the sleep are injected: tests drive them without sleeping. Replay thread; allocation-free per record.
/// </summary>
public sealed class ReplayPacer
{
    private readonly long _maxGapNs;
    private readonly Func<TimeSpan> _elapsed;
    private readonly Action<TimeSpan> _sleep;
    private bool _started;
    private long _firstNs;
    private long _latestNs;
    private long _skippedNs;

    /// <param name="maxGap">The longest recorded gap waited in full; longer ones wait this long.</param>
    /// <param name="elapsed">Time since the replay started (a started <see cref="System.Diagnostics.Stopwatch"/>).</param>
    /// <param name="sleep">Blocks for a duration (<see cref="Thread.Sleep(TimeSpan)"/>); never asked for more than <paramref name="maxGap"/>.</param>
    public ReplayPacer(TimeSpan maxGap, Func<TimeSpan> elapsed, Action<TimeSpan> sleep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxGap, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxGap, MaxAllowedGap);
        ArgumentNullException.ThrowIfNull(elapsed);
        ArgumentNullException.ThrowIfNull(sleep);
        MaxGap = maxGap;
        _maxGapNs = maxGap.Ticks * 100;
        _elapsed = elapsed;
        _sleep = sleep;
    }

    /// <summary>The largest cap accepted: far inside what <see cref="Thread.Sleep(TimeSpan)"/> takes (24.8 days).</summary>
    public static TimeSpan MaxAllowedGap => TimeSpan.FromHours(1);

    /// <summary>The cap on each idle gap.</summary>
    public TimeSpan MaxGap { get; }

    /// <summary>Gaps longer than <see cref="MaxGap"/> that were cut.</summary>
    public int CappedGaps { get; private set; }

    /// <summary>The longest gap cut (zero when none was).</summary>
    public TimeSpan LongestCappedGap { get; private set; }

    /// <summary>Recorded time not waited because of the cap.</summary>
    public TimeSpan Skipped => TimeSpan.FromTicks(_skippedNs / 100);

    /// <summary>
    /// Waits until a record stamped <paramref name="timestampNs"/> (Unix ns; 0 = no time, e.g. a configuration line) is
    /// due. Records out of time order (a single unsorted file) are due at once. Allocation-free.
    /// </summary>
    public void WaitFor(long timestampNs)
    {
        if (timestampNs <= 0)
        {
            return;
        }

        if (!_started)
        {
            _started = true;
            _firstNs = timestampNs;
            _latestNs = timestampNs;
            return;
        }

        long gap = timestampNs - _latestNs;
        if (gap > _maxGapNs)
        {
            CappedGaps++;
            _skippedNs += gap - _maxGapNs;
            if (gap / 100 > LongestCappedGap.Ticks)
            {
                LongestCappedGap = TimeSpan.FromTicks(gap / 100);
            }
        }

        _latestNs = Math.Max(_latestNs, timestampNs);
        TimeSpan due = TimeSpan.FromTicks((timestampNs - _firstNs - _skippedNs) / 100);
        TimeSpan wait = due - _elapsed();
        if (wait > TimeSpan.Zero)
        {
            _sleep(wait < MaxGap ? wait : MaxGap);
        }
    }

    /// <summary>The summary line of the caps, or null when no gap was cut: "capped 3 idle gaps longer than 5s (longest 31d 2h)".</summary>
    public string? Summary() => CappedGaps == 0
        ? null
        : string.Create(CultureInfo.InvariantCulture,
            $"capped {CappedGaps} idle gap{(CappedGaps == 1 ? "" : "s")} longer than {Format(MaxGap)} (longest {Format(LongestCappedGap)}; {Format(Skipped)} of recorded time not waited)");

    /// <summary>A duration for people, two units at most: 31d 2h, 5h 3m, 2m 5s, 5s, 1.5s, 250ms.</summary>
    public static string Format(TimeSpan span)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        if (span.TotalDays >= 1)
        {
            return string.Create(c, $"{(long)span.TotalDays}d {span.Hours}h");
        }

        if (span.TotalHours >= 1)
        {
            return string.Create(c, $"{span.Hours}h {span.Minutes}m");
        }

        if (span.TotalMinutes >= 1)
        {
            return string.Create(c, $"{span.Minutes}m {span.Seconds}s");
        }

        if (span.TotalSeconds >= 1)
        {
            return string.Create(c, $"{Math.Round(span.TotalSeconds, 1):0.#}s");
        }

        return string.Create(c, $"{Math.Round(span.TotalMilliseconds, 1):0.#}ms");
    }
}
