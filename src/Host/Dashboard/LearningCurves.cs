namespace LowLatency.Host.Dashboard;

/// <summary>One learning curve the training wrote (episodic return or P&amp;L against steps), as the page links it.</summary>
public sealed record CurveView(string Name, string Url);

/// <summary><c>GET /api/ml/curves</c>: every learning curve in the models folder.</summary>
public sealed record CurvesResponse(IReadOnlyList<CurveView> Curves);

/// <summary>
/// The PNG learning curves training writes beside its models (<c>models/rl/cartpole.seed1.png</c>,
/// <c>models/multi_agent_rl/agent_1.png</c>): listed from the models folder and its direct subfolders, and served only
/// by a name the listing gave, so a request can never reach another file (no path is ever built from the request).
/// </summary>
public static class LearningCurves
{
    /// <summary>Where the page fetches a curve: this, then the curve's name and ".png".</summary>
    public const string UrlPrefix = "/api/ml/curves/";

    /// <summary>A PNG larger than this is not a plot of ours: it is skipped.</summary>
    private const long MaxBytes = 8L << 20;

    /// <summary>Every curve, by name ("rl/cartpole.seed1"), with its file; empty when the folder is missing.</summary>
    public static IReadOnlyDictionary<string, string> Find(string modelsFolder)
    {
        ArgumentNullException.ThrowIfNull(modelsFolder);
        var curves = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(modelsFolder))
        {
            return curves;
        }

        try
        {
            Add(modelsFolder, "", curves);
            foreach (string folder in Directory.EnumerateDirectories(modelsFolder))
            {
                Add(folder, Path.GetFileName(folder) + "/", curves);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder that cannot be listed has no curves to show; the others still do.
        }

        return curves;
    }

    public static CurvesResponse List(string modelsFolder)
    {
        var list = new List<CurveView>();
        foreach (string name in Find(modelsFolder).Keys)
        {
            list.Add(new CurveView(name, UrlPrefix + Uri.EscapeDataString(name).Replace("%2F", "/", StringComparison.Ordinal) + ".png"));
        }

        return new CurvesResponse(list);
    }

    private static void Add(string folder, string prefix, SortedDictionary<string, string> curves)
    {
        foreach (string file in Directory.EnumerateFiles(folder, "*.png"))
        {
            var info = new FileInfo(file);
            if (info.Length is > 0 and <= MaxBytes && (info.Attributes & FileAttributes.ReparsePoint) == 0)
            {
                curves[prefix + Path.GetFileNameWithoutExtension(file)] = info.FullName;
            }
        }
    }
}
