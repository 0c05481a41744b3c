using System.Text;
using LowLatency.Host.Persistence;

namespace LowLatency.Host.Diagnostics;

/// <summary>
/// The arbitrage log's JSON lines mirrored to a console writer (<c>run --log-console</c>): the same bytes as the file,
/// one whole line per line, flushed per batch so <c>| jq .</c> sees each line as it is written. Runs on its own
/// <see cref="LogWriter"/> thread behind its own bounded queue, so a slow terminal or pipe drops console lines (counted)
/// and never holds up the file or the host thread. Nothing to rotate or reopen.
/// </summary>
internal sealed class ConsoleLogOutput(TextWriter console) : ILogOutput
{
    private readonly TextWriter _console = console ?? throw new ArgumentNullException(nameof(console));

    public long Rotations => 0;

    public long Reopens => 0;

    // The writer is a synchronised TextWriter: one Write call per batch keeps its lines whole against any other writer.
    public void Write(ReadOnlySpan<byte> lines)
    {
        _console.Write(Encoding.UTF8.GetString(lines));
        _console.Flush();
    }

    public void RequestReopen()
    {
    }

    public void Dispose() => _console.Flush();
}
