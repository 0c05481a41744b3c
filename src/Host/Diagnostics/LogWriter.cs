using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using LowLatency.Host.Persistence;
using ZLogger;

namespace LowLatency.Host.Diagnostics;

/// <summary>What happened to every line handed to a <see cref="LogWriter"/>: posted = written + dropped + lost + pending.</summary>
public readonly record struct LogCounters(long Posted, long Written, long Dropped, long Lost, long FailedWrites, long Rotations, long Reopens)
{
    /// <summary>Lines that did not reach the file: dropped at a full queue or lost to a failed write.</summary>
    public long NotWritten => Dropped + Lost;
}

/// <summary>
/// ZLogger's processor for the arbitrage log: a bounded queue (a full queue drops the line and counts it) drained by
/// one writer thread that formats lines (ZLogger's JSON formatter) and hands them to an <see cref="ILogOutput"/> in
/// batches. Failure policy: the first failed write (disk full, I/O error, a file that can no longer be created) is an
/// alert through the callback, the batch's lines are counted as lost and so is everything after — nothing is written
/// past a failure, so the file never has a hole — and <see cref="Failure"/> tells the engine to stop.
/// <see cref="Post"/> is called on the host thread (any thread is safe) and does not allocate; the writer thread owns
/// the output.
/// </summary>
public sealed class LogWriter : IAsyncLogProcessor
{
    private const int MaxBatchBytes = 256 * 1024;

    private readonly ILogOutput _output;
    private readonly IZLoggerFormatter _formatter;

    // A ConcurrentQueue bounded by a count, and an event the writer sleeps on: Post neither allocates nor schedules
    // anything (a Channel's TryWrite queues the waiting reader's continuation, which allocates on the posting thread).
    private readonly ConcurrentQueue<IZLoggerEntry> _queue = new();
    private readonly ManualResetEventSlim _signal = new(false);
    private readonly int _capacity;
    private int _queued;
    private readonly Action<string> _alert;
    private readonly Thread _thread;
    private readonly object _progress = new();
    private long _posted;
    private long _written;
    private long _dropped;
    private long _lost;
    private long _failedWrites;
    private volatile string? _failure;
    private int _closed;

