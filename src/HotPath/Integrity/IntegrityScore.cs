using System.Diagnostics;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Integrity;

/// <summary>
/// Cumulative fault counters of one venue at one moment, summed from its books (gaps, checksum failures) and its
/// connection (stale heartbeats, reconnects, rejected frames), plus whether it is connected now.
/// </summary>
public readonly record struct IntegritySample(
    long Gaps,
    long ChecksumFailures,
    long StaleHeartbeats,
    long Reconnects,
    long RejectedFrames,
    bool Connected);

/// <summary>How faults weigh and where the quarantine line is.</summary>
public sealed record IntegrityPolicy
{
    /// <summary>The sliding window the score looks back over.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Buckets of the window (its resolution).</summary>
    public int Buckets { get; init; } = 12;

    public double GapWeight { get; init; } = 1;

    public double ChecksumWeight { get; init; } = 1;

    public double StaleHeartbeatWeight { get; init; } = 3;

    public double ReconnectWeight { get; init; } = 2;

    public double RejectedFrameWeight { get; init; } = 0.2;

    /// <summary>Weighted faults in the window that take the score to 0.</summary>
    public double PenaltyBudget { get; init; } = 10;

    /// <summary>Below this score the venue is quarantined.</summary>
    public double QuarantineBelow { get; init; } = 0.5;

    /// <summary>A quarantined venue is released at or above this score (hysteresis: no flapping at the line).</summary>
    public double ReleaseAtOrAbove { get; init; } = 0.8;

    /// <summary>A venue that is not connected is quarantined whatever its score (its books may be silently stale).</summary>
    public bool QuarantineWhileDisconnected { get; init; } = true;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Window <= TimeSpan.Zero || Buckets is < 1 or > 3600)
        {
            errors.Add("integrity: needs a positive window and 1 … 3600 buckets");
        }

        if (!(PenaltyBudget > 0) || GapWeight < 0 || ChecksumWeight < 0 || StaleHeartbeatWeight < 0 || ReconnectWeight < 0 || RejectedFrameWeight < 0)
        {
            errors.Add("integrity: weights must be >= 0 and the penalty budget > 0");
        }

        if (!(QuarantineBelow is >= 0 and <= 1) || !(ReleaseAtOrAbove >= QuarantineBelow && ReleaseAtOrAbove <= 1))
        {
            errors.Add("integrity: needs 0 <= quarantineBelow <= releaseAtOrAbove <= 1");
        }

        return errors;
    }
}

/// <summary>
/// The integrity score of every venue over a sliding window: 1 − (weighted faults in the window ÷ budget), floored at 0.
/// Fed with cumulative <see cref="IntegritySample"/>s (the monitor takes deltas), it quarantines a venue below
/// <see cref="IntegrityPolicy.QuarantineBelow"/> (or while disconnected) and releases it once the score is back at
/// <see cref="IntegrityPolicy.ReleaseAtOrAbove"/>. Time is passed in (<see cref="Stopwatch"/> ticks), so tests drive it.
/// One writer thread (the host's monitor); <see cref="Score"/> may be read from any thread. Allocation-free after
/// construction.
/// </summary>
public sealed class IntegrityMonitor
{
    private readonly IntegrityPolicy _policy;
    private readonly long _bucketTicks;
    private readonly double[] _penalty;      // [venue * buckets + bucket]
    private readonly long[] _bucketStart;    // [venue * buckets + bucket]: start tick of what the bucket holds
    private readonly IntegritySample[] _last;
    private readonly bool[] _seen;
    private readonly long[] _scoreBits;

    public IntegrityMonitor(IntegrityPolicy policy, VenueQuarantine quarantine)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(quarantine);
        IReadOnlyList<string> errors = policy.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(policy));
        }

        _policy = policy;
        Quarantine = quarantine;
        _bucketTicks = Math.Max(1, (long)(policy.Window.TotalSeconds * Stopwatch.Frequency / policy.Buckets));
        _penalty = new double[VenueId.MaxCount * policy.Buckets];
        _bucketStart = new long[VenueId.MaxCount * policy.Buckets];
        _bucketStart.AsSpan().Fill(long.MinValue);
        _last = new IntegritySample[VenueId.MaxCount];
        _seen = new bool[VenueId.MaxCount];
        _scoreBits = new long[VenueId.MaxCount];
        _scoreBits.AsSpan().Fill(BitConverter.DoubleToInt64Bits(1));
    }

    public VenueQuarantine Quarantine { get; }

    public IntegrityPolicy Policy => _policy;

    /// <summary>The venue's last computed score in [0, 1] (1 for a venue never sampled). Any thread.</summary>
    public double Score(VenueId venue) => BitConverter.Int64BitsToDouble(Volatile.Read(ref _scoreBits[venue.Value]));

    /// <summary>
    /// Takes a venue's cumulative counters at <paramref name="nowTicks"/>, adds what changed since its last sample to the
    /// window, recomputes its score and quarantines or releases it. Returns the score. Monitor thread; allocation-free.
    /// </summary>
    public double Sample(VenueId venue, in IntegritySample sample, long nowTicks)
    {
        int v = venue.Value;
        int buckets = _policy.Buckets;
        long bucketStart = nowTicks - Mod(nowTicks, _bucketTicks);
        int current = (int)(Mod(nowTicks / _bucketTicks, buckets));
        int slot = (v * buckets) + current;
        if (_bucketStart[slot] != bucketStart)
        {
            _bucketStart[slot] = bucketStart;
            _penalty[slot] = 0;
        }

        if (_seen[v])
        {
            IntegritySample last = _last[v];
            _penalty[slot] +=
                (_policy.GapWeight * Delta(sample.Gaps, last.Gaps))
                + (_policy.ChecksumWeight * Delta(sample.ChecksumFailures, last.ChecksumFailures))
                + (_policy.StaleHeartbeatWeight * Delta(sample.StaleHeartbeats, last.StaleHeartbeats))
                + (_policy.ReconnectWeight * Delta(sample.Reconnects, last.Reconnects))
                + (_policy.RejectedFrameWeight * Delta(sample.RejectedFrames, last.RejectedFrames));
        }

        _seen[v] = true;
        _last[v] = sample;

        // Sum the buckets that still lie inside the window ending now.
        double penalty = 0;
        long oldest = bucketStart - ((buckets - 1) * _bucketTicks);
        for (int b = 0; b < buckets; b++)
        {
            int s = (v * buckets) + b;
            if (_bucketStart[s] >= oldest && _bucketStart[s] <= bucketStart)
            {
                penalty += _penalty[s];
            }
        }

        double score = Math.Max(0, 1 - (penalty / _policy.PenaltyBudget));
        Volatile.Write(ref _scoreBits[v], BitConverter.DoubleToInt64Bits(score));
        bool quarantined = Quarantine.IsQuarantined(venue);
        bool disconnected = _policy.QuarantineWhileDisconnected && !sample.Connected;
        bool next = disconnected || (quarantined ? score < _policy.ReleaseAtOrAbove : score < _policy.QuarantineBelow);
        Quarantine.Set(venue, next);
        return score;
    }

    private static long Delta(long now, long before) => Math.Max(0, now - before);

    private static long Mod(long a, long m)
    {
        long r = a % m;
        return r < 0 ? r + m : r;
    }
}
