using LowLatency.Host.Configuration;
using LowLatency.Host.Lifecycle;
using LowLatency.Host.Tests.Dashboard;
using LowLatency.Host.Tests.Support;
using LowLatency.HotPath.Strategy;
using Microsoft.Extensions.Logging.Abstractions;

namespace LowLatency.Host.Tests.Lifecycle;

/// <summary>
/// The reservation an approval makes on the strategy thread: released at <see cref="RiskSession.End"/> when nothing
/// executes it, kept past it by <see cref="RiskSession.Hold"/> (a live pair still working), freed by the hold's release.
/// </summary>
public sealed class RiskSessionHoldTests
{
    [Fact]
    public void A_held_approval_stays_reserved_after_End_and_is_freed_once_by_its_release()
    {
        using var folder = new TempFolder();
        using var risk = new RiskSession(new ExecutionOptions { KillSwitchFile = folder.File("KILL") }, ["alpha", "beta"], ["BTC-USDT"], [2], [4], NullLogger.Instance);

        Opportunity o = DashboardFixture.Decide(risk, 1_000_000_000);
        Assert.True(o.Risk.Approved, o.Risk.Reason.ToString());
        Assert.Equal(2, risk.Gate.OpenLegs);

        risk.Begin(in o);
        RiskHold hold = risk.Hold();
        risk.End();
        risk.StrategyGate.OnBatch(1_001_000_000); // the strategy thread applies whatever the host posted
        Assert.True(hold.Held);
        Assert.Equal(2, risk.Gate.OpenLegs);

        risk.Release(in hold);
        risk.StrategyGate.OnBatch(1_002_000_000);
        Assert.Equal(0, risk.Gate.OpenLegs);
        Assert.Equal(0, risk.Gate.AssetOpenUsd(o.Instrument));
    }

    [Fact]
    public void An_approval_nothing_holds_is_released_at_End_and_a_second_hold_of_it_holds_nothing()
    {
        using var folder = new TempFolder();
        using var risk = new RiskSession(new ExecutionOptions { KillSwitchFile = folder.File("KILL") }, ["alpha", "beta"], ["BTC-USDT"], [2], [4], NullLogger.Instance);

        Opportunity o = DashboardFixture.Decide(risk, 1_000_000_000);
        risk.Begin(in o);
        risk.End();
        Assert.False(risk.Hold().Held); // already released: nothing left to hand over
        risk.StrategyGate.OnBatch(1_001_000_000);
        Assert.Equal(0, risk.Gate.OpenLegs);

        risk.Release(default(RiskHold)); // a default hold frees nothing
        risk.StrategyGate.OnBatch(1_002_000_000);
        Assert.Equal(0, risk.Gate.OpenLegs);
    }
}
