using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LowLatency.HotPath.Snapshots;

/// <summary>
/// A single-writer seqlock over an unmanaged value: the writer (the strategy thread) never waits on a reader, never
/// takes a lock and never allocates; readers (the host, the dashboard's HTTP threads) copy the value out and retry when
/// the writer was inside a publish while they copied. A reader that stalls mid-copy (a descheduled thread, a slow
/// client) costs the writer nothing: the writer never reads anything a reader writes.
/// </summary>
/// <typeparam name="T">An unmanaged struct (no references, so a torn copy is only ever wrong bytes, never a bad pointer).</typeparam>
public sealed class Seqlock<T>
    where T : unmanaged
{
    // The version sits on its own cache line so readers polling it do not share a line with the writer's data stores.
    private PaddedVersion _version;
    private T _value;

    /// <summary>Versions published so far (even: no publish in progress). Any thread; does not allocate.</summary>
    public long Version => Volatile.Read(ref _version.Value) >> 1;

    /// <summary>Writer thread only: publishes <paramref name="value"/>. Wait-free; does not allocate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Publish(in T value)
    {
        long v = _version.Value;
        Volatile.Write(ref _version.Value, v + 1);
        // A full fence: the odd version must be visible before any data store (a release store alone lets later
        // stores move ahead of it, and a reader could then see new data under the old even version).
        Interlocked.MemoryBarrier();
        _value = value;
        Volatile.Write(ref _version.Value, v + 2);
    }

    /// <summary>
    /// Any thread: copies the last published value. Returns false (and <paramref name="value"/> undefined) if the writer
    /// published during every one of <paramref name="attempts"/> tries; never blocks. Does not allocate.
    /// </summary>
    public bool TryRead(out T value, int attempts = 64)
    {
        for (int i = 0; i < attempts; i++)
        {
            long before = Volatile.Read(ref _version.Value);
            if ((before & 1) == 0)
            {
                value = _value;
                // Pairs with the writer's fence: the copy's loads complete before the version is read again.
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _version.Value) == before)
                {
                    return true;
                }
            }

            Thread.SpinWait(1 << Math.Min(i, 6));
        }

        value = default;
        return false;
    }

    /// <summary>The first half of a read, for tests that stall a reader between its two halves.</summary>
    public long BeginRead(out T value)
    {
        long before = Volatile.Read(ref _version.Value);
        value = _value;
        Interlocked.MemoryBarrier();
        return before;
    }

    /// <summary>The second half: whether the copy taken after <paramref name="before"/> is whole.</summary>
    public bool EndRead(long before) => (before & 1) == 0 && Volatile.Read(ref _version.Value) == before;
}

/// <summary>A version counter alone on its cache line (outside the generic type: generic types cannot have explicit layout).</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedVersion
{
    [FieldOffset(64)]
    public long Value;
}
