using LowLatency.HotPath.Risk;

namespace LowLatency.Adapters.Cluster.Tests;

public class ClusterLeaseTests
{
    private const long Now = 1_000_000_000_000;

    private static RiskAction Pair(int asset, int buy, int sell, double usd) => new()
    {
        Asset = new InstrumentId((ushort)asset), BuyVenue = new VenueId((byte)buy), SellVenue = new VenueId((byte)sell),
        ChainSlot = -1, Legs = 2, NotionalUsd = usd, OldestQuoteNs = Now,
    };

    private static ClusterLease Granted(double exposure = 1000, double notional = 10_000, double loss = 100)
    {
        var lease = new ClusterLease(2, 2);
        for (int a = 0; a < 2; a++)
        {
            for (int v = 0; v < 2; v++)
            {
                lease.Grant(lease.ExposureSlot(a, v), ClusterLease.ToMicros(exposure));
            }
        }

        lease.Grant(lease.NotionalSlot, ClusterLease.ToMicros(notional));
        lease.Grant(lease.LossSlot, ClusterLease.ToMicros(loss));
        lease.Extend(Now + 1_000);
        return lease;
    }

    [Fact]
    public void A_fresh_lease_grants_nothing()
    {
        var lease = new ClusterLease(2, 2);
        Assert.Equal(LeaseDenial.Expired, lease.TryReserve(Pair(0, 0, 1, 1), Now));
        lease.Extend(Now + 1_000);
        Assert.Equal(LeaseDenial.DailyLoss, lease.TryReserve(Pair(0, 0, 1, 1), Now));
    }

    [Fact]
    public void Exposure_is_taken_on_both_venues_and_comes_back_on_release()
    {
        var lease = Granted(exposure: 1000);
        Assert.Equal(LeaseDenial.None, lease.TryReserve(Pair(0, 0, 1, 600), Now));
        Assert.Equal(ClusterLease.ToMicros(400), lease.Left(lease.ExposureSlot(0, 0)));
        Assert.Equal(ClusterLease.ToMicros(400), lease.Left(lease.ExposureSlot(0, 1)));
        Assert.Equal(LeaseDenial.Exposure, lease.TryReserve(Pair(0, 1, 0, 600), Now));

        // The refused action took nothing (rolled back on every slot).
        Assert.Equal(ClusterLease.ToMicros(400), lease.Left(lease.ExposureSlot(0, 0)));
        Assert.Equal(ClusterLease.ToMicros(10_000 - 600), lease.Left(lease.NotionalSlot));
        Assert.Equal(LeaseDenial.None, lease.TryReserve(Pair(1, 1, 0, 600), Now));
        lease.Release(Pair(0, 0, 1, 600));
        Assert.Equal(ClusterLease.ToMicros(1000), lease.Left(lease.ExposureSlot(0, 0)));
        Assert.Equal(ClusterLease.ToMicros(10_000 - 1200), lease.Left(lease.NotionalSlot));
    }

    [Fact]
    public void Daily_notional_and_loss_shares_stop_trading_when_used()
    {
        var lease = Granted(exposure: 1e9, notional: 1000, loss: 50);
        Assert.Equal(LeaseDenial.None, lease.TryReserve(Pair(0, 0, 1, 900), Now));
        Assert.Equal(LeaseDenial.DailyNotional, lease.TryReserve(Pair(0, 0, 1, 200), Now));
        lease.OnTradeClosed(-30);
        Assert.Equal(LeaseDenial.None, lease.TryReserve(Pair(0, 0, 1, 50), Now));
        lease.OnTradeClosed(+10);
        lease.OnTradeClosed(-30);
        Assert.Equal(ClusterLease.ToMicros(50), lease.LossUsed);
        Assert.Equal(LeaseDenial.DailyLoss, lease.TryReserve(Pair(0, 0, 1, 1), Now));
    }

