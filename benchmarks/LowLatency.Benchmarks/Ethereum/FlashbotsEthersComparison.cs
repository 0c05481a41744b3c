using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LowLatency.Testing;

namespace LowLatency.Benchmarks.Ethereum;

/// <summary>
/// Runs ethers/bench.mjs under node (ethers v6 from tools/node_modules, installed by scripts/setup-node-tools.sh)
/// and returns its median nanoseconds for the same work as <see cref="FlashbotsSignBenchmarks.Native"/>.
/// The external baseline of the "speedup_vs_external" budget "eth.sign_bundle_vs_ethers".
/// </summary>
public static class EthersComparison
{
    /// <summary>The external baseline's name in budgets ("external":"ethers").</summary>
    public const string Name = "ethers";

    /// <summary>Median ns per iteration measured by ethers v6; throws with the reason when node or ethers is missing.</summary>
    public static double MeasureMedianNs(bool quick = false)
    {
        using var doc = JsonDocument.Parse(RunScript(quick ? "--quick" : null));
        return doc.RootElement.GetProperty("medianNs").GetDouble();
    }

    /// <summary>Like <see cref="MeasureMedianNs"/>, false (with the reason on stderr) instead of throwing.</summary>
    public static bool TryMeasureMedianNs(bool quick, out double medianNs)
    {
        try
        {
            medianNs = MeasureMedianNs(quick);
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or KeyNotFoundException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            Console.Error.WriteLine("ethers comparison: " + ex.Message);
            medianNs = double.NaN;
            return false;
        }
    }

    /// <summary>ethers' raw transaction and header for nonce 0 (to check they equal ours byte for byte).</summary>
    public static (string RawTransaction, string Header) CheckOutputs()
    {
        using var doc = JsonDocument.Parse(RunScript("--check"));
        return (doc.RootElement.GetProperty("raw").GetString()!, doc.RootElement.GetProperty("header").GetString()!);
    }

    private static string RunScript(string? argument)
    {
        var root = SharedData.RepoRoot;
        var script = Path.Combine(root, "benchmarks", "LowLatency.Benchmarks", "Ethereum", "ethers", "bench.mjs");
        var tools = Path.Combine(root, "tools");
        if (!Directory.Exists(Path.Combine(tools, "node_modules", "ethers")))
        {
            throw new InvalidOperationException("ethers not installed in tools/node_modules; run scripts/setup-node-tools.sh");
        }

        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        if (argument != null)
        {
            psi.ArgumentList.Add(argument);
        }

        psi.Environment["LL_TOOLS_DIR"] = tools;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("ethers benchmark did not finish in 5 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"node exited {process.ExitCode}: {stderr.Result}"));
        }

        return stdout.Trim();
    }
}
