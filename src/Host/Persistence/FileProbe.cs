using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LowLatency.Host.Persistence;

/// <summary>What a path names, as far as the engine cares before opening it.</summary>
internal enum FileKind
{
    /// <summary>Nothing at the path (or a dangling link).</summary>
    Missing,
    Regular,
    Directory,
    CharacterDevice,
    BlockDevice,

    /// <summary>A named pipe: opening it blocks until the other end opens.</summary>
    Fifo,
    Socket,

    /// <summary>The platform cannot tell (statx unavailable): only Missing/Directory/Regular are known then.</summary>
    Unknown,
}

/// <summary>Device, inode and size of a file: two handles or paths name the same file when device and inode agree.</summary>
internal readonly record struct FileIdentity(ulong DeviceMajor, ulong DeviceMinor, ulong Inode, long Size)
{
    public bool IsSameFile(in FileIdentity other) => DeviceMajor == other.DeviceMajor && DeviceMinor == other.DeviceMinor && Inode == other.Inode;
}

/// <summary>
/// File type and identity through Linux <c>statx</c> (the one stat structure with the same layout on every
/// architecture). .NET exposes neither the file type (a FIFO looks like a file and blocks on open) nor the inode (how a
/// moved or deleted log is noticed). Elsewhere, or on a libc without statx, it degrades to what .NET can tell.
/// Any thread; does not allocate beyond the marshalled path.
/// </summary>
internal static unsafe partial class FileProbe
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxIno = 0x100;
    private const uint StatxSize = 0x200;
    private const int StatxBufferBytes = 256;
    private const int ModeOffset = 28;
    private const int InodeOffset = 32;
    private const int SizeOffset = 40;
    private const int DevMajorOffset = 136;
    private const int DevMinorOffset = 140;

    private static bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>What <paramref name="path"/> names, following links; <paramref name="identity"/> is set for anything that exists when statx works.</summary>
    public static FileKind KindOf(string path, out FileIdentity identity)
    {
        identity = default;
        if (!s_unavailable)
        {
            byte* buffer = stackalloc byte[StatxBufferBytes];
            int result;
            try
            {
                result = Statx(AtFdCwd, path, 0, StatxType | StatxMode | StatxIno | StatxSize, buffer);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                s_unavailable = true;
                return KindOfManaged(path);
            }

            if (result != 0)
            {
                // ENOENT or ENOTDIR: nothing there. Anything else (EACCES on a parent, ELOOP) is left to the open to explain.
                int errno = Marshal.GetLastPInvokeError();
                return errno is 2 or 20 ? FileKind.Missing : FileKind.Unknown;
            }

            identity = Read(buffer);
            return KindOfMode(*(ushort*)(buffer + ModeOffset));
        }

        return KindOfManaged(path);
    }

    /// <summary>The identity of an open file; false when the platform cannot tell.</summary>
    public static bool TryIdentify(SafeFileHandle handle, out FileIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(handle);
        identity = default;
        if (s_unavailable || handle.IsInvalid || handle.IsClosed)
        {
            return false;
        }

        byte* buffer = stackalloc byte[StatxBufferBytes];
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxType | StatxIno | StatxSize, buffer) != 0)
            {
                return false;
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            s_unavailable = true;
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        identity = Read(buffer);
        return true;
    }

    /// <summary>A short English name for a kind, as used in error messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        _ => "of an unknown kind",
    };

    private static FileIdentity Read(byte* buffer) => new(
        *(uint*)(buffer + DevMajorOffset),
        *(uint*)(buffer + DevMinorOffset),
        *(ulong*)(buffer + InodeOffset),
        (long)*(ulong*)(buffer + SizeOffset));

    private static FileKind KindOfMode(ushort mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.Regular,
        0x4000 => FileKind.Directory,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        _ => FileKind.Unknown,
    };

    private static FileKind KindOfManaged(string path) =>
        Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Unknown : FileKind.Missing;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);
}