    [Fact]
    public void Past_its_validity_or_paused_the_lease_refuses_everything()
    {
        var lease = Granted();
        Assert.Equal(LeaseDenial.Expired, lease.TryReserve(Pair(0, 0, 1, 1), Now + 1_000));
        lease.Extend(Now + 10_000);
        lease.Pause(true);
        Assert.Equal(LeaseDenial.Paused, lease.TryReserve(Pair(0, 0, 1, 1), Now));
        lease.Pause(false);
        Assert.Equal(LeaseDenial.None, lease.TryReserve(Pair(0, 0, 1, 1), Now));
        lease.Expire();
        Assert.Equal(LeaseDenial.Expired, lease.TryReserve(Pair(0, 0, 1, 1), Now));
        Assert.Equal(2, lease.Denied(LeaseDenial.Expired));
    }

    [Fact]
    public void Unknown_subjects_and_bad_notionals_are_refused()
    {
        var lease = Granted();
        Assert.Equal(LeaseDenial.Exposure, lease.TryReserve(Pair(5, 0, 1, 1), Now));
        Assert.Equal(LeaseDenial.Exposure, lease.TryReserve(Pair(0, 0, 9, 1), Now));
        Assert.Equal(LeaseDenial.Exposure, lease.TryReserve(Pair(0, 0, 1, double.NaN), Now));
        Assert.Equal(LeaseDenial.Exposure, lease.TryReserve(Pair(0, 0, 1, -1), Now));
    }

    [Fact]
    public void Revoking_while_the_strategy_thread_spends_never_lets_it_spend_more_than_was_granted()
    {
        // The refiller takes shares back while another thread reserves: whatever the interleaving, reserved + revoked
        // never exceeds what was granted.
        var lease = new ClusterLease(1, 1);
        lease.Extend(long.MaxValue);
        lease.Grant(lease.LossSlot, ClusterLease.ToMicros(1));
        lease.Grant(lease.NotionalSlot, ClusterLease.ToMicros(1e9));
        long granted = ClusterLease.ToMicros(100_000);
        lease.Grant(lease.ExposureSlot(0, 0), granted);
        long reserved = 0;
        long revoked = 0;
        var action = Pair(0, 0, 0, 1);
        var spender = new Thread(() =>
        {
            for (int i = 0; i < 200_000; i++)
            {
                if (lease.TryReserve(action, Now) == LeaseDenial.None)
                {
                    reserved += ClusterLease.ToMicros(1);
                }
            }
        });
        spender.Start();
        for (int i = 0; i < 20_000 && spender.IsAlive; i++)
        {
            revoked += lease.TryRevoke(lease.ExposureSlot(0, 0), ClusterLease.ToMicros(3));
        }

        spender.Join();
        revoked += lease.TryRevoke(lease.ExposureSlot(0, 0), long.MaxValue);
        Assert.Equal(granted, reserved + revoked);
        Assert.Equal(0, lease.Left(lease.ExposureSlot(0, 0)));
    }

    [Fact]
    public void An_atomic_action_takes_only_the_days_notional_and_a_cancelled_one_gives_it_back()
    {
        var lease = Granted(exposure: 1000, notional: 10_000, loss: 50);
        Assert.Equal(LeaseDenial.None, lease.TryReserveAtomic(6_000, Now));
        Assert.Equal(ClusterLease.ToMicros(4_000), lease.Left(lease.NotionalSlot));
        // A flash-loan bundle holds no inventory: no exposure slot moved.
        Assert.Equal(ClusterLease.ToMicros(1000), lease.Left(lease.ExposureSlot(0, 0)));
        Assert.Equal(LeaseDenial.DailyNotional, lease.TryReserveAtomic(6_000, Now));
        Assert.Equal(ClusterLease.ToMicros(4_000), lease.Left(lease.NotionalSlot));

        // The first never landed: its notional comes back, and the second fits.
        lease.CancelAtomic(6_000);
        Assert.Equal(LeaseDenial.None, lease.TryReserveAtomic(6_000, Now));
        Assert.Equal(2, lease.AtomicApproved);
        Assert.Equal(1, lease.AtomicDenied(LeaseDenial.DailyNotional));
        // The strategy thread's counters are its own.
        Assert.Equal(0, lease.Approved);
        Assert.Equal(0, lease.Denied(LeaseDenial.DailyNotional));
    }

