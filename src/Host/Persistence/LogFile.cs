using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace LowLatency.Host.Persistence;

/// <summary>Where the log goes and how it rotates: the live file, its size limit and how many rotated files stay.</summary>
internal readonly record struct LogFileSettings(string Path, long MaxBytes, int KeepFiles);

/// <summary>Something that takes complete log lines and either stores all of them or throws (IOException and kin).</summary>
internal interface ILogOutput : IDisposable
{
    /// <summary>Writes <paramref name="lines"/> (whole lines, each ending in '\n'). Throws on failure, leaving no partial line behind where it can.</summary>
    void Write(ReadOnlySpan<byte> lines);

    /// <summary>Asks for the file to be reopened before the next write (SIGHUP). Any thread.</summary>
    void RequestReopen();

    /// <summary>How often the file was rotated by size.</summary>
    long Rotations { get; }

    /// <summary>How often the file was reopened (moved, deleted, truncated by someone else, or SIGHUP).</summary>
    long Reopens { get; }
}

/// <summary>
/// The arbitrage log file. Held exclusively through <c>PATH.lock</c> (an advisory <c>flock</c>, released by the kernel
/// when the process dies, so a crash leaves no stale lock); a second run on the same path is refused at start-up with
/// the holder's pid. Written with positioned writes at the offset it tracks, so a failed write (disk full) can be cut
/// back to the last complete line. Before each batch it checks that the path still names the file it has open and
/// reopens (creating it again) when the file was moved, deleted or truncated under it (logrotate with or without
/// copytruncate), or when <see cref="RequestReopen"/> was called. Rotates by size to PATH.1 … PATH.N, never splitting a
/// line. A character device (/dev/null) is written as is: no lock, no rotation. The writer thread calls
/// <see cref="Write"/>; allocates only when it opens or rotates.
/// </summary>
internal sealed class LogFile : ILogOutput
{
    /// <summary>Longest file name most Linux file systems allow (NAME_MAX), in bytes.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Longest path (PATH_MAX), in bytes.</summary>
    public const int MaxPathBytes = 4095;

    private const string LockSuffix = ".lock";
    private const int WouldBlock = 11; // EWOULDBLOCK: what .NET reports when FileShare.None meets another holder's flock

    private readonly LogFileSettings _settings;
    private readonly bool _isDevice;
    private SafeFileHandle _handle;
    private FileStream? _lock;
    private FileIdentity _lockIdentity;
    private long _offset;
    private long _rotations;
    private long _reopens;
    private volatile bool _reopenRequested;

    private LogFile(LogFileSettings settings, bool isDevice, SafeFileHandle handle, FileStream? lockFile, FileIdentity lockIdentity)
    {
        _settings = settings;
        _isDevice = isDevice;
        _handle = handle;
        _lock = lockFile;
        _lockIdentity = lockIdentity;
        _offset = isDevice ? 0 : RandomAccess.GetLength(handle);
    }

    /// <summary>The full path of the live file.</summary>
    public string Path => _settings.Path;

    public long Rotations => Volatile.Read(ref _rotations);

    public long Reopens => Volatile.Read(ref _reopens);

    /// <summary>
    /// Checks the path and opens the log, taking its lock: a directory, a FIFO or socket, a name too long for its
    /// rotation companions, a folder that cannot be created, a read-only place or another run holding the lock are
    /// each one clear sentence in <paramref name="error"/>, never an exception. Start-up only.
    /// </summary>
    public static bool TryOpen(LogFileSettings settings, [NotNullWhen(true)] out LogFile? file, [NotNullWhen(false)] out string? error)
    {
        file = null;
        if (string.IsNullOrWhiteSpace(settings.Path))
        {
            error = "the log path is empty";
            return false;
        }

        string full;
        try
        {
            full = System.IO.Path.GetFullPath(settings.Path);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            error = $"'{settings.Path}' is not a valid path";
            return false;
        }

        string name = System.IO.Path.GetFileName(full);
        if (name.Length == 0 || settings.Path.EndsWith('/'))
        {
            error = $"'{settings.Path}' names a folder; give a file name such as {System.IO.Path.Combine(settings.Path, "arbitrage.log")}";
            return false;
        }

        // The lock file and the rotated files add a suffix; all of them must fit.
        int suffixBytes = Math.Max(LockSuffix.Length, 1 + settings.KeepFiles.ToString(CultureInfo.InvariantCulture).Length);
        int nameBytes = Encoding.UTF8.GetByteCount(name);
        if (nameBytes + suffixBytes > MaxNameBytes)
        {
            error = $"the file name is {nameBytes} bytes; with its '{LockSuffix}' and rotation suffixes it must stay within {MaxNameBytes} bytes, so at most {MaxNameBytes - suffixBytes}";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(full) + suffixBytes > MaxPathBytes)
        {
            error = $"the path is longer than {MaxPathBytes - suffixBytes} bytes";
            return false;
        }

        var resolved = settings with { Path = full };
        FileKind kind = FileProbe.KindOf(full, out _);
        switch (kind)
        {
            case FileKind.Directory:
                error = $"'{settings.Path}' is a directory; give a file name such as {System.IO.Path.Combine(settings.Path, "arbitrage.log")}";
                return false;
            case FileKind.Fifo or FileKind.Socket or FileKind.BlockDevice:
                error = $"'{settings.Path}' is {FileProbe.Describe(kind)}; the log must be a regular file or a character device such as /dev/null";
                return false;
            case FileKind.CharacterDevice:
                return TryOpenDevice(resolved, out file, out error);
            default:
                return TryOpenFile(resolved, out file, out error);
        }
    }

