using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.Ml.Rl;

namespace LowLatency.Ml.Agents;

/// <summary>What a shadow replay saw: the acted book's figures, the agents' own (had they acted), the gate's denials.</summary>
/// <param name="Modes">Each agent's mode at the end (an active agent whose drift detector tripped is back in shadow).</param>
/// <param name="DriftSteps">Per agent, the replay step at which its drift detector returned it to shadow; −1: never.</param>
/// <param name="DriftReasons">Per agent, why (null: never).</param>
public sealed record EnsembleReplayResult(TradingMetrics Acted, TradingMetrics AgentsOnly, long[] Decisions, long[] Disagreements, long GateApproved, long GateDenied, AgentMode[] Modes,
    int[] DriftSteps, string?[] DriftReasons)
{
    /// <summary>Per agent, the online-learning updates it took (0 without online learning, or while not active).</summary>
    public int[] OnlineUpdates { get; init; } = new int[AgentEnsemble.Count];
}

/// <summary>
/// Online learning in the replay: every <paramref name="Interval"/> steps each active agent is fine-tuned with PPO from
/// its current weights on all of its timeline up to that step (never beyond: no look-ahead), <paramref name="Steps"/>
/// PPO steps at <paramref name="LearningRate"/> (annealed), seeded from <paramref name="Seed"/> and the update's number.
/// A shadow agent does not learn (nothing of it acts); an agent its drift detector returned to shadow stops learning.
/// </summary>
public sealed record OnlineLearning(int Interval = 256, long Steps = 16_384, double LearningRate = 2.5e-5, int Seed = 7)
{
    public string? Validate() =>
        Interval < AgentEnvironment.EpisodeSteps ? $"online learning: the interval ({Interval} steps) must be at least one episode ({AgentEnvironment.EpisodeSteps})"
        : !(LearningRate > 0 && LearningRate < 1) ? $"online learning: the learning rate {LearningRate} must be in (0, 1)"
        : AgentRun.Options(Seed, Steps).Validate();
}

/// <summary>
/// The ensemble as a host-side observer over the held-out part of the data, block by block: the specialists decide on
/// their observations (features and the shared signals of the last block), the risk manager decides last, the acted
/// proposals (rules' in shadow, agents' where active) are scaled, each passes the engine's <see cref="RiskGate"/> and
/// only then trades; the agents' own decisions are booked on a second set of desks ("had they acted"). The cross-chain
/// agent's timeline is replayed side by side (its step i with the day's step i) and is not in the risk manager's book,
/// as in training. Cold path around the ensemble's hot calls.
/// </summary>
public static class EnsembleReplay
{
    /// <summary>The gate's limits for this replay: a flash loan's notional is the borrowed USDC, so the per-trade cap is raised.</summary>
    public static RiskOptions GateOptions() => new() { Assets = 4, Venues = 4, MaxTradeNotionalUsd = 5_000_000, MaxAssetNotionalUsd = 10_000_000, DailyLossLimitUsd = 1_000 };

    /// <param name="decided">Called after each block's decisions (the risk manager's last), with the block's index in the
    /// replay, before anything trades: the ensemble's observations and actions are that block's (tests read them).</param>
    /// <param name="online">Online learning of the active agents as the replay goes (null: the weights stay the snapshot).</param>
    public static EnsembleReplayResult Run(AgentSet set, AgentEnsemble ensemble, Action<int>? decided = null, OnlineLearning? online = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(ensemble);
        if (online?.Validate() is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(online));
        }

