namespace LowLatency.Host.Tests.Support;

/// <summary>
/// Tests run many engines at once: a <c>run</c> that is not about the dashboard or the database gets <c>--no-dashboard
/// --no-db</c>, so no two tests race for port 8080 or one SQLite file (the race would only add alert lines, but a test
/// must not depend on which run won).
/// </summary>
internal static class QuietRun
{
    public static string[] Args(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] != "run")
        {
            return args;
        }

        var result = new List<string>(args.Length + 2) { "run" };
        if (Array.IndexOf(args, "--no-dashboard") < 0 && Array.FindIndex(args, a => a.StartsWith("--dashboard", StringComparison.Ordinal)) < 0)
        {
            result.Add("--no-dashboard");
        }

        if (Array.IndexOf(args, "--no-db") < 0 && Array.IndexOf(args, "--db") < 0)
        {
            result.Add("--no-db");
        }

        result.AddRange(args.AsSpan(1));
        return [.. result];
    }
}
