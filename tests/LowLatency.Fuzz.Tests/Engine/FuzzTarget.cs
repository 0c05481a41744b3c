namespace LowLatency.Fuzz.Tests.Engine;

/// <summary>
/// One parser or reader under fuzz: its corpus, how a case's input is made from it, and the check that runs the input
/// through the public API. <see cref="Check"/> lets any exception that escapes the API propagate (that is a crash), catches
/// the exceptions the API documents for bad input (and only those), and throws <see cref="FuzzInvariantException"/> when an
/// invariant breaks (a rejected input changed state, an accepted one does not re-encode, ...).
/// A target may keep state between cases (a live book, counters); each case first puts the state it depends on into a
/// known condition, so one case replays alone (<c>LL_FUZZ_CASE</c>, <c>Regressions/</c>).
/// Single-threaded.
/// </summary>
internal abstract class FuzzTarget
{
    private readonly Dictionary<string, long> _outcomes = new(StringComparer.Ordinal);

    /// <summary>The target's name: the report's key and its folder under <c>Regressions/</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Real and generated valid inputs the cases start from.</summary>
    public abstract IReadOnlyList<byte[]> Corpus { get; }

    /// <summary>True when the input is text (failure reports print it escaped rather than as hex).</summary>
    public virtual bool IsText => true;

    /// <summary>Longest input the default mutations make (a target whose cost grows with size keeps its cases cheap).</summary>
    protected virtual int MaxInputLength => Mutator.MaxLength;

    /// <summary>How often each outcome occurred (accepted, rejected by reason...): shows the cases reach past the first byte.</summary>
    public IReadOnlyDictionary<string, long> Outcomes => _outcomes;

    /// <summary>The input of one case. The default takes a corpus entry, now and then unchanged, else mutated.</summary>
    public virtual byte[] NextInput(FuzzRandom rng, List<string> log)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(log);
        byte[] seed = rng.Pick(Corpus);
        if (rng.OneIn(32))
        {
            log.Add("unmutated");
            return (byte[])seed.Clone();
        }

        return Mutator.Mutate(rng, seed, Corpus, IsText, log, MaxInputLength);
    }

    /// <summary>Runs one input; throws on a crash or a broken invariant.</summary>
    public abstract void Check(byte[] input);

    /// <summary>Counts an outcome for the report.</summary>
    protected void Outcome(string name)
    {
        _outcomes.TryGetValue(name, out long n);
        _outcomes[name] = n + 1;
    }
}

/// <summary>An invariant of the fuzzed API broke for an input (not an exception the API threw).</summary>
internal sealed class FuzzInvariantException : Exception
{
    public FuzzInvariantException(string message)
        : base(message)
    {
    }

    public FuzzInvariantException()
    {
    }

    public FuzzInvariantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Invariant checks that throw <see cref="FuzzInvariantException"/> (xUnit's asserts would read as crashes of the API).</summary>
internal static class Invariant
{
    public static void That(bool condition, string what)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(what);
        }
    }

    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new FuzzInvariantException($"{what}: expected {expected}, got {actual}");
        }
    }
}
