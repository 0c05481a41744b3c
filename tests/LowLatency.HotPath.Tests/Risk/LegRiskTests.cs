using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;

namespace LowLatency.HotPath.Tests.Risk;

public sealed class LegRiskTests
{
    private static readonly InstrumentId s_btc = new(0);
    private static readonly VenueId s_a = new(0);
    private static readonly VenueId s_b = new(1);

    private static LegCoordinator Pair(LegPolicy policy = LegPolicy.Unwind, double maxAssetUsd = 1_000, UnhedgedExposure? exposure = null)
    {
        var c = new LegCoordinator(policy, exposure ?? new UnhedgedExposure(2, 2, maxAssetUsd, 1_000));
        c.Start(s_btc, s_a, s_b, 1.0, 100);
        return c;
    }

    [Fact]
    public void Both_legs_filled_is_hedged()
    {
        LegCoordinator c = Pair();
        Assert.Equal(PairStep.Wait, c.OnFill(0, 0.4, complete: false).Step);
        Assert.Equal(PairStep.Wait, c.OnFill(1, 1.0, complete: true).Step);
        Assert.Equal(PairStep.Hedged, c.OnFill(0, 0.6, complete: true).Step);
    }

    // Every leg failing at every step: before any fill (reject), after a partial fill (timeout), after its own fill
    // while the other is working; the answer is always a cancel of the partner, then an unwind of exactly the residual.
    [Theory]
    [InlineData(0, 0.0, 0.0, PairStep.NothingFilled, 0.0)]
    [InlineData(0, 0.0, 1.0, PairStep.Unwind, 1.0)]
    [InlineData(0, 0.3, 1.0, PairStep.Unwind, 0.7)]
    [InlineData(0, 0.3, 0.1, PairStep.Unwind, 0.2)]
    [InlineData(1, 0.0, 0.0, PairStep.NothingFilled, 0.0)]
    [InlineData(1, 0.0, 1.0, PairStep.Unwind, 1.0)]
    [InlineData(1, 0.5, 1.0, PairStep.Unwind, 0.5)]
    [InlineData(1, 0.5, 0.5, PairStep.Hedged, 0.0)]
    public void A_failed_leg_cancels_its_partner_and_the_residual_is_unwound(int failing, double failingFilled, double otherFilled, PairStep last, double unwind)
    {
        foreach (bool timeout in new[] { false, true })
        {
            LegCoordinator c = Pair();
            int other = 1 - failing;
            if (failingFilled > 0)
            {
                c.OnFill(failing, failingFilled, complete: false);
            }

            PairInstruction first = timeout ? c.OnTimedOut(failing) : c.OnFailed(failing);
            Assert.Equal(PairStep.CancelOther, first.Step);
            Assert.Equal(other, first.Leg);

            // The partner fills (some or all) before the cancel lands, then the cancel completes.
            PairInstruction end;
            if (otherFilled >= 1.0)
            {
                end = c.OnFill(other, otherFilled, complete: true);
            }
            else
            {
                if (otherFilled > 0)
                {
                    c.OnFill(other, otherFilled, complete: false);
                }

                end = c.OnFailed(other);
            }

            Assert.Equal(last, end.Step);
            Assert.Equal(unwind, end.Quantity, 9);
            if (last == PairStep.Unwind)
            {
                double bought = failing == 0 ? failingFilled : otherFilled;
                double sold = failing == 0 ? otherFilled : failingFilled;
                Assert.Equal(bought > sold ? s_a : s_b, end.Venue);
                Assert.Equal(bought > sold ? Side.Ask : Side.Bid, end.Side);
            }
        }
    }

    [Fact]
    public void Hold_policy_keeps_a_residual_within_limits_and_unwinds_beyond_them()
    {
        var exposure = new UnhedgedExposure(2, 2, maxPerAssetUsd: 60, maxPerVenueUsd: 1_000);
        LegCoordinator c = Pair(LegPolicy.HoldWithinLimits, exposure: exposure);
        c.OnFill(0, 1.0, complete: true);
        c.OnFill(1, 0.5, complete: false);
        PairInstruction held = c.OnTimedOut(1);
        Assert.Equal(PairStep.Held, held.Step);
        Assert.Equal(50, exposure.AssetUsd(s_btc), 9);

        LegCoordinator d = Pair(LegPolicy.HoldWithinLimits, exposure: exposure);
        d.OnFill(0, 1.0, complete: true);
        Assert.Equal(PairStep.Unwind, d.OnFailed(1).Step); // 100 more would exceed 60
        Assert.Equal(50, exposure.AssetUsd(s_btc), 9);

        c.OnResidualClosed(50);
        Assert.Equal(0, exposure.AssetUsd(s_btc), 9);
    }

    [Fact]
    public void Duplicate_late_and_bad_fills_never_grow_a_position_past_its_leg()
    {
        LegCoordinator c = Pair();
        c.OnFill(0, 1.0, complete: true);
        c.OnFill(0, 1.0, complete: true); // duplicate
        c.OnFill(1, double.NaN, complete: false);
        c.OnFill(1, -3, complete: false);
        c.OnFailed(1);
        c.OnFill(1, 0.4, complete: true); // after the leg ended: ignored
        Assert.Equal(1.0, c.Residual, 9);
    }
}
