using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LowLatency.HotPath.Strategy;

/// <summary>One agent's vote on an opportunity: its mode, its own action, its rule's and what was acted (−1: none).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct AgentVote
{
    /// <summary>0 off, 1 shadow, 2 active (the ensemble's AgentMode).</summary>
    public byte Mode;
    public sbyte Action;
    public sbyte RuleAction;
    public sbyte Acted;
}

/// <summary>Room for the five agents' votes inside a ring slot (no references).</summary>
[InlineArray(Count)]
public struct AgentVoteSlots
{
    public const int Count = 5;
    private AgentVote _first;
}

/// <summary>
/// The agent ensemble's votes riding in an <see cref="Opportunity"/>: the step (block) the agents decided on and each
/// agent's vote. <see cref="Step"/> 0: no ensemble step yet (agents off, or no block decided).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct AgentVotes
{
    /// <summary>The block the votes were decided on (0: none).</summary>
    public long Step;
    public AgentVoteSlots Votes;
}

/// <summary>
/// The agent ensemble on the strategy thread: stepped at every batch end before the edges are evaluated, and consulted
/// for every opportunity before the risk gate. Only an agent in active mode may change what is acted, and only by
/// shrinking it or vetoing it; what is acted still passes the gate. Strategy thread only; allocation-free.
/// </summary>
public interface IOpportunityAgents
{
    /// <summary>At every batch end, before the edges are evaluated.</summary>
    void OnBatch(long decisionTimeNs);

    /// <summary>Writes the votes into <paramref name="opportunity"/> (and shrinks it where an active agent says so); false: vetoed, not acted.</summary>
    bool Decide(ref Opportunity opportunity);
}