    [Fact]
    public void Atomic_actions_are_refused_when_the_lease_expired_is_paused_or_the_loss_share_is_used()
    {
        var lease = Granted(notional: 10_000, loss: 50);
        Assert.Equal(LeaseDenial.Expired, lease.TryReserveAtomic(1, Now + 1_000));
        lease.Pause(true);
        Assert.Equal(LeaseDenial.Paused, lease.TryReserveAtomic(1, Now));
        lease.Pause(false);
        lease.OnTradeClosed(-50); // a landed bundle's loss, as the strategy thread applies it
        Assert.Equal(LeaseDenial.DailyLoss, lease.TryReserveAtomic(1, Now));
        lease.OnTradeClosed(+20);
        Assert.Equal(LeaseDenial.None, lease.TryReserveAtomic(1, Now));
        foreach (double bad in new[] { 0, -5, double.NaN, double.PositiveInfinity })
        {
            Assert.Equal(LeaseDenial.DailyNotional, lease.TryReserveAtomic(bad, Now));
        }

        Assert.Equal(ClusterLease.ToMicros(10_000 - 1), lease.Left(lease.NotionalSlot));
        Assert.Equal(1, lease.AtomicDenied(LeaseDenial.Expired));
        Assert.Equal(1, lease.AtomicDenied(LeaseDenial.Paused));
        Assert.Equal(1, lease.AtomicDenied(LeaseDenial.DailyLoss));
        Assert.Equal(4, lease.AtomicDenied(LeaseDenial.DailyNotional));
    }

    [Fact]
    public void Atomic_actions_and_the_strategy_thread_spending_one_days_share_together_never_spend_more_than_it()
    {
        // The on-chain executor and the strategy thread take from one notional slot on their own threads.
        var lease = new ClusterLease(1, 1);
        lease.Extend(long.MaxValue);
        lease.Grant(lease.LossSlot, ClusterLease.ToMicros(1));
        lease.Grant(lease.ExposureSlot(0, 0), ClusterLease.ToMicros(1e12));
        long granted = ClusterLease.ToMicros(150_000);
        lease.Grant(lease.NotionalSlot, granted);
        long pairs = 0;
        long bundles = 0;
        var action = Pair(0, 0, 0, 1);
        var spender = new Thread(() =>
        {
            for (int i = 0; i < 200_000; i++)
            {
                if (lease.TryReserve(action, Now) == LeaseDenial.None)
                {
                    pairs++;
                }
            }
        });
        spender.Start();
        for (int i = 0; i < 100_000; i++)
        {
            if (lease.TryReserveAtomic(3, Now) == LeaseDenial.None)
            {
                bundles++;
            }
        }

        spender.Join();
        // Both threads asked for more than the share (200,000 and 300,000 USD): whatever the interleaving, what they got
        // and what is left is exactly the share, and nothing is left below zero.
        Assert.InRange(lease.Left(lease.NotionalSlot), 0, granted);
        Assert.Equal(granted, ClusterLease.ToMicros(pairs + (3 * bundles)) + lease.Left(lease.NotionalSlot));
        Assert.True(pairs + (3 * bundles) > 149_000, $"the share was not spent: {pairs} pairs, {bundles} bundles");
        Assert.Equal(bundles, lease.AtomicApproved);
        Assert.Equal(pairs, lease.Approved);
    }

    [Fact]
    public void Check_and_release_allocate_nothing_after_warm_up()
    {
        var lease = Granted(exposure: 1e12, notional: 1e15);
        var action = Pair(0, 0, 1, 10);
        for (int i = 0; i < 1000; i++)
        {
            lease.TryReserve(action, Now);
            lease.Release(action);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            lease.TryReserve(action, Now);
            lease.Release(action);
            lease.OnTradeClosed(0.01);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
