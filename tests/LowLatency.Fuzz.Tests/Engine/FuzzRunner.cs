using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace LowLatency.Fuzz.Tests.Engine;

/// <summary>
/// Runs a target's cases (<see cref="FuzzSettings.Count"/> from <see cref="FuzzSettings.Seed"/>), collects every failure
/// by kind, minimises the first input of each kind, writes the inputs to <see cref="FuzzSettings.OutputDirectory"/> and
/// fails the test with the seed, case index, mutations, exception, top frames and input of each kind.
/// </summary>
internal static class FuzzRunner
{
    private const int ShrinkBudget = 4000;
    private static readonly object s_reportLock = new();

    public static void Run(Func<FuzzTarget> create, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(output);
        FuzzTarget target = create();
        try
        {
            RunCases(target, create, output);
        }
        finally
        {
            (target as IDisposable)?.Dispose();
        }
    }

    private static void RunCases(FuzzTarget target, Func<FuzzTarget> create, ITestOutputHelper output)
    {
        ulong seed = FuzzSettings.Seed;
        long first = FuzzSettings.SingleCase ?? 0;
        long end = FuzzSettings.SingleCase is { } only ? only + 1 : FuzzSettings.Count;
        var failures = new Dictionary<string, Failure>(StringComparer.Ordinal);
        var log = new List<string>(8);
        long failed = 0;
        var clock = Stopwatch.StartNew();
        for (long i = first; i < end; i++)
        {
            FuzzRandom rng = FuzzRandom.ForCase(seed, target.Name, i);
            log.Clear();
            byte[] input = target.NextInput(rng, log);
            try
            {
                target.Check(input);
            }
#pragma warning disable CA1031 // every exception that escapes is the finding
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed++;
                string kind = Repro.Signature(ex);
                if (failures.TryGetValue(kind, out Failure? known))
                {
                    known.Count++;
                }
                else
                {
                    failures[kind] = new Failure(kind, i, input, string.Join(", ", log), ex);
                }
            }
        }

        clock.Stop();
        long cases = end - first;
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"fuzz {target.Name}: {cases} cases, seed {seed}, {failed} failures of {failures.Count} kinds, {clock.Elapsed.TotalSeconds:F1} s; outcomes: {FormatOutcomes(target.Outcomes, cases)}");
        output.WriteLine(summary);
        AppendReport(target.Name, cases, failed, failures.Count, clock.Elapsed.TotalSeconds, seed);
        if (failures.Count == 0)
        {
            return;
        }

        var message = new StringBuilder(summary).AppendLine();
        int n = 0;
        foreach (Failure failure in failures.Values.OrderBy(f => f.CaseIndex))
        {
            byte[] minimal = Shrink(create, failure.Input, failure.Kind);
            string written = Write(target.Name, seed, failure.CaseIndex, failure.Input, minimal);
            message.AppendLine(CultureInfo.InvariantCulture, $"[{++n}] {failure.Kind} — first at case {failure.CaseIndex} ({failure.Count}×), mutations: {failure.Mutations}")
                .AppendLine(CultureInfo.InvariantCulture, $"    {failure.Exception.GetType().FullName}: {failure.Exception.Message}")
                .AppendLine(CultureInfo.InvariantCulture, $"      {Repro.TopFrames(failure.Exception)}")
                .AppendLine(CultureInfo.InvariantCulture, $"    input ({failure.Input.Length} bytes): {Show(target, failure.Input)}")
                .AppendLine(CultureInfo.InvariantCulture, $"    minimised ({minimal.Length} bytes): {Show(target, minimal)}")
                .AppendLine(CultureInfo.InvariantCulture, $"    written: {written}")
                .AppendLine(CultureInfo.InvariantCulture, $"    replay: LL_FUZZ_SEED={seed} LL_FUZZ_CASE={failure.CaseIndex} dotnet test tests/LowLatency.Fuzz.Tests -c Release --filter <this test>");
        }

        Assert.Fail(message.ToString());
    }

    private static string Show(FuzzTarget target, byte[] input) => target.IsText ? Repro.Escape(input) : "0x" + Repro.HexOf(input);

    private static string FormatOutcomes(IReadOnlyDictionary<string, long> outcomes, long cases)
    {
        if (outcomes.Count == 0)
        {
            return "-";
        }

        return string.Join(", ", outcomes.OrderByDescending(o => o.Value).Take(12)
            .Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key} {100.0 * o.Value / Math.Max(1, cases):F0}%")));
    }

    /// <summary>
    /// Greedy delta debugging: removes ever smaller chunks while the input still fails the same way, then simplifies bytes
    /// to spaces. A fresh target runs the attempts, so the minimised input fails on its own.
    /// </summary>
    public static byte[] Shrink(Func<FuzzTarget> create, byte[] input, string kind)
    {
        FuzzTarget fresh = create();
        try
        {
            return ShrinkWith(fresh, input, kind);
        }
        finally
        {
            (fresh as IDisposable)?.Dispose();
        }
    }

    private static byte[] ShrinkWith(FuzzTarget fresh, byte[] input, string kind)
    {
        int budget = ShrinkBudget;
        bool StillFails(byte[] candidate)
        {
            budget--;
            try
            {
                fresh.Check(candidate);
                return false;
            }
#pragma warning disable CA1031 // the same kind of failure is what we look for
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return Repro.Signature(ex) == kind;
            }
        }

        if (!StillFails(input))
        {
            return input; // depends on earlier cases' state: keep it whole
        }

        byte[] current = input;
        for (int chunk = Math.Max(1, current.Length / 2); chunk >= 1 && budget > 0; chunk /= 2)
        {
            for (int start = 0; start < current.Length && budget > 0;)
            {
                int length = Math.Min(chunk, current.Length - start);
                byte[] candidate = Mutator.Replace(current, start, length, []);
                if (StillFails(candidate))
                {
                    current = candidate;
                }
                else
                {
                    start += length;
                }
            }
        }

        return current;
    }

    private static string Write(string target, ulong seed, long caseIndex, byte[] input, byte[] minimal)
    {
        try
        {
            string folder = Path.Combine(FuzzSettings.OutputDirectory, target);
            Directory.CreateDirectory(folder);
            string stem = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"seed-{seed}-case-{caseIndex}"));
            File.WriteAllBytes(stem + ".bin", input);
            File.WriteAllBytes(stem + ".min.bin", minimal);
            return stem + ".bin, " + stem + ".min.bin";
        }
        catch (IOException ex)
        {
            return "not written: " + ex.Message;
        }
        catch (UnauthorizedAccessException ex)
        {
            return "not written: " + ex.Message;
        }
    }

    private static void AppendReport(string target, long cases, long failed, int kinds, double seconds, ulong seed)
    {
        if (FuzzSettings.ReportPath is not { } path)
        {
            return;
        }

        string line = string.Create(CultureInfo.InvariantCulture, $"{target}\t{cases}\t{failed}\t{kinds}\t{seconds:F1}\t{seed}\n");
        lock (s_reportLock)
        {
            File.AppendAllText(path, line);
        }
    }

    private sealed class Failure(string kind, long caseIndex, byte[] input, string mutations, Exception exception)
    {
        public string Kind { get; } = kind;

        public long CaseIndex { get; } = caseIndex;

        public byte[] Input { get; } = input;

        public string Mutations { get; } = mutations;

        public Exception Exception { get; } = exception;

        public long Count { get; set; } = 1;
    }
}
