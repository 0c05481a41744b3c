using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;

namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// Reads a small secret file (a key) and nothing else: a directory, FIFO, socket or device given as the file is
/// refused with a reason that says what it is, a file over <see cref="MaxBytes"/> is refused unread, and nothing
/// blocks. Symbolic links are followed (secrets mounts are links to regular files). Cold path; any thread; allocates
/// only the reason text.
/// </summary>
/// <remarks>
/// .NET cannot tell a FIFO from a regular file (<see cref="File.GetAttributes(string)"/> says Normal for both) and
/// opening a FIFO for reading blocks until a writer comes. On Linux x64/arm64 the type is therefore read with
/// statx(2), whose layout is the same on every architecture (struct stat's is not), before opening; the open is
/// O_NONBLOCK; and the open descriptor is checked again, so a FIFO swapped in between cannot block either. Elsewhere
/// the managed checks (directory, size) are the best available.
/// </remarks>
public static class SecretFile
{
    /// <summary>The largest file read: a key is 64 hex digits, a 0x and a newline; this leaves room for whitespace.</summary>
    public const int MaxBytes = 256;

    /// <summary>
    /// Reads the whole file into <paramref name="dest"/> (at least <see cref="MaxBytes"/> long; the caller clears it).
    /// False with <paramref name="reason"/>, a phrase to follow the file's name ("is a FIFO (named pipe), not a regular
    /// file"), when the file cannot or must not be read.
    /// </summary>
    public static bool TryRead(string path, Span<byte> dest, out int length, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(dest.Length, MaxBytes);
        length = 0;
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            reason = "is not a usable path";
            return false;
        }

