using System.Text;
using LowLatency.Host.Persistence;

namespace LowLatency.Host.Tests.Support;

/// <summary>Keeps every line written; can hold the writer inside a write until released (to fill the queue on purpose).</summary>
internal sealed class RecordingOutput : ILogOutput
{
    private readonly StringBuilder _text = new();
    private readonly ManualResetEventSlim _gate;

    public RecordingOutput(bool startBlocked = false) => _gate = new ManualResetEventSlim(!startBlocked);

    /// <summary>Set when the writer is inside <see cref="Write"/>.</summary>
    public ManualResetEventSlim Entered { get; } = new(false);

    public bool Disposed { get; private set; }

    public long Rotations => 0;

    public long Reopens => ReopenRequests;

    public int ReopenRequests { get; private set; }

    public string[] Lines
    {
        get
        {
            lock (_text)
            {
                return _text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            }
        }
    }

    public void Release() => _gate.Set();

    public void Write(ReadOnlySpan<byte> lines)
    {
        Entered.Set();
        _gate.Wait();
        lock (_text)
        {
            _text.Append(Encoding.UTF8.GetString(lines));
        }
    }

    public void RequestReopen() => ReopenRequests++;

    public void Dispose() => Disposed = true;
}

/// <summary>Accepts <c>goodWrites</c> writes, then fails every one like a full disk.</summary>
internal sealed class FailingOutput(int goodWrites) : ILogOutput
{
    private int _writes;

    public int LinesStored { get; private set; }

    public int FailedWrites { get; private set; }

    public long Rotations => 0;

    public long Reopens => 0;

    public void Write(ReadOnlySpan<byte> lines)
    {
        if (_writes++ >= goodWrites)
        {
            FailedWrites++;
            throw new IOException("No space left on device");
        }

        LinesStored += lines.Count((byte)'\n');
    }

    public void RequestReopen()
    {
    }

    public void Dispose()
    {
    }
}
