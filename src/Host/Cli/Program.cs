using System.CommandLine;
using System.CommandLine.Help;
using LowLatency.Adapters.Ethereum;

namespace LowLatency.Host.Cli;

/// <summary>
/// The <c>lowlatency</c> command line: run, replay, eth (bench is dispatched by the ./lowlatency launcher). Exit codes,
/// for every verb: 0 success; 1 the operation failed on its input data or its output (a damaged capture, a rejected
/// transaction, a failed write); 2 a usage, configuration or validation error. Every error is one line on stderr that
/// starts with the verb; nothing prints a stack trace, and no message can echo a secret (stderr, and stdout but for the
/// eth tools' data, go through <see cref="RedactingTextWriter"/>).
/// </summary>
public static class Program
{
    /// <summary>Exit code of success.</summary>
    public const int Success = 0;

    /// <summary>Exit code of an operation that failed on its data or its output.</summary>
    public const int Failed = 1;

    /// <summary>Exit code of a usage, configuration or validation error.</summary>
    public const int UsageError = 2;

    private const string Name = "lowlatency";

    public static int Main(string[] args)
    {
        // First of all: it may execute this program again, before anything is opened or written.
        string? signalAlert = null;
        if (args.Length > 0 && args[0] is "run" or "record")
        {
            SignalDispositions.RestoreOrReport(args, out signalAlert);
        }

        bool[] closed = StandardStreams.OccupyClosed();
        var streams = new CliStreams(closed[1] ? Console.Out : OpenStdout(), Console.Error, closed[1] ? "it is closed" : null, closed[2] ? "it is closed" : null);

        // Anything else that writes to the console (a library, the runtime's own messages) is redacted too.
        Console.SetOut(streams.Out);
        Console.SetError(streams.Error);
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            // A bug on a background thread: one line, not a stack trace, and the exit code of a failure.
            string what = e.ExceptionObject is Exception ex ? $"{ex.GetType().Name}: {ex.Message}" : "unknown error";
            streams.Error.WriteLine($"{Name}: internal error on thread '{Thread.CurrentThread.Name}': {what}");
            streams.Error.Flush();
            Environment.Exit(Failed);
        };
        if (signalAlert is not null)
        {
            streams.Error.WriteLine($"{args[0]}: alert: {signalAlert}");
        }

