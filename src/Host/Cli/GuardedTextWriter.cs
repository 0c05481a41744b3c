using System.Text;
using LowLatency.Host.Persistence;

namespace LowLatency.Host.Cli;

/// <summary>
/// Wraps stdout or stderr so that a write that fails (a full disk behind <c>&gt; file</c>, <c>/dev/full</c>, a closed
/// descriptor, a reader that went away) never throws into the engine: the first failure is remembered, reported
/// through <see cref="Failed"/>, and everything after it is discarded. The verb then stops and exits 1. Any thread
/// (writes are serialised by the synchronised writer above it).
/// </summary>
internal sealed class GuardedTextWriter : TextWriter
{
    private readonly TextWriter _inner;
    private readonly string? _brokenAtStart;
    private volatile string? _failure;

    /// <param name="inner">The real stream's writer.</param>
    /// <param name="name">"stdout" or "stderr", for messages.</param>
    /// <param name="brokenAtStart">Set when the descriptor was closed when the process started: the first write fails with this reason.</param>
    public GuardedTextWriter(TextWriter inner, string name, string? brokenAtStart = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        Name = name;
        _brokenAtStart = brokenAtStart;
    }

    /// <summary>"stdout" or "stderr".</summary>
    public string Name { get; }

    /// <summary>Why writing failed (e.g. "No space left on device"); null while every write succeeded.</summary>
    public string? Failure => _failure;

    /// <summary>Called once, on the writing thread, when the first write fails.</summary>
    public event Action<GuardedTextWriter>? Failed;

    public override Encoding Encoding => _inner.Encoding;

    public override void Write(char value) => Guard(value, static (w, v) => w.Write(v));

    public override void Write(string? value) => Guard(value, static (w, v) => w.Write(v));

    public override void Write(char[] buffer, int index, int count) => Guard((buffer, index, count), static (w, v) => w.Write(v.buffer, v.index, v.count));

    public override void Write(ReadOnlySpan<char> buffer) => Write(buffer.ToString());

    public override void WriteLine(string? value) => Guard(value, static (w, v) => w.WriteLine(v));

    public override void Flush() => Guard(0, static (w, _) => w.Flush());

    private void Guard<TState>(TState state, Action<TextWriter, TState> write)
    {
        if (_failure is not null)
        {
            return;
        }

        if (_brokenAtStart is not null)
        {
            Fail(_brokenAtStart);
            return;
        }

        try
        {
            write(_inner, state);
        }
        catch (Exception e) when (e is ObjectDisposedException || IoErrors.IsIo(e))
        {
            Fail(e is UnauthorizedAccessException or ObjectDisposedException ? "it is closed" : IoErrors.Describe(e));
        }
    }

    private void Fail(string reason)
    {
        _failure = reason;
        Failed?.Invoke(this);
    }
}
