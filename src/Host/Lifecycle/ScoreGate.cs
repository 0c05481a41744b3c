using LowLatency.HotPath.Book;
using LowLatency.HotPath.Features;
using LowLatency.HotPath.Strategy;
using LowLatency.Ml.Inference;

namespace LowLatency.Host.Lifecycle;

/// <summary>
/// The scorer's say over what is acted on: with a model that beat its baseline (<see cref="ScorerSelection"/>), an
/// opportunity goes on to the paper exchange or the dashboard only when its candidate's latest score is at or above the
/// threshold; every opportunity is still logged. Host thread; reads the scores the strategy thread writes (a float
/// store is atomic, and a score one batch old is what a decision this late would see anyway).
/// </summary>
public sealed class ScoreGate
{
    /// <summary>Probability at or above which the scorer lets an opportunity through.</summary>
    public const float Threshold = 0.5f;

    private readonly CandidateScores _scores;
    private readonly Dictionary<(int Buy, int Sell), int> _candidateOfBooks;
    private readonly Dictionary<(int Venue, int Instrument), int> _bookOf;

    public ScoreGate(CandidateScores scores, BookSet books, ReadOnlySpan<FeatureCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(books);
        _scores = scores;
        _bookOf = new Dictionary<(int, int), int>(books.Count);
        for (int b = 0; b < books.Count; b++)
        {
            _bookOf[(books.State(b).Venue.Value, books.State(b).Instrument.Value)] = b;
        }

        _candidateOfBooks = new Dictionary<(int, int), int>(candidates.Length);
        for (int c = 0; c < candidates.Length; c++)
        {
            _candidateOfBooks[(candidates[c].BuyBook, candidates[c].SellBook)] = c;
        }
    }

    /// <summary>Opportunities the scorer held back.</summary>
    public long Vetoed { get; private set; }

    /// <summary>Opportunities the scorer let through.</summary>
    public long Passed { get; private set; }

    /// <summary>True when the opportunity's candidate scores at or above <see cref="Threshold"/> (an unscored one is held back).</summary>
    public bool Passes(in Opportunity opportunity)
    {
        bool passes = _bookOf.TryGetValue((opportunity.BuyVenue.Value, opportunity.Instrument.Value), out int buy)
            && _bookOf.TryGetValue((opportunity.SellVenue.Value, opportunity.Instrument.Value), out int sell)
            && _candidateOfBooks.TryGetValue((buy, sell), out int candidate)
            && _scores.Latest[candidate] >= Threshold; // NaN (never scored) compares false
        if (passes)
        {
            Passed++;
        }
        else
        {
            Vetoed++;
        }

        return passes;
    }
}
