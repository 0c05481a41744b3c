using System.Globalization;

namespace LowLatency.Fuzz.Tests.Engine;

/// <summary>
/// How many cases each target runs and from which seed, read from the environment so <c>scripts/fuzz.sh</c> can ask for
/// more: <c>LL_FUZZ_COUNT</c> (cases per target, default <see cref="DefaultCount"/>, the CI run), <c>LL_FUZZ_SEED</c>
/// (default <see cref="DefaultSeed"/>), <c>LL_FUZZ_CASE</c> (run only that case index: replays one failure),
/// <c>LL_FUZZ_REPORT</c> (a file each target appends its summary line to) and <c>LL_FUZZ_OUT</c> (where failing
/// inputs are written; default a folder under the system temp directory) and <c>LL_FUZZ_TMP</c> (see
/// <see cref="NewScratchFolder"/>).
/// </summary>
internal static class FuzzSettings
{
    /// <summary>Cases per target in CI.</summary>
    public const int DefaultCount = 10_000;

    /// <summary>The fixed CI seed.</summary>
    public const ulong DefaultSeed = 20_261_124;

    public static int Count { get; } = ReadInt("LL_FUZZ_COUNT") ?? DefaultCount;

    public static ulong Seed { get; } = ReadSeed();

    public static long? SingleCase { get; } = ReadInt("LL_FUZZ_CASE");

    public static string? ReportPath { get; } = Environment.GetEnvironmentVariable("LL_FUZZ_REPORT") is { Length: > 0 } p ? p : null;

    public static string OutputDirectory { get; } =
        Environment.GetEnvironmentVariable("LL_FUZZ_OUT") is { Length: > 0 } o ? o : Path.Combine(Path.GetTempPath(), "lowlatency-fuzz");

    /// <summary>
    /// A fresh folder for the files a target writes per case (captures, configuration files): under <c>LL_FUZZ_TMP</c>,
    /// else <c>/dev/shm</c> where it exists (memory: ten thousand small writes to a shared disk cost more than the parsing),
    /// else the system temp directory. The target deletes it when done.
    /// </summary>
    public static string NewScratchFolder()
    {
        string root = Environment.GetEnvironmentVariable("LL_FUZZ_TMP") is { Length: > 0 } t ? t
            : Directory.Exists("/dev/shm") ? "/dev/shm"
            : Path.GetTempPath();
        string folder = Path.Combine(root, "lowlatency-fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static int? ReadInt(string name)
    {
        string? text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= 0
            ? value
            : throw new InvalidOperationException($"{name}: '{text}' is not a non-negative whole number");
    }

    private static ulong ReadSeed()
    {
        string? text = Environment.GetEnvironmentVariable("LL_FUZZ_SEED");
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultSeed;
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw new InvalidOperationException($"LL_FUZZ_SEED: '{text}' is not a non-negative whole number");
    }
}
