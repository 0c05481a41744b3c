using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cluster.Streams;

namespace LowLatency.Adapters.Cluster.Tests;

/// <summary>What a restarted node counts as the day's notional its lease used before: the largest reading of the day.</summary>
public sealed class DayNotionalCountTests
{
    private const long DayStartMs = 1_780_000_000_000;
    private const long DayStartNs = DayStartMs * 1_000_000;
    private const long Hour = 3_600_000_000_000;

    private static byte[] State(long atMs, long fills, double notional) =>
        ClusterJson.State("a", 9, fills, notional, atMs, new NodeStateRecord("trading", [new VenueState("binance", "up")], 0, 0));

    private static long At(long seq) => DayStartNs + (seq * Hour);

    [Fact]
    public void Fills_that_carry_the_leases_reading_count_each_pair_once_not_each_leg()
    {
        // Three 1,000 USD pairs (seqs 1…6); each leg's reading is the lease's use after its pair was approved.
        var count = new DayNotionalCount(DayStartNs, State(DayStartMs + 1, fills: 2, notional: 1_000));
        for (long seq = 6; seq >= 1; seq--)
        {
            count.Add(seq, At(seq), 1_000, 1_000 * ((seq + 1) / 2));
        }

        Assert.True(count.FromReading);
        Assert.Equal(0, count.FillsCountedByLeg);
        Assert.Equal(3_000, count.TotalUsd, 9);
    }

    [Fact]
    public void A_state_of_the_day_counts_its_reading_and_fills_without_one_after_it_by_leg()
    {
        // An older engine's fills carry no reading: those up to the state's fill number are in its reading, the two after
        // it are added at their legs' notional.
        var count = new DayNotionalCount(DayStartNs, State(DayStartMs + 1, fills: 6, notional: 3_000));
        for (long seq = 1; seq <= 8; seq++)
        {
            count.Add(seq, At(seq), 1_000, null);
        }

        Assert.True(count.FromReading);
        Assert.Equal(2, count.FillsCountedByLeg);
        Assert.Equal(5_000, count.TotalUsd, 9);
    }

    [Fact]
    public void After_an_upgrade_the_new_engines_reading_holds_the_older_engines_fills()
    {
        // Fills 1…4 from an older engine; the new one adopted them at its start and its readings include them.
        var count = new DayNotionalCount(DayStartNs, default);
        for (long seq = 1; seq <= 4; seq++)
        {
            count.Add(seq, At(seq), 1_000, null);
        }

        count.Add(5, At(5), 1_000, 5_000);
        count.Add(6, At(6), 1_000, 5_000);
        Assert.Equal(0, count.FillsCountedByLeg);
        Assert.Equal(5_000, count.TotalUsd, 9);
    }

    [Fact]
    public void The_largest_reading_counts_when_an_untraded_action_gave_notional_back_between_two()
    {
        var count = new DayNotionalCount(DayStartNs, State(DayStartMs + 1, fills: 6, notional: 2_500));
        count.Add(5, At(5), 1_000, 3_000);
        count.Add(6, At(6), 1_000, 2_500);
        Assert.Equal(3_000, count.TotalUsd, 9);
    }

    [Fact]
    public void Without_any_reading_every_fill_of_the_day_is_counted_by_leg_and_yesterdays_are_not()
    {
        var count = new DayNotionalCount(DayStartNs, State(DayStartMs - 1, fills: 1, notional: 9_999)); // yesterday's state
        count.Add(1, DayStartNs - 1, 700, 9_999); // yesterday's fill, with yesterday's reading
        count.Add(2, DayStartNs, 1_000, null);
        count.Add(3, DayStartNs + Hour, 1_000, null);
        Assert.False(count.FromReading);
        Assert.Equal(2, count.FillsCountedByLeg);
        Assert.Equal(2_000, count.TotalUsd, 9);
    }

    [Fact]
    public void The_records_the_publisher_writes_are_read_back_with_their_readings()
    {
        Assert.True(DayNotionalCount.TryReadMark(State(DayStartMs, 41, 1234.5), DayStartMs, out long fills, out double used));
        Assert.Equal((41L, 1234.5), (fills, used));

        var fill = new FillRecord("BTC", "okx", "sell", 0.02, 50_010, 1_000.2, 0.1, 0.2, At(1));
        using (JsonDocument stamped = JsonDocument.Parse(ClusterJson.Fill("a", 1, fill, 3_000.25)))
        {
            Assert.True(DayNotionalCount.TryReading(stamped.RootElement, out double reading));
            Assert.Equal(3_000.25, reading);
        }

        using JsonDocument bare = JsonDocument.Parse(ClusterJson.Fill("a", 1, fill, null));
        Assert.False(DayNotionalCount.TryReading(bare.RootElement, out _));
    }

    [Theory]
    [InlineData("""{"notionalToday":"3000"}""")]
    [InlineData("""{"notionalToday":-5}""")]
    [InlineData("""{"notionalToday":1e999}""")]
    [InlineData("""{"notionalToday":null}""")]
    [InlineData("""{"notional":3000}""")]
    public void A_fill_whose_reading_is_missing_or_invalid_has_none(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.False(DayNotionalCount.TryReading(doc.RootElement, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"node":"a","seq":3,"fills":6,"at":1780000000001}""")] // an engine from before the reading
    [InlineData("""{"fills":6,"notionalToday":"3000","at":1780000000001}""")]
    [InlineData("""{"fills":"6","notionalToday":3000,"at":1780000000001}""")]
    [InlineData("""{"fills":6,"notionalToday":3000,"at":"1780000000001"}""")]
    [InlineData("""{"fills":-1,"notionalToday":3000,"at":1780000000001}""")]
    [InlineData("""{"fills":6,"notionalToday":-5,"at":1780000000001}""")]
    [InlineData("""{"fills":6.5,"notionalToday":3000,"at":1780000000001}""")]
    [InlineData("""{"fills":6,"notionalToday":1e999,"at":1780000000001}""")]
    [InlineData("""{"fills":6,"notionalToday":3000,"at":1780000000001""")]
    public void A_state_without_a_valid_reading_counts_as_none_and_the_fills_are_counted_by_leg(string state)
    {
        var count = new DayNotionalCount(DayStartNs, Encoding.UTF8.GetBytes(state));
        for (long seq = 1; seq <= 8; seq++)
        {
            count.Add(seq, At(seq), 1_000, null);
        }

        Assert.False(count.FromReading);
        Assert.Equal(8, count.FillsCountedByLeg);
        Assert.Equal(8_000, count.TotalUsd, 9);
    }
}