        return LinuxFiles.IsAvailable ? LinuxFiles.TryRead(path, dest[..MaxBytes], out length, out reason) : TryReadManaged(path, dest[..MaxBytes], out length, out reason);
    }

    private static string TooLarge => $"is larger than {MaxBytes} bytes (a key file holds one key)";

    private static bool TryReadManaged(string path, Span<byte> dest, out int length, [NotNullWhen(false)] out string? reason)
    {
        length = 0;
        try
        {
            if (Directory.Exists(path))
            {
                reason = "is a directory, not a regular file";
                return false;
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                reason = "does not exist";
                return false;
            }

            if (info.Length > MaxBytes)
            {
                reason = TooLarge;
                return false;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            int read;
            while ((read = stream.Read(dest[length..])) > 0)
            {
                length += read;
                if (length == dest.Length)
                {
                    break;
                }
            }

            Span<byte> probe = stackalloc byte[1];
            if (length == dest.Length && stream.Read(probe) > 0)
            {
                reason = TooLarge;
                return false;
            }

            reason = null;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            reason = ex is UnauthorizedAccessException ? "cannot be read: permission denied" : "cannot be read: " + ex.GetType().Name;
            return false;
        }
    }

    // statx(2), open(2), read(2), close(2) from glibc through function pointers (as NativeSecp256k1 does): blittable
    // arguments, no marshalling stub. errno is read right after each failed call.
    private static unsafe class LinuxFiles
    {
        private const int AtFdCwd = -100;
        private const int AtEmptyPath = 0x1000;
        private const uint StatxWanted = 0x1 | 0x100 | 0x200; // STATX_TYPE | STATX_INO | STATX_SIZE
        private const int OpenFlags = 0x800 | 0x100 | 0x80000; // O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC (x64 and arm64 values)
        private const int Eintr = 4;
        private const ushort TypeMask = 0xF000;
        private const ushort Regular = 0x8000;

        private static readonly delegate* unmanaged<int, byte*, int, uint, Statx*, int> s_statx;
        private static readonly delegate* unmanaged<byte*, int, int> s_open; // variadic in C; the mode is read only with O_CREAT
        private static readonly delegate* unmanaged<int, byte*, nint, nint> s_read;
        private static readonly delegate* unmanaged<int, int> s_close;

#pragma warning disable CA1810 // The exports are resolved once, all or none; a static constructor says so plainly.
        static LinuxFiles()
#pragma warning restore CA1810
        {
            if (!OperatingSystem.IsLinux()
                || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64)
                || !NativeLibrary.TryLoad("libc.so.6", out nint libc))
            {
                return;
            }

            if (NativeLibrary.TryGetExport(libc, "statx", out nint statx)
                && NativeLibrary.TryGetExport(libc, "open", out nint open)
                && NativeLibrary.TryGetExport(libc, "read", out nint read)
                && NativeLibrary.TryGetExport(libc, "close", out nint close))
            {
                s_statx = (delegate* unmanaged<int, byte*, int, uint, Statx*, int>)statx;
                s_open = (delegate* unmanaged<byte*, int, int>)open;
                s_read = (delegate* unmanaged<int, byte*, nint, nint>)read;
                s_close = (delegate* unmanaged<int, int>)close;
            }
        }

        public static bool IsAvailable => s_statx != null;

        public static bool TryRead(string path, Span<byte> dest, out int length, [NotNullWhen(false)] out string? reason)
        {
            length = 0;
            int pathBytes = Encoding.UTF8.GetByteCount(path);
            byte[] utf8 = new byte[pathBytes + 1];
            Encoding.UTF8.GetBytes(path, utf8);
            Statx before, after;
            byte empty = 0;
            fixed (byte* p = utf8)
            {
                if (s_statx(AtFdCwd, p, 0, StatxWanted, &before) != 0)
                {
                    reason = Describe(Marshal.GetLastSystemError());
                    return false;
                }

                if (!IsRegularAndSmall(before, out reason))
                {
                    return false;
                }

                int fd = s_open(p, OpenFlags);
                if (fd < 0)
                {
                    reason = Describe(Marshal.GetLastSystemError());
                    return false;
                }

                try
                {
                    if (s_statx(fd, &empty, AtEmptyPath, StatxWanted, &after) != 0)
                    {
                        reason = Describe(Marshal.GetLastSystemError());
                        return false;
                    }

                    if (!IsRegularAndSmall(after, out reason))
                    {
                        return false;
                    }

                    if (after.Ino != before.Ino || after.DevMajor != before.DevMajor || after.DevMinor != before.DevMinor)
                    {
                        reason = "changed while it was being opened";
                        return false;
                    }

                    return TryReadAll(fd, dest, out length, out reason);
                }
                finally
                {
                    _ = s_close(fd);
                }
            }
        }

        private static bool TryReadAll(int fd, Span<byte> dest, out int length, [NotNullWhen(false)] out string? reason)
        {
            length = 0;
            byte probe;
            fixed (byte* d = dest)
            {
                while (true)
                {
                    bool full = length == dest.Length;
                    nint read = full ? s_read(fd, &probe, 1) : s_read(fd, d + length, dest.Length - length);
                    if (read < 0)
                    {
                        int errno = Marshal.GetLastSystemError();
                        if (errno == Eintr)
                        {
                            continue;
                        }

                        reason = Describe(errno);
                        return false;
                    }

                    if (read == 0)
                    {
                        reason = null;
                        return true;
                    }

                    if (full)
                    {
                        reason = TooLarge; // it grew after the size check
                        return false;
                    }

                    length += (int)read;
                }
            }
        }

        private static bool IsRegularAndSmall(in Statx status, [NotNullWhen(false)] out string? reason)
        {
            reason = (status.Mode & TypeMask) switch
            {
                Regular => status.Size > MaxBytes ? TooLarge : null,
                0x4000 => "is a directory, not a regular file",
                0x1000 => "is a FIFO (named pipe), not a regular file",
                0x2000 => "is a character device, not a regular file",
                0x6000 => "is a block device, not a regular file",
                0xC000 => "is a socket, not a regular file",
                _ => "is not a regular file",
            };
            return reason is null;
        }

        private static string Describe(int errno) => errno switch
        {
            2 => "does not exist", // ENOENT
            6 => "is not a regular file (no device or reader behind it)", // ENXIO: e.g. a socket
            13 => "cannot be read: permission denied", // EACCES
            _ => "cannot be read: " + Marshal.GetPInvokeErrorMessage(errno),
        };

        // struct statx (linux/stat.h): fixed-size fields, identical on every architecture; 256 bytes.
        [StructLayout(LayoutKind.Explicit, Size = 256)]
        private struct Statx
        {
            [FieldOffset(28)] public ushort Mode;
            [FieldOffset(32)] public ulong Ino;
            [FieldOffset(40)] public ulong Size;
            [FieldOffset(136)] public uint DevMajor;
            [FieldOffset(140)] public uint DevMinor;
        }
    }
}
