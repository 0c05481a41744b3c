using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LowLatency.Benchmarks.Latency;
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

    /// <summary>
    /// Like <see cref="MeasureMedianNs"/>, but false with one line in <paramref name="failure"/> instead of throwing: what
    /// is missing (ethers, node) and the command that sets it up, or why node failed.
    /// </summary>
    public static bool TryMeasureMedianNs(bool quick, out double medianNs, out string? failure)
    {
        medianNs = double.NaN;
        failure = MissingSetUp(Path.Combine(SharedData.RepoRoot, "tools"));
        if (failure is not null)
        {
            return false;
        }

        try
        {
            medianNs = MeasureMedianNs(quick);
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            failure = ExternalBaselines.NotSetUp("node is not on PATH (install Node.js 20 or later)");
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or KeyNotFoundException or TimeoutException)
        {
            failure = "node " + ScriptPath + ": " + OneLine(ex.Message);
        }

        return false;
    }

    /// <summary>What the comparison needs and <paramref name="toolsDirectory"/> lacks, as one line with the command to run; null when nothing is missing.</summary>
    public static string? MissingSetUp(string toolsDirectory) =>
        Directory.Exists(Path.Combine(toolsDirectory, "node_modules", "ethers"))
            ? null
            : ExternalBaselines.NotSetUp($"ethers is not installed ({Path.Combine(toolsDirectory, "node_modules", "ethers")} is missing)");

    private static string ScriptPath => Path.Combine("benchmarks", "LowLatency.Benchmarks", "Ethereum", "ethers", "bench.mjs");

    private static string OneLine(string text)
    {
        string trimmed = text.Trim();
        int end = trimmed.IndexOfAny(['\r', '\n']);
        return end < 0 ? trimmed : trimmed[..end] + " ...";
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
        var script = Path.Combine(root, ScriptPath);
        var tools = Path.Combine(root, "tools");
        if (MissingSetUp(tools) is { } missing)
        {
            throw new InvalidOperationException(missing);
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
