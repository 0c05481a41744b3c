using LowLatency.Host.Cli;

namespace LowLatency.Host.Tests.Support;

/// <summary>The CLI in-process, with an empty environment: exit code, stdout and stderr.</summary>
internal static class CliRun
{
    public static (int Exit, string Out, string Err) Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Invoke(args, stdout, stderr, _ => null);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
