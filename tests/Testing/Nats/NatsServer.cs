using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace LowLatency.Testing.Nats;

/// <summary>
/// A real <c>nats-server -js</c> on a loopback port it picks itself (read from its log, so no other test can take the
/// port in between), with its JetStream store in a temporary folder that survives <see cref="Kill"/> and
/// <see cref="Start"/> (a restart keeps the port and the data). Debian's package: scripts/setup.sh installs it.
/// </summary>
public sealed partial class NatsServer : IDisposable
{
    private static readonly TimeSpan s_startGuard = TimeSpan.FromSeconds(60);
    private readonly string _storeDir;
    private readonly StringBuilder _log = new();
    private readonly string[] _extra;
    private Process? _process;
    private int _port;

    public NatsServer(params string[] extraArgs)
    {
        _extra = extraArgs;
        _storeDir = Path.Combine(Path.GetTempPath(), "ll-nats-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_storeDir);
        Start();
    }

    public int Port => Volatile.Read(ref _port);

    /// <summary>
    /// <paramref name="size"/> servers of one JetStream cluster named <c>ll</c> (n1, n2, …), each with its own store and
    /// routes to all of them. A JetStream cluster needs its routes configured at start, so the route ports are chosen
    /// first; a port taken by someone else in between fails that start, and the cluster is started again on new ports.
    /// </summary>
    public static NatsServer[] StartCluster(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        for (int attempt = 1; ; attempt++)
        {
            int[] ports = FreePorts(size);
            string routes = string.Join(",", ports.Select(p => "nats://127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)));
            var started = new List<NatsServer>(size);
            try
            {
                for (int i = 0; i < size; i++)
                {
                    started.Add(new NatsServer("--server_name", "n" + (i + 1).ToString(CultureInfo.InvariantCulture), "--cluster_name", "ll",
                        "--cluster", "nats://127.0.0.1:" + ports[i].ToString(CultureInfo.InvariantCulture), "--routes", routes));
                }

                return [.. started];
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                foreach (NatsServer s in started)
                {
                    s.Dispose();
                }
            }
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(System.Net.IPAddress.Loopback, 0);
                listeners[i].Start();
            }

            return [.. listeners.Select(l => ((System.Net.IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (TcpListener? l in listeners)
            {
                l?.Stop();
            }
        }
    }

    /// <summary>SIGSTOP: the server freezes, to its peers and its clients a partitioned node (its sockets stay open).</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>SIGCONT after <see cref="Freeze"/>: it rejoins its cluster.</summary>
    public void Thaw() => Signal("CONT");

    public string Url => "nats://127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public bool IsRunning => _process is { HasExited: false };

    public static string Binary
    {
        get
        {
            foreach (var candidate in new[] { Environment.GetEnvironmentVariable("LL_NATS_SERVER"), "/usr/sbin/nats-server", "/usr/bin/nats-server" })
            {
                if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("nats-server not found. Run the set-up: scripts/setup.sh (apt-get install nats-server).");
        }
    }

    public void Start()
    {
        if (IsRunning)
        {
            return;
        }

        var psi = new ProcessStartInfo(Binary)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var a in new[] { "-js", "-a", "127.0.0.1", "-p", Port == 0 ? "-1" : Port.ToString(CultureInfo.InvariantCulture), "-sd", _storeDir })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var a in _extra)
        {
            psi.ArgumentList.Add(a);
        }

        var process = new Process { StartInfo = psi };
        var ready = new ManualResetEventSlim();
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            lock (_log)
            {
                _log.AppendLine(line);
            }

            var m = ListeningLine().Match(line);
            if (m.Success)
            {
                Volatile.Write(ref _port, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            }

            if (line.Contains("Server is ready", StringComparison.Ordinal))
            {
                ready.Set();
            }
        };
        process.ErrorDataReceived += onLine;
        process.OutputDataReceived += onLine;
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        if (!ready.Wait(s_startGuard) || Port == 0)
        {
            Kill();
            throw new InvalidOperationException("nats-server did not start: " + Log);
        }

        WaitAccepting();
    }

    /// <summary>SIGKILL (the store is kept for <see cref="Start"/>).</summary>
    public void Kill()
    {
        var p = _process;
        _process = null;
        if (p == null)
        {
            return;
        }

        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(30_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            p.Dispose();
        }
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(_storeDir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void WaitAccepting()
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < s_startGuard)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(20);
            }
        }

        throw new InvalidOperationException("nats-server does not accept connections on " + Url);
    }

    private void Signal(string signal)
    {
        var p = _process ?? throw new InvalidOperationException("nats-server is not running");
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, p.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit(10_000);
    }

    [GeneratedRegex(@"Listening for client connections on [0-9.]+:(\d+)")]
    private static partial Regex ListeningLine();
}