        var updates = new int[AgentEnsemble.Count];
        var gate = new RiskGate(GateOptions(), new KillSwitch());
        var weth = new InstrumentId(1);
        (_, int split, int to) = set.Segments(1);
        (_, int crossSplit, int crossTo) = set.Segments(2);
        var acted = new Book(set, ensemble);
        var shadow = new Book(set, ensemble);
        int n = Math.Min(to - split, crossTo - crossSplit);
        var pnl = new double[n];
        var active = new bool[n];
        var shadowPnl = new double[n];
        var shadowActive = new bool[n];
        double turnover = 0, shadowTurnover = 0;
        var signals = new float[AgentDesk.Agents];
        var agentPnl = new double[AgentEnsemble.Count];
        var agentActive = new bool[AgentEnsemble.Count];
        var driftSteps = new int[AgentEnsemble.Count];
        Array.Fill(driftSteps, -1);
        for (int i = 0; i < n; i++)
        {
            int t = split + i;
            int c = crossSplit + i;
            long now = set.Day.Blocks[t].TimeNs;
            gate.OnMid(weth, set.Day.Blocks[t].V3Mid, now);
            if (online is not null && i > 0 && i % online.Interval == 0)
            {
                Learn(set, ensemble, online, t, c, updates);
            }

            // Specialists: features, then the last block's shared signals (own slot: its own last signal).
            acted.Observe(t, c, signals);
            ensemble.DecideSpecialists();

            // The risk manager sees the proposals acted on this block and, as trained, this block's specialists' signals
            // (the agents' own decisions where on); the specialists read them at the next block.
            int[] published = ensemble.Modes[0] == AgentMode.Off ? ensemble.ActedActions : ensemble.AgentActions;
            acted.PublishSpecialists(t, c, published, signals);
            acted.ObserveRisk(t, signals);
            ensemble.DecideRisk();
            decided?.Invoke(i);
            double scale = RiskDesk.ScaleOf(ensemble.ActedActions[AgentEnsemble.RiskManager]);
            (pnl[i], active[i], double traded) = acted.Trade(t, c, ensemble.ActedActions, scale, gate, weth, now, agentPnl, agentActive);
            turnover += traded;

            // Each active agent's live reward against its evaluation: a drift returns it to shadow from the next block.
            for (int k = 0; k < AgentEnsemble.Count; k++)
            {
                if (ensemble.OnLiveStep(k, agentPnl[k], agentActive[k]))
                {
                    driftSteps[k] = i;
                }
            }

            // Had the agents acted (their own decisions, no gate): booked on the second desks.
            if (ensemble.Modes[0] != AgentMode.Off)
            {
                (shadowPnl[i], shadowActive[i], double st) = shadow.Trade(t, c, ensemble.AgentActions, RiskDesk.ScaleOf(ensemble.AgentActions[AgentEnsemble.RiskManager]), null, weth, now, null, null);
                shadowTurnover += st;
            }

            acted.PublishRisk(t, published[AgentEnsemble.RiskManager], signals);
        }

        var decisions = new long[AgentEnsemble.Count];
        var disagreements = new long[AgentEnsemble.Count];
        for (int k = 0; k < AgentEnsemble.Count; k++)
        {
            decisions[k] = ensemble.Decisions(k);
            disagreements[k] = ensemble.Disagreements(k);
        }

        long denied = 0;
        foreach (RiskReason r in Enum.GetValues<RiskReason>())
        {
            denied += r == RiskReason.None ? 0 : gate.Denied(r);
        }

