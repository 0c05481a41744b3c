using System.Globalization;
using System.Runtime.InteropServices;

namespace LowLatency.Host.Cli;

/// <summary>
/// A shell without job control starts a background job (<c>./lowlatency run &amp;</c> in a script) with SIGINT and
/// SIGQUIT ignored, and the runtime keeps a signal ignored that was ignored at start: the clean stop (SIGINT) and the
/// kill switch (SIGQUIT) would do nothing, in silence. So before anything else, a verb that answers to them sets both
/// back to their default and executes itself again, and the runtime of the new image installs its handlers.
/// </summary>
internal static partial class SignalDispositions
{
    private const int SigInt = 2;
    private const int SigQuit = 3;
    private const nint SigDefault = 0;
    private const nint SigError = -1;

    // Set in the image executed again: if the signals are still ignored there, it says so instead of looping.
    private const string RestoredMarker = "LOWLATENCY_SIGNALS_RESTORED";

    /// <summary>
    /// Returns only when nothing had to change, or with <paramref name="alert"/> saying why the signals stay ignored;
    /// otherwise the process is replaced by itself with the signals at their default.
    /// </summary>
    public static void RestoreOrReport(string[] args, out string? alert)
    {
        alert = null;
        if (!OperatingSystem.IsLinux() || !TryReadIgnored(out ulong ignored))
        {
            return;
        }

        bool intIgnored = IsSet(ignored, SigInt);
        bool quitIgnored = IsSet(ignored, SigQuit);
        if (!intIgnored && !quitIgnored)
        {
            return;
        }

        string which = intIgnored && quitIgnored ? "SIGINT and SIGQUIT are" : intIgnored ? "SIGINT is" : "SIGQUIT is";
        string consequence = "stop it with SIGTERM; the kill switch answers to its kill file";
        if (Environment.GetEnvironmentVariable(RestoredMarker) is not null)
        {
            alert = $"{which} still ignored after restoring them; {consequence}";
            return;
        }

        string? path = Environment.ProcessPath;
        if (path is null || Signal(SigInt, SigDefault) == SigError || Signal(SigQuit, SigDefault) == SigError)
        {
            alert = $"{which} ignored (started as a background job?) and cannot be restored; {consequence}";
            return;
        }

        var argv = new List<string?> { path };
        // Under the dotnet host the program is its argument; an apphost or a native build is the program itself.
        if (Path.GetFileNameWithoutExtension(path) == "dotnet" && typeof(SignalDispositions).Assembly.Location is { Length: > 0 } dll)
        {
            argv.Add(dll);
        }

        argv.AddRange(args);
        argv.Add(null);
        var environment = new List<string?>();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment.Add($"{entry.Key}={entry.Value}");
        }

        environment.Add(RestoredMarker + "=1");
        environment.Add(null);
        Execve(path, [.. argv], [.. environment]);
        // Only a failed exec returns; set back what the parent chose, so this process behaves as it was started.
        int errno = Marshal.GetLastPInvokeError();
        Signal(SigInt, intIgnored ? 1 : SigDefault);
        Signal(SigQuit, quitIgnored ? 1 : SigDefault);
        alert = string.Create(CultureInfo.InvariantCulture, $"{which} ignored (started as a background job?) and restarting with them restored failed (errno {errno}); {consequence}");
    }

    private static bool IsSet(ulong mask, int signal) => (mask & (1UL << (signal - 1))) != 0;

    // Linux reports the ignored set as a hex mask in /proc/self/status ("SigIgn:\t0000000000001006").
    private static bool TryReadIgnored(out ulong mask)
    {
        mask = 0;
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                {
                    return ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mask);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, string?[] argv, string?[] environment);
}