        return Invoke(args, streams);
    }

    /// <summary>
    /// Descriptor 1 as an unbuffered writer. On Unix <see cref="Console.Out"/> swallows EPIPE, so a reader that went
    /// away (<c>run | head -1</c>) would leave the run writing into nothing; this writer reports it, and the verb stops.
    /// </summary>
    private static TextWriter OpenStdout()
    {
        if (OperatingSystem.IsWindows())
        {
            return Console.Out;
        }

        var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        return new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };
    }

    /// <summary>
    /// Runs the command line in-process with the given writers and environment, exactly as <see cref="Main"/> does
    /// (tests: no process-wide state is touched).
    /// </summary>
    internal static int Invoke(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?>? environment = null) =>
        Invoke(args, new CliStreams(stdout, stderr), environment);

    internal static int Invoke(string[] args, CliStreams streams, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        string verb = Name;
        int exit;
        try
        {
            RootCommand root = BuildRoot(streams, environment ?? Environment.GetEnvironmentVariable);
            ParseResult parse = root.Parse(args);
            verb = parse.CommandResult.Command is RootCommand ? Name : parse.CommandResult.Command.Name;
            if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
            {
                foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
                {
                    streams.Error.WriteLine($"{verb}: {DescribeParseError(error.Message)}");
                }

                streams.Error.WriteLine(verb == Name ? $"{Name}: see '{Name} --help'" : $"{verb}: see '{Name} {verb} --help'");
                exit = UsageError;
            }
            else
            {
                exit = parse.Invoke(new InvocationConfiguration
                {
                    Output = streams.Out,
                    Error = streams.Error,
                    EnableDefaultExceptionHandler = false, // ours below prints one line, never a stack trace
                    ProcessTerminationTimeout = null, // run handles SIGINT/SIGTERM itself, with a clean shutdown
                });
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            streams.Error.WriteLine($"{verb}: internal error ({e.GetType().Name}): {e.Message}");
            exit = Failed;
        }

        streams.Out.Flush();
        streams.DataOut.Flush();
        if (streams.OutGuard.Failure is { } failure && exit == Success)
        {
            streams.Error.WriteLine($"{verb}: cannot write to stdout: {failure}");
            exit = Failed;
        }

        streams.Error.Flush();
        return exit;
    }

    /// <summary>The command tree over plain writers (no guard, no redaction: tests that drive one verb).</summary>
    internal static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr) => BuildRoot(new CliStreams(stdout, stderr), Environment.GetEnvironmentVariable);

    internal static RootCommand BuildRoot(CliStreams streams, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var root = new RootCommand("LowLatency: a low-latency crypto arbitrage engine (dry-run by default)");
        root.Add(RunCommand.Create(streams, environment));
        root.Add(ReplayCommand.Create(streams.Out, streams.Error));
        // eth's stdout is data — hashes, signed transactions, calldata — where a run of 64 hex digits is the answer, so
        // it is not redacted; its messages go to stderr, which is (and the eth tools redact what they echo themselves).
        root.Add(EthVerb.Create(streams.DataOut, streams.Error));
        root.Add(DexVerb.Create(streams.DataOut, streams.Error));
        root.Add(ChainVerb.Create(streams.Out, streams.Error));
        root.Add(TrainVerb.Create(streams.Out, streams.Error));
        root.Add(EvaluateVerb.Create(streams.Out, streams.Error));
        root.Add(AgentsVerb.Create(streams.Out, streams.Error, environment));
        root.Add(RecordVerb.Create(streams.Out, streams.Error, environment));
        root.Add(DemoVerb.Create(streams.Out, streams.Error));
        root.Add(QuoteVerb.Create(streams.Out, streams.Error, environment));
        return root;
    }

    /// <summary>System.CommandLine's messages in our style: no .NET type names, lower case, no full stop.</summary>
    internal static string DescribeParseError(string message)
    {
        ArgumentNullException.ThrowIfNull(message);

        // "Cannot parse argument 'abc' for option '--depth' as expected type 'System.Int32'."
        const string cannotParse = "Cannot parse argument '";
        if (message.StartsWith(cannotParse, StringComparison.Ordinal))
        {
            int valueEnd = message.IndexOf("' for option '", cannotParse.Length, StringComparison.Ordinal);
            int optionEnd = valueEnd < 0 ? -1 : message.IndexOf("' as expected type '", valueEnd, StringComparison.Ordinal);
            if (optionEnd > 0)
            {
                string value = message[cannotParse.Length..valueEnd];
                string option = message[(valueEnd + "' for option '".Length)..optionEnd];
                string type = message[(optionEnd + "' as expected type '".Length)..].TrimEnd('.', '\'');
                string kind = type.Contains("Int", StringComparison.Ordinal) ? "a whole number"
                    : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number"
                    : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
                    : "a valid value";
                return $"{option}: '{value}' is not {kind}";
            }
        }

        if (message == "Required command was not provided.")
        {
            return "a verb is needed: run, replay or eth";
        }

        message = message.TrimEnd('.');
        return message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message;
    }
}

/// <summary>
/// The process's stdout and stderr as the verbs see them: each guarded (<see cref="GuardedTextWriter"/>), redacted
/// (<see cref="RedactingTextWriter"/>) and synchronised, so any thread may write a line.
/// </summary>
internal sealed class CliStreams
{
    public CliStreams(TextWriter stdout, TextWriter stderr, string? stdoutBroken = null, string? stderrBroken = null)
    {
        OutGuard = new GuardedTextWriter(stdout, "stdout", stdoutBroken);
        ErrorGuard = new GuardedTextWriter(stderr, "stderr", stderrBroken);
        Out = TextWriter.Synchronized(new RedactingTextWriter(OutGuard));
        DataOut = TextWriter.Synchronized(OutGuard);
        Error = TextWriter.Synchronized(new RedactingTextWriter(ErrorGuard));
    }

    /// <summary>Redacted, synchronised stdout: text for people (summaries, help, printed books).</summary>
    public TextWriter Out { get; }

    /// <summary>Guarded but not redacted stdout, for output that is data (the eth tools' hashes and transactions).</summary>
    public TextWriter DataOut { get; }

    /// <summary>Redacted, synchronised stderr.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether (and why) stdout stopped accepting writes.</summary>
    public GuardedTextWriter OutGuard { get; }

    public GuardedTextWriter ErrorGuard { get; }
}
