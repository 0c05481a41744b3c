namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>Timeouts, retries and limits for a <see cref="JsonRpcClient"/> and its transport. Set at start-up.</summary>
public sealed class JsonRpcOptions
{
    /// <summary>Time limit for one attempt (send + answer).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per call, including the first; retries happen only on transport failures and timeouts.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>First back-off delay; doubles per retry up to <see cref="MaxBackoff"/>, with full jitter.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest response (or WebSocket message) accepted; larger ones are a malformed-response error.</summary>
    public long MaxResponseBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Time limit for opening a connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Capacity of each subscription's queue; when full the oldest notification is dropped and counted.</summary>
    public int SubscriptionCapacity { get; init; } = 1024;

    /// <summary>WebSocket keep-alive ping interval.</summary>
    public TimeSpan WsKeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The back-off before retry number <paramref name="retry"/> (1-based): a uniformly random delay in
    /// [0, min(max, initial * 2^(retry-1))] ("full jitter", so reconnecting clients spread out).
    /// </summary>
    public TimeSpan Backoff(int retry)
    {
        var exponent = Math.Clamp(retry - 1, 0, 30);
        var cap = Math.Min(MaxBackoff.Ticks, InitialBackoff.Ticks * (1L << Math.Min(exponent, 20)));
        return TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * cap));
    }
}
