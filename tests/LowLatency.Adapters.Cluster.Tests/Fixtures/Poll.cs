using System.Diagnostics;

namespace LowLatency.Adapters.Cluster.Tests.Fixtures;

/// <summary>Waits for a condition with a generous hang guard; the guard is never the thing a test measures.</summary>
public static class Poll
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? guard = null)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > (guard ?? Guard))
            {
                throw new TimeoutException("hang guard: " + what);
            }

            await Task.Delay(20);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? guard = null)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.Elapsed > (guard ?? Guard))
            {
                throw new TimeoutException("hang guard: " + what);
            }

            await Task.Delay(20);
        }
    }
}
