using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Integrity;

/// <summary>
/// Which venues are quarantined: no edge is published from a quarantined venue's books. Written by the integrity
/// monitor (host or adapter thread, <see cref="Set"/>), read by the strategy thread (<see cref="IsQuarantined"/>,
/// <see cref="Version"/>) and the risk gate. Allocation-free after construction.
/// </summary>
public sealed class VenueQuarantine
{
    private readonly int[] _quarantined = new int[VenueId.MaxCount];
    private readonly int[] _changedAt = new int[VenueId.MaxCount];
    private int _version;

    /// <summary>True while the venue is quarantined. Any thread.</summary>
    public bool IsQuarantined(VenueId venue) => Volatile.Read(ref _quarantined[venue.Value]) != 0;

    /// <summary>Bumped on every change, so the strategy thread knows when to re-evaluate the venues' books. Any thread.</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>The <see cref="Version"/> at which the venue's state last changed. Any thread.</summary>
    public int ChangedAt(VenueId venue) => Volatile.Read(ref _changedAt[venue.Value]);

    /// <summary>Quarantines or releases a venue; true when that changed its state. One writer thread.</summary>
    public bool Set(VenueId venue, bool quarantined)
    {
        int value = quarantined ? 1 : 0;
        if (Volatile.Read(ref _quarantined[venue.Value]) == value)
        {
            return false;
        }

        Volatile.Write(ref _quarantined[venue.Value], value);
        int version = Interlocked.Increment(ref _version);
        Volatile.Write(ref _changedAt[venue.Value], version);
        return true;
    }
}
