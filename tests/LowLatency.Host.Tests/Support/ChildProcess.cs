using System.Diagnostics;
using System.Text;
using LowLatency.Testing;

namespace LowLatency.Host.Tests.Support;

/// <summary>
/// The built CLI as a child process (signals, redirected descriptors, the launcher). Every wait has a generous
/// hang guard; nothing asserts on timing.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _startedMarker;

    private ChildProcess(ProcessStartInfo start, string? startedMarker)
    {
        _startedMarker = startedMarker;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_out)
            {
                _out.Append(e.Data).Append('\n');
            }

            if (_startedMarker is not null && e.Data.Contains(_startedMarker, StringComparison.Ordinal))
            {
                _started.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_err)
                {
                    _err.Append(e.Data).Append('\n');
                }
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The folder of the test binaries, which holds lowlatency.dll (a project reference).</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "lowlatency.dll");

    /// <summary>The artifacts folder these binaries were built into (what the launcher reads as LL_ARTIFACTS).</summary>
    public static string Artifacts => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", ".."));

    public string Out
    {
        get
        {
            lock (_out)
            {
                return _out.ToString();
            }
        }
    }

    public string Err
    {
        get
        {
            lock (_err)
            {
                return _err.ToString();
            }
        }
    }

    public int Id => _process.Id;

    /// <summary>dotnet lowlatency.dll ARGS in <paramref name="workingDirectory"/>.</summary>
    public static ChildProcess StartDll(string workingDirectory, string? startedMarker, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Dll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        return new ChildProcess(start, startedMarker);
    }

    /// <summary>bash -c SCRIPT (for redirections such as &gt;/dev/full); $LL is the CLI, $LAUNCHER the ./lowlatency script.</summary>
    public static ChildProcess StartShell(string workingDirectory, string script, IReadOnlyDictionary<string, string>? environment = null, string? startedMarker = null)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = workingDirectory };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["LL"] = $"dotnet {Dll}";
        start.Environment["LAUNCHER"] = Path.Combine(SharedData.RepoRoot, "lowlatency");
        start.Environment["LL_ARTIFACTS"] = Artifacts;
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new ChildProcess(start, startedMarker);
    }

    /// <summary>
    /// dotnet lowlatency.dll ARGS started as a shell's background job starts it, with SIGINT and SIGQUIT ignored
    /// (<paramref name="ignoreStopSignals"/>), or as <see cref="StartDll"/> does.
    /// </summary>
    public static ChildProcess StartDll(string workingDirectory, string startedMarker, bool ignoreStopSignals, params string[] args)
    {
        if (!ignoreStopSignals)
        {
            return StartDll(workingDirectory, startedMarker, args);
        }

        // exec keeps the pid, so signals sent to this child reach the engine.
        string quoted = string.Join(' ', args.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        return StartShell(workingDirectory, "trap '' INT QUIT; exec $LL " + quoted, startedMarker: startedMarker);
    }

    /// <summary>Waits until stdout showed the start marker (the engine is running, its signal handlers registered).</summary>
    public async Task WaitStartedAsync() => await _started.Task.WaitAsync(HangGuard);

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the exit (hang guard: kills and fails) and for the last output.</summary>
    public async Task<int> WaitExitAsync()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        try
        {
            await _process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the process did not exit within {HangGuard}; stdout: {Out} stderr: {Err}");
        }

        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