    /// <inheritdoc/>
    public void RequestReopen() => _reopenRequested = true;

    /// <inheritdoc/>
    public void Write(ReadOnlySpan<byte> lines)
    {
        if (lines.IsEmpty)
        {
            return;
        }

        if (_isDevice)
        {
            RandomAccess.Write(_handle, lines, 0);
            return;
        }

        ReopenIfMoved();
        while (!lines.IsEmpty)
        {
            int take = lines.Length;
            if (_offset + lines.Length > _settings.MaxBytes)
            {
                // Fill this file with the whole lines that fit, then rotate; a line longer than the limit gets a file of its own.
                long room = _settings.MaxBytes - _offset;
                int end = room <= 0 ? -1 : lines[..(int)Math.Min(room, lines.Length)].LastIndexOf((byte)'\n');
                if (end < 0)
                {
                    if (_offset > 0)
                    {
                        Rotate();
                        continue;
                    }

                    end = lines.IndexOf((byte)'\n');
                    end = end < 0 ? lines.Length - 1 : end;
                }

                take = end + 1;
            }

            WriteAt(lines[..take]);
            lines = lines[take..];
        }
    }

    /// <summary>Closes the file and releases the lock (the lock file stays: it is the flock that locks, not the file).</summary>
    public void Dispose()
    {
        _handle.Dispose();
        _lock?.Dispose();
        _lock = null;
    }

    private void WriteAt(ReadOnlySpan<byte> data)
    {
        try
        {
            RandomAccess.Write(_handle, data, _offset);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            // A write can fail half way (ENOSPC after some blocks): cut the file back so it ends with a whole line.
            try
            {
                RandomAccess.SetLength(_handle, _offset);
            }
            catch (Exception cut) when (IoErrors.IsIo(cut))
            {
                // Nothing more to do; the caller reports the original failure.
            }

            throw;
        }

        _offset += data.Length;
    }

    private void ReopenIfMoved()
    {
        bool reopen = _reopenRequested;
        if (!reopen)
        {
            FileKind kind = FileProbe.KindOf(_settings.Path, out FileIdentity onDisk);
            if (kind == FileKind.Missing)
            {
                reopen = true;
            }
            else if (FileProbe.TryIdentify(_handle, out FileIdentity open) && kind != FileKind.Unknown)
            {
                // Another file at the path (moved away, a new one created) or ours cut short by copytruncate.
                reopen = !onDisk.IsSameFile(open) || open.Size < _offset;
            }
        }

        if (reopen)
        {
            _reopenRequested = false;
            Reopen();
        }
    }

