namespace LowLatency.HotPath.Ring;

/// <summary>
/// A ring consumer's per-event callback. Implement it on a struct and pass the struct as the type parameter of
/// <see cref="BatchEventProcessor{T, THandler}"/>: the JIT then devirtualises and can inline the call.
/// </summary>
/// <typeparam name="T">The ring's slot type.</typeparam>
public interface IEventHandler<T>
    where T : unmanaged
{
    /// <summary>
    /// Consumer thread: handles one published slot, in sequence order. <paramref name="endOfBatch"/> is true on the
    /// last slot currently available (flush batched work there). The slot may be modified in place for
    /// downstream consumers of a chain. Must not allocate and should not throw: an exception propagates out of
    /// <see cref="BatchEventProcessor{T, THandler}.Run(CancellationToken)"/>/<see cref="BatchEventProcessor{T, THandler}.Poll"/>
    /// and the batch it interrupted is delivered again on the next call.
    /// </summary>
    void OnEvent(ref T evt, long sequence, bool endOfBatch);
}
