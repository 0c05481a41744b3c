namespace LowLatency.HotPath.Risk;

/// <summary>Who engaged the kill switch.</summary>
public enum KillSwitchSource : int
{
    None = 0,
    File = 1,
    Signal = 2,
    Operator = 3,
}

/// <summary>
/// The kill switch: any thread engages it (the host's file watcher, a signal handler, the operator); the gate reads it on
/// every action. One volatile int, so reading costs a load and never a lock. Only <see cref="Release"/> (the operator or
/// the file's removal) lets trading resume.
/// </summary>
public sealed class KillSwitch
{
    private int _source;

    /// <summary>Any thread; allocation-free.</summary>
    public bool IsEngaged => Volatile.Read(ref _source) != 0;

    /// <summary>What engaged it last (None while released).</summary>
    public KillSwitchSource Source => (KillSwitchSource)Volatile.Read(ref _source);

    /// <summary>Any thread; allocation-free. The first source to engage it is kept.</summary>
    public void Engage(KillSwitchSource source) =>
        Interlocked.CompareExchange(ref _source, source == KillSwitchSource.None ? (int)KillSwitchSource.Operator : (int)source, 0);

    /// <summary>Any thread; allocation-free.</summary>
    public void Release() => Volatile.Write(ref _source, 0);
}
