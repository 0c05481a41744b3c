using System.Diagnostics;

namespace LowLatency.Testing.Exchanges;

/// <summary>
/// Waits for a condition the test caused (a frame handled, a reconnect). Not a timing assertion: the limit is only how
/// long a broken build may hang before the test fails with what it was waiting for.
/// </summary>
public static class Wait
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Limit)
            {
                throw new TimeoutException($"still waiting, after {Limit.TotalSeconds:F0} s, for {what}");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }
}
