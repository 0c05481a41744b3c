using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace LowLatency.Testing.Anvil;

/// <summary>
/// A real anvil node on a free loopback port, started from tools/node_modules (scripts/setup-node-tools.sh).
/// Uses anvil's default test mnemonic, so <see cref="DevKeys"/> are the well-known dev accounts.
/// Can be stopped and restarted on the same port (a fresh chain) to test reconnects.
/// Use as an xUnit class fixture; methods are not thread-safe.
/// </summary>
public sealed class AnvilFixture : IDisposable
{
    /// <summary>anvil's default mnemonic; the keys below derive from it.</summary>
    public const string Mnemonic = "test test test test test test test test test test test junk";

    /// <summary>The chain id we start anvil with.</summary>
    public const long ChainId = 31337;

    /// <summary>First three dev accounts of <see cref="Mnemonic"/>: (private key hex, checksummed address).</summary>
    public static readonly IReadOnlyList<(string PrivateKey, string Address)> DevKeys =
    [
        ("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
        ("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        ("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
    ];

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    private readonly string _binary;
    private readonly string[] _extraArgs;
    private readonly StringBuilder _stderr = new();
    private Process? _process;
    private int _port;

    /// <summary>Starts anvil with default options (auto-mining on each transaction).</summary>
    public AnvilFixture()
        : this([])
    {
    }

    private AnvilFixture(string[] extraArgs)
    {
        _extraArgs = extraArgs;
        _binary = LocateBinary();
        Start();
    }

    /// <summary>Starts anvil with extra command-line options (for example "--block-time", "1").</summary>
    public static AnvilFixture StartWith(params string[] extraArgs) => new(extraArgs);

    /// <summary>Path of the anvil binary inside the pinned npm package, relative to the repo root.</summary>
    public static string RelativeBinaryPath { get; } =
        Path.Combine("tools", "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");

    /// <summary>
    /// The port anvil listens on. The first start asks anvil for a free port (<c>--port 0</c>) and reads the one it
    /// bound from its "Listening on" line: picking a free port here and handing it over would let another test's
    /// node take it in between, and this fixture would then talk to that node. Restarts reuse the port.
    /// </summary>
    public int Port => Volatile.Read(ref _port);

    public Uri HttpUrl => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public Uri WsUrl => new($"ws://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Finds the anvil binary or throws with the command that installs it (tests must not skip silently).</summary>
    public static string LocateBinary()
    {
        var env = Environment.GetEnvironmentVariable("LL_ANVIL");
        if (!string.IsNullOrEmpty(env) && File.Exists(env))
        {
            return env;
        }

        var root = SharedData.RepoRoot;
        var path = Path.Combine(root, RelativeBinaryPath);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"anvil not found at {path}. Run the set-up: scripts/setup-node-tools.sh (npm ci --prefix tools).");
        }

        return path;
    }

    /// <summary>Starts anvil on <see cref="Port"/> and waits until it answers eth_chainId.</summary>
    public void Start()
    {
        if (IsRunning)
        {
            return;
        }

        var psi = new ProcessStartInfo(_binary)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            CreateNoWindow = true,
        };
        foreach (var arg in new[]
                 {
                     "--port", Port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
                     "--mnemonic", Mnemonic, "--chain-id", ChainId.ToString(CultureInfo.InvariantCulture),
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var arg in _extraArgs)
        {
            psi.ArgumentList.Add(arg);
        }

        lock (_stderr)
        {
            _stderr.Clear();
        }

        var process = new Process { StartInfo = psi };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        // Not --silent: the "Listening on 127.0.0.1:PORT" line is how a first start learns its port; the rest is dropped.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Volatile.Read(ref _port) == 0 && TryParseListeningPort(line, out int port))
            {
                Volatile.Write(ref _port, port);
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        WaitUntilReady(process);
    }

    /// <summary>Kills anvil (the port is kept for <see cref="Start"/>).</summary>
    public void Stop()
    {
        var process = _process;
        _process = null;
        if (process == null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited between the check and the kill.
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>Kills and restarts anvil on the same port (a fresh chain).</summary>
    public void Restart()
    {
        Stop();
        Start();
    }

    /// <summary>Sends one raw JSON-RPC request over HTTP and returns the response text (test helper).</summary>
    public string RawCall(string method, string paramsJson = "[]")
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + paramsJson + "}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = http.PostAsync(HttpUrl, content).GetAwaiter().GetResult();
        return response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
    }

    public void Dispose() => Stop();

    private void WaitUntilReady(Process process)
    {
        var deadline = Stopwatch.StartNew();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        const string body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}";
        while (deadline.Elapsed < s_startTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"anvil exited with code {process.ExitCode} before answering on port {Port}: {StderrText()}");
            }

            if (Port == 0)
            {
                Thread.Sleep(20); // its "Listening on" line has not been read yet
                continue;
            }

            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = http.PostAsync(HttpUrl, content).GetAwaiter().GetResult();
                var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode && text.Contains("\"result\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Request timed out; try again.
            }

            Thread.Sleep(50);
        }

        Stop();
        throw new TimeoutException($"anvil did not answer eth_chainId on port {Port} within {s_startTimeout}: {StderrText()}");
    }

    private string StderrText()
    {
        lock (_stderr)
        {
            return _stderr.ToString();
        }
    }

    private static bool TryParseListeningPort(string line, out int port)
    {
        const string Prefix = "Listening on 127.0.0.1:";
        int at = line.IndexOf(Prefix, StringComparison.Ordinal);
        port = 0;
        return at >= 0 && int.TryParse(line.AsSpan(at + Prefix.Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port > 0;
    }
}