    /// <param name="output">Where lines go; owned (disposed) by this writer.</param>
    /// <param name="formatter">ZLogger formatter of one entry (the JSON formatter), used on the writer thread only.</param>
    /// <param name="capacity">Lines the queue holds before it drops.</param>
    /// <param name="alert">Called once for the first failed write and once for the first drop; any thread.</param>
    internal LogWriter(ILogOutput output, IZLoggerFormatter formatter, int capacity, Action<string> alert)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(formatter);
        ArgumentNullException.ThrowIfNull(alert);
        _output = output;
        _formatter = formatter;
        _alert = alert;
        _capacity = capacity;
        _thread = new Thread(WriteLoop) { Name = "log-writer", IsBackground = true };
        _thread.Start();
    }

    /// <summary>The first failed write, as one sentence; null while every write has succeeded.</summary>
    public string? Failure => _failure;

    /// <summary>A consistent-enough snapshot of the counters (each read is atomic). Any thread.</summary>
    public LogCounters Counters => new(
        Interlocked.Read(ref _posted),
        Volatile.Read(ref _written),
        Interlocked.Read(ref _dropped),
        Volatile.Read(ref _lost),
        Volatile.Read(ref _failedWrites),
        _output.Rotations,
        _output.Reopens);

    /// <summary>Reopen the file before the next write (SIGHUP). Any thread.</summary>
    public void RequestReopen() => _output.RequestReopen();

    /// <summary>Queues one entry; a full queue, a closed writer or a failed log count the line instead. Any thread; no allocation.</summary>
    public void Post(IZLoggerEntry log)
    {
        ArgumentNullException.ThrowIfNull(log);
        Interlocked.Increment(ref _posted);
        if (_failure is not null || Volatile.Read(ref _closed) != 0)
        {
            log.Return();
            Interlocked.Increment(ref _lost);
            return;
        }

        if (Interlocked.Increment(ref _queued) > _capacity)
        {
            Interlocked.Decrement(ref _queued);
            log.Return();
            if (Interlocked.Increment(ref _dropped) == 1)
            {
                _alert("the log queue is full: lines are dropped and counted (the disk is slower than the opportunities)");
            }

            return;
        }

        _queue.Enqueue(log);
        _signal.Set();
    }

    /// <summary>Waits until every line posted so far is written or accounted for; false on timeout. Host thread and tests.</summary>
    public bool WaitUntilWritten(TimeSpan timeout)
    {
        long target = Interlocked.Read(ref _posted);
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_progress)
        {
            while (Accounted() < target)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || !_thread.IsAlive)
                {
                    return Accounted() >= target;
                }

                Monitor.Wait(_progress, (int)Math.Min(left, 100));
            }
        }

        return true;
    }

    /// <summary>
    /// Stops taking lines, writes what is queued, and closes the output. Lines the writer could not finish within
    /// <paramref name="timeout"/> are counted as lost. Idempotent; host thread.
    /// </summary>
    public void Close(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _signal.Set();
        if (_thread.Join(timeout))
        {
            _output.Dispose();
            return;
        }

        // A writer stuck in the kernel (a hung network disk): report what is still queued as lost and leave the file to the OS.
        long pending = Interlocked.Read(ref _posted) - Accounted();
        Interlocked.Add(ref _lost, pending);
        _failure ??= "the log writer did not finish in time";
    }

    /// <summary>Closes with a generous timeout (the logger factory's disposal calls this).</summary>
    public ValueTask DisposeAsync()
    {
        Close(TimeSpan.FromSeconds(5));
        return ValueTask.CompletedTask;
    }

    private long Accounted() => Volatile.Read(ref _written) + Interlocked.Read(ref _dropped) + Volatile.Read(ref _lost);

    private void WriteLoop()
    {
        var buffer = new LineBuffer(64 * 1024);
        while (WaitForLines())
        {
            int lines = 0;
            while (buffer.Length < MaxBatchBytes && _queue.TryDequeue(out IZLoggerEntry? entry))
            {
                Interlocked.Decrement(ref _queued);
                if (_failure is not null)
                {
                    entry.Return();
                    Interlocked.Increment(ref _lost);
                    continue;
                }

                int start = buffer.Length;
                try
                {
                    entry.FormatUtf8(buffer, _formatter);
                    buffer.Append((byte)'\n');
                    lines++;
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
                {
                    // A line that cannot be formatted is dropped whole (never half a line) and counted.
                    buffer.Length = start;
                    Interlocked.Increment(ref _lost);
                    _alert($"a log line could not be formatted and was dropped: {e.Message}");
                }
                finally
                {
                    entry.Return();
                }
            }

            if (lines > 0)
            {
                try
                {
                    _output.Write(buffer.Written);
                    Volatile.Write(ref _written, _written + lines);
                }
                catch (Exception e) when (IoErrors.IsIo(e))
                {
                    Volatile.Write(ref _failedWrites, _failedWrites + 1);
                    Interlocked.Add(ref _lost, lines);
                    _failure = $"writing the log failed: {IoErrors.Describe(e)}";
                    _alert($"{_failure}; {lines.ToString(CultureInfo.InvariantCulture)} line(s) of this batch are lost and nothing more is written (policy: a failed write stops the run)");
                }
            }

            buffer.Length = 0;
            lock (_progress)
            {
                Monitor.PulseAll(_progress);
            }
        }

        lock (_progress)
        {
            Monitor.PulseAll(_progress);
        }
    }

    // True when there are lines to write; false once closed and drained. Reset before looking, so a Post that lands
    // between the look and the wait has set the event again and the wait returns at once.
    private bool WaitForLines()
    {
        while (true)
        {
            _signal.Reset();
            if (!_queue.IsEmpty)
            {
                return true;
            }

            if (Volatile.Read(ref _closed) != 0)
            {
                return !_queue.IsEmpty;
            }

            _signal.Wait();
        }
    }

    /// <summary>A growable byte buffer that can be cut back to an earlier length (a line that failed to format).</summary>
    private sealed class LineBuffer(int initialCapacity) : IBufferWriter<byte>
    {
        private byte[] _bytes = new byte[initialCapacity];
        private int _length;

        public int Length
        {
            get => _length;
            set => _length = value;
        }

        public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

        public void Advance(int count) => _length += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _bytes.AsMemory(_length);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _bytes.AsSpan(_length);
        }

        public void Append(byte value)
        {
            Ensure(1);
            _bytes[_length++] = value;
        }

        private void Ensure(int sizeHint)
        {
            int need = _length + Math.Max(sizeHint, 256);
            if (need > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(need, _bytes.Length * 2));
            }
        }
    }
}
