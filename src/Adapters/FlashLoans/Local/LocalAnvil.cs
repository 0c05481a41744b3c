using System.Diagnostics;
using System.Globalization;

namespace LowLatency.Adapters.FlashLoans.Local;

/// <summary>
/// An anvil process for the demo: a free port chosen by anvil itself (<c>--port 0</c>, read back from its
/// "Listening on" line), the default dev mnemonic, killed with its process tree on dispose so nothing is left running.
/// </summary>
public sealed class LocalAnvil : IDisposable
{
    /// <summary>anvil's first dev account (public, well-known test key of the default mnemonic; worthless off a dev chain).</summary>
    public const string DevKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    private readonly Process _process;
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LocalAnvil(Process process) => _process = process;

    public Uri HttpUrl { get; private set; } = null!;

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public static async Task<LocalAnvil> StartAsync(string repoRoot, TimeSpan timeout)
    {
        string binary = Path.Combine(repoRoot, "tools", "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
        if (!File.Exists(binary))
        {
            throw new LocalChainException("anvil is not installed at " + binary + ": run scripts/setup-node-tools.sh");
        }

        var psi = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "--port", "0", "--host", "127.0.0.1", "--chain-id", "31337", "--hardfork", "prague", "--gas-limit", "100000000" })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = psi };
        var anvil = new LocalAnvil(process);
        process.OutputDataReceived += (_, e) =>
        {
            const string Marker = "Listening on 127.0.0.1:";
            if (e.Data is { } line && line.Contains(Marker, StringComparison.Ordinal) &&
                int.TryParse(line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            {
                anvil._port.TrySetResult(port);
            }
        };
        process.Exited += (_, _) => anvil._port.TrySetException(new LocalChainException("anvil exited before it listened"));
        process.EnableRaisingEvents = true;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            int p = await anvil._port.Task.WaitAsync(timeout);
            anvil.HttpUrl = new Uri("http://127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture) + "/");
            return anvil;
        }
        catch (TimeoutException)
        {
            anvil.Dispose();
            throw new LocalChainException("anvil did not listen within " + timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s");
        }
        catch (LocalChainException)
        {
            anvil.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
    }
}