        double perYear = new CexDexDesk(set.Day).StepsPerYear;
        return new EnsembleReplayResult(
            TradingMetrics.From(pnl, active, turnover, perYear),
            TradingMetrics.From(shadowPnl, shadowActive, shadowTurnover, perYear),
            decisions, disagreements, gate.Approved, denied, (AgentMode[])ensemble.Modes.Clone(), driftSteps,
            [.. ensemble.Drift.Select(d => d?.Reason)]) { OnlineUpdates = updates };
    }

    // Before block t (cross-chain step c) is decided: each active agent trains on its timeline up to, not including, it.
    private static void Learn(AgentSet set, AgentEnsemble ensemble, OnlineLearning online, int t, int c, int[] updates)
    {
        for (int k = 0; k < AgentEnsemble.Count; k++)
        {
            if (ensemble.Modes[k] != AgentMode.Active)
            {
                continue;
            }

            int id = k + 1;
            (int from, int _, int _) = set.Segments(id);
            int end = id == 2 ? c : t;
            PpoOptions options = AgentRun.Options(online.Seed + (1_000 * id) + updates[k], online.Steps) with
            {
                LearningRate = online.LearningRate,
                InitialWeights = ensemble.WeightsOf(k),
            };
            PpoResult result = PpoTrainer.Train(() => new AgentEnvironment(set.Create(id), set.BoardOf(id), from, end), options);
            ensemble.Replace(k, result.Policy);
            updates[k]++;
        }
    }

    /// <summary>One set of desks: the three on-chain specialists inside a risk manager's book, and the cross-chain desk.</summary>
    private sealed class Book
    {
        private readonly AgentSet _set;
        private readonly AgentEnsemble _ensemble;
        private readonly RiskDesk _risk;
        private readonly CrossChainDesk _cross;
        private readonly float[] _own = new float[AgentDesk.Agents];

        public Book(AgentSet set, AgentEnsemble ensemble)
        {
            _set = set;
            _ensemble = ensemble;
            _risk = new RiskDesk(set.Day);
            _cross = set.Cross.Fresh();
            _risk.ResetState();

            // The risk manager's view of the members: what is acted this block.
            _risk.MemberPolicies[0] = _ => _ensemble.ActedActions[0];
            _risk.MemberPolicies[1] = _ => _ensemble.ActedActions[2];
            _risk.MemberPolicies[2] = _ => _ensemble.ActedActions[3];
        }

        private AgentDesk DeskOf(int index) => index switch { 0 => _risk.Members[0], 2 => _risk.Members[1], 3 => _risk.Members[2], _ => _cross };

        public void Observe(int t, int c, float[] signals)
        {
            for (int k = 0; k < AgentEnsemble.RiskManager; k++)
            {
                AgentDesk d = DeskOf(k);
                int step = k == 1 ? c : t;
                float[] obs = _ensemble.Observations[k];
                d.Features(step, obs.AsSpan(0, d.FeatureCount));
                SignalBoard.Share(signals, k + 1, _own[k], obs.AsSpan(d.FeatureCount));
                _ensemble.RuleActions[k] = d.Rule(step);
            }
        }

        public void ObserveRisk(int t, float[] signals)
        {
            float[] obs = _ensemble.Observations[AgentEnsemble.RiskManager];
            _risk.Features(t, obs.AsSpan(0, _risk.FeatureCount));
            SignalBoard.Share(signals, AgentEnsemble.RiskManager + 1, _own[AgentEnsemble.RiskManager], obs.AsSpan(_risk.FeatureCount));
            _ensemble.RuleActions[AgentEnsemble.RiskManager] = _risk.Rule(t);
        }

        /// <summary>
        /// Trades the four specialists' <paramref name="actions"/> at <paramref name="scale"/>, each through <paramref name="gate"/>
        /// when given. Each agent's own P&amp;L and activity go to <paramref name="agentPnl"/> / <paramref name="agentActive"/>
        /// when given: a specialist's its desk's, the risk manager's the on-chain book it scales (its desk's reward).
        /// </summary>
        public (double Pnl, bool Active, double Turnover) Trade(int t, int c, int[] actions, double scale, RiskGate? gate, InstrumentId asset, long now, double[]? agentPnl, bool[]? agentActive)
        {
            bool bookActive = false;
            double pnl = 0, book = 0, turnover = 0;
            bool active = false;
            for (int k = 0; k < AgentEnsemble.RiskManager; k++)
            {
                AgentDesk d = DeskOf(k);
                int step = k == 1 ? c : t;
                int a = actions[k];
                var whale = d as WhaleDesk;
                double notional = whale?.ChangeNotional(step, a, scale) ?? EstimateNotional(k, step, a, scale);
                if (gate is not null && notional > 0)
                {
                    var action = new RiskAction { Asset = asset, BuyVenue = new VenueId(0), SellVenue = new VenueId(k == 2 ? (byte)0 : (byte)1), ChainSlot = -1, Legs = k == 2 ? 1 : 2, NotionalUsd = notional, OldestQuoteNs = now };
                    if (!gate.Check(action, now).IsApproved)
                    {
                        a = whale?.HoldAction ?? 0;
                    }
                    else
                    {
                        gate.Release(asset, action.Legs, notional);
                    }
                }

                double p = d.Act(step, a, scale);
                if (gate is not null && p != 0)
                {
                    gate.OnTradeClosed(p, now);
                }

                pnl += p;
                book += k == 1 ? 0 : p;
                active |= d.LastActive;
                bookActive |= k != 1 && d.LastActive;
                turnover += d.LastNotional;
                if (agentPnl is not null && agentActive is not null)
                {
                    agentPnl[k] = p;
                    agentActive[k] = d.LastActive;
                }
            }

            if (agentPnl is not null && agentActive is not null)
            {
                agentPnl[AgentEnsemble.RiskManager] = book;
                agentActive[AgentEnsemble.RiskManager] = bookActive;
            }

            _risk.Record(book);
            return (pnl, active, turnover);
        }

        /// <summary>The specialists' signals of this block (a desk's signal is a function of its step and action only).</summary>
        public void PublishSpecialists(int t, int c, int[] actions, float[] signals)
        {
            for (int k = 0; k < AgentEnsemble.RiskManager; k++)
            {
                signals[k] = DeskOf(k).Signal(k == 1 ? c : t, Math.Max(0, actions[k]));
                _own[k] = signals[k];
            }
        }

        public void PublishRisk(int t, int action, float[] signals)
        {
            signals[AgentEnsemble.RiskManager] = _risk.Signal(t, Math.Max(0, action));
            _own[AgentEnsemble.RiskManager] = signals[AgentEnsemble.RiskManager];
        }

        private double FlashSize(int step)
        {
            FlashLoanDesk.ExpectedNet(_set.Day, step, out double size);
            return size;
        }

        private double EstimateNotional(int k, int step, int a, double scale)
        {
            if (a == 0 || scale == 0)
            {
                return 0;
            }

            return k switch
            {
                0 => (a == 1 ? 2 : 10) * scale * _set.Day.Blocks[step].V3Mid,
                2 => FlashSize(step) * (a == 1 ? 0.5 : 1) * scale,
                _ => (a == 1 ? 0.5 : 2) * scale * _cross.PriceOf(step),
            };
        }
    }
}