    private void Reopen()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_settings.Path)!);
        EnsureLock();
        SafeFileHandle next = OpenForAppend(_settings.Path);
        _handle.Dispose();
        _handle = next;
        _offset = RandomAccess.GetLength(next);
        Interlocked.Increment(ref _reopens);
    }

    private void Rotate()
    {
        string path = _settings.Path;
        string Numbered(int n) => path + "." + n.ToString(CultureInfo.InvariantCulture);
        File.Delete(Numbered(_settings.KeepFiles));
        for (int n = _settings.KeepFiles - 1; n >= 1; n--)
        {
            if (File.Exists(Numbered(n)))
            {
                File.Move(Numbered(n), Numbered(n + 1), overwrite: true);
            }
        }

        File.Move(path, Numbered(1), overwrite: true);
        SafeFileHandle next = OpenForAppend(path);
        _handle.Dispose();
        _handle = next;
        _offset = RandomAccess.GetLength(next);
        Interlocked.Increment(ref _rotations);
    }

    // The folder (and the lock file in it) may have been deleted with the log: take the lock again on a new lock file,
    // so that a second run cannot start on this path while this one still writes.
    private void EnsureLock()
    {
        string lockPath = _settings.Path + LockSuffix;
        if (FileProbe.KindOf(lockPath, out FileIdentity onDisk) != FileKind.Missing && (onDisk.Inode == 0 || onDisk.IsSameFile(_lockIdentity)))
        {
            return;
        }

        if (!TryLock(lockPath, out FileStream? lockFile, out FileIdentity identity, out string? error))
        {
            throw new IOException(error);
        }

        _lock?.Dispose();
        _lock = lockFile;
        _lockIdentity = identity;
    }

    private static bool TryOpenDevice(LogFileSettings settings, [NotNullWhen(true)] out LogFile? file, [NotNullWhen(false)] out string? error)
    {
        file = null;
        try
        {
            SafeFileHandle handle = File.OpenHandle(settings.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            file = new LogFile(settings, isDevice: true, handle, lockFile: null, default);
            error = null;
            return true;
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            error = $"cannot open '{settings.Path}': {IoErrors.Describe(e)}";
            return false;
        }
    }

    private static bool TryOpenFile(LogFileSettings settings, [NotNullWhen(true)] out LogFile? file, [NotNullWhen(false)] out string? error)
    {
        file = null;
        string folder = System.IO.Path.GetDirectoryName(settings.Path)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            error = $"cannot create the folder '{folder}': {IoErrors.Describe(e)}";
            return false;
        }

        if (!TryLock(settings.Path + LockSuffix, out FileStream? lockFile, out FileIdentity lockIdentity, out error))
        {
            return false;
        }

        try
        {
            SafeFileHandle handle = OpenForAppend(settings.Path);
            file = new LogFile(settings, isDevice: false, handle, lockFile, lockIdentity);
            return true;
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            lockFile.Dispose();
            error = $"cannot open '{settings.Path}': {IoErrors.Describe(e)}";
            return false;
        }
    }

    private static SafeFileHandle OpenForAppend(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);

        // FileShare.ReadWrite: readers (tail -f, tests) are welcome; exclusion between engines is the lock file's job.
        return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    }

    private static bool TryLock(string lockPath, [NotNullWhen(true)] out FileStream? lockFile, out FileIdentity identity, [NotNullWhen(false)] out string? error)
    {
        lockFile = null;
        identity = default;
        try
        {
            // FileShare.None is an exclusive flock on Unix: the kernel drops it when this process ends, however it ends.
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException e) when (e.HResult == WouldBlock || IsHeld(e))
        {
            string holder = FindLockHolder(lockPath) is { } pid ? $"pid {pid}" : "another process";
            error = $"'{lockPath[..^LockSuffix.Length]}' is in use by another run ({holder} holds {lockPath}); give each run its own --log";
            return false;
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            error = $"cannot create the lock file '{lockPath}': {IoErrors.Describe(e)}";
            return false;
        }

        try
        {
            // For people: who holds it. The lock is the flock, so a stale pid left by a crash means nothing.
            byte[] text = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}\n"));
            lockFile.SetLength(0);
            lockFile.Write(text);
            lockFile.Flush();
            FileProbe.TryIdentify(lockFile.SafeFileHandle, out identity);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            lockFile.Dispose();
            lockFile = null;
            error = $"cannot write the lock file '{lockPath}': {IoErrors.Describe(e)}";
            return false;
        }

        error = null;
        return true;
    }

    private static bool IsHeld(IOException e) => e.Message.Contains("being used by another process", StringComparison.Ordinal);

    // /proc/locks names the pid behind every flock by device and inode ("1: FLOCK ADVISORY WRITE 1234 fe:00:56789 0 EOF").
    // .NET cannot read the holder's pid from the lock file itself: its open takes a shared flock, which the holder's
    // exclusive one refuses.
    private static int? FindLockHolder(string lockPath)
    {
        if (FileProbe.KindOf(lockPath, out FileIdentity id) != FileKind.Regular || id.Inode == 0)
        {
            return null;
        }

        string device = string.Create(CultureInfo.InvariantCulture, $"{id.DeviceMajor:x2}:{id.DeviceMinor:x2}:{id.Inode}");
        try
        {
            foreach (string line in File.ReadLines("/proc/locks"))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 6 && fields[1] == "FLOCK" && fields[5] == device
                    && int.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                {
                    return pid;
                }
            }
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            // No /proc: say "another process".
        }

        return null;
    }
}
