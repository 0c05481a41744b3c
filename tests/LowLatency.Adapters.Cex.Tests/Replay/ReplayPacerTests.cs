using LowLatency.Adapters.Cex.Replay;

namespace LowLatency.Adapters.Cex.Tests.Replay;

/// <summary>Recorded-speed pacing on a fake clock that advances only when the pacer sleeps: no test ever waits.</summary>
public sealed class ReplayPacerTests
{
    private const long Second = 1_000_000_000L;
    private const long T0 = 1_633_998_512L * Second;

    private sealed class FakeClock
    {
        public TimeSpan Now { get; set; }

        public List<TimeSpan> Sleeps { get; } = [];

        public void Sleep(TimeSpan span)
        {
            Sleeps.Add(span);
            Now += span;
        }
    }

    private static (ReplayPacer Pacer, FakeClock Clock) New(TimeSpan maxGap)
    {
        var clock = new FakeClock();
        return (new ReplayPacer(maxGap, () => clock.Now, clock.Sleep), clock);
    }

    [Fact]
    public void Short_gaps_are_waited_in_full()
    {
        (ReplayPacer pacer, FakeClock clock) = New(TimeSpan.FromSeconds(5));
        pacer.WaitFor(T0);
        pacer.WaitFor(T0 + (Second / 2));
        pacer.WaitFor(T0 + (3 * Second));
        Assert.Equal([TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(2500)], clock.Sleeps);
        Assert.Equal(0, pacer.CappedGaps);
        Assert.Null(pacer.Summary());
    }

    [Fact]
    public void A_gap_of_31_days_waits_the_cap_and_is_reported()
    {
        (ReplayPacer pacer, FakeClock clock) = New(TimeSpan.FromSeconds(5));
        long month = (31 * 86_400 * Second) + (2 * 3_600 * Second);
        pacer.WaitFor(T0);
        pacer.WaitFor(T0 + Second);
        pacer.WaitFor(T0 + Second + month);        // the recorder was off for a month
        pacer.WaitFor(T0 + (2 * Second) + month);  // back to normal pace
        pacer.WaitFor(T0 + (2 * Second) + month + (10 * Second));

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)], clock.Sleeps);
        Assert.Equal(2, pacer.CappedGaps);
        Assert.Equal(TimeSpan.FromTicks(month / 100), pacer.LongestCappedGap);
        Assert.StartsWith("capped 2 idle gaps longer than 5s (longest 31d 2h;", pacer.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void No_sleep_is_ever_longer_than_the_cap_even_when_the_clock_stalls()
    {
        var sleeps = new List<TimeSpan>();
        var pacer = new ReplayPacer(TimeSpan.FromMilliseconds(1), () => TimeSpan.Zero, sleeps.Add); // a clock that never moves
        for (int i = 0; i < 100; i++)
        {
            pacer.WaitFor(T0 + (i * 86_400L * Second));
        }

        Assert.Equal(99, sleeps.Count);
        Assert.All(sleeps, s => Assert.True(s <= TimeSpan.FromMilliseconds(1)));
        Assert.Equal(99, pacer.CappedGaps);
    }

    [Fact]
    public void Records_without_time_or_out_of_order_are_due_at_once()
    {
        (ReplayPacer pacer, FakeClock clock) = New(TimeSpan.FromSeconds(5));
        pacer.WaitFor(0); // a configuration line
        pacer.WaitFor(T0 + (2 * Second));
        pacer.WaitFor(T0);                  // earlier than the previous record
        pacer.WaitFor(T0 + (3 * Second));   // measured from the latest time seen, not from the late one
        Assert.DoesNotContain(clock.Sleeps, s => s <= TimeSpan.Zero);
        Assert.Equal([TimeSpan.FromSeconds(1)], clock.Sleeps);
        Assert.Equal(0, pacer.CappedGaps);
    }

    [Fact]
    public void The_cap_must_be_positive_and_at_most_an_hour()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayPacer(TimeSpan.Zero, () => TimeSpan.Zero, _ => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayPacer(TimeSpan.FromDays(30), () => TimeSpan.Zero, _ => { }));
    }

    [Theory]
    [InlineData(31 * 86_400 + 7_200, "31d 2h")]
    [InlineData(5 * 3_600 + 180, "5h 3m")]
    [InlineData(125, "2m 5s")]
    [InlineData(5, "5s")]
    [InlineData(1.5, "1.5s")]
    [InlineData(0.25, "250ms")]
    public void Durations_read_as_people_write_them(double seconds, string text)
    {
        Assert.Equal(text, ReplayPacer.Format(TimeSpan.FromSeconds(seconds)));
    }
}
