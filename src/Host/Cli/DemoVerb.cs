using System.CommandLine;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Flashbots.Demo;

namespace LowLatency.Host.Cli;

/// <summary>
/// <c>demo flashloan</c>: the one-command proof of the flash-loan path on a local chain (anvil, Aave V3, Uniswap
/// V2/V3, the executor, a loopback relay). One JSON line per stage; exit 0 only when the bundle was included with a
/// profit above zero and Aave was repaid, 1 when it was not, 2 on a usage error. Nothing is left running.
/// </summary>
internal static class DemoVerb
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var which = new Argument<string>("name") { Description = "flashloan" };
        var command = new Command("demo", "demo flashloan: Aave V3 flash loan → Uniswap V3/V2 → Flashbots bundle, on a local anvil") { which };
        command.SetAction(parse =>
        {
            string name = parse.GetValue(which) ?? "";
            if (name != "flashloan")
            {
                stderr.WriteLine("demo: unknown demo '" + SecretRedaction.Excerpt(name, 40) + "' (expected flashloan)");
                return 2;
            }

            return FlashLoanDemo.RunAsync(RepositoryRoot(), stdout, stderr).GetAwaiter().GetResult();
        });
        return command;
    }

    /// <summary>The clone the launcher runs from (tools/node_modules lives there): LL_REPO_ROOT, else up from the binary.</summary>
    private static string RepositoryRoot()
    {
        string? fromEnv = Environment.GetEnvironmentVariable("LL_REPO_ROOT");
        if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(Path.Combine(fromEnv, "tools")))
        {
            return fromEnv;
        }

        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LowLatency.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
