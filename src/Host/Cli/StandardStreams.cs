using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LowLatency.Host.Cli;

/// <summary>
/// Start-up check of descriptors 0, 1 and 2. A process started with stdout closed (<c>&gt;&amp;-</c>) would hand
/// descriptor 1 to the next file it opens — the log or its lock file — and every console line would land in it. Each
/// closed one is therefore taken by /dev/null at once, and reported so that writes to it fail as they should. Main
/// thread, once, before the console is first used.
/// </summary>
internal static partial class StandardStreams
{
    // Keeps the /dev/null handles that fill closed descriptors alive for the life of the process.
    private static readonly List<SafeFileHandle> s_placeholders = [];

    /// <summary>Fills closed standard descriptors; returns, per descriptor 0..2, whether it was closed.</summary>
    public static bool[] OccupyClosed()
    {
        var closed = new bool[3];
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return closed;
        }

        try
        {
            for (int fd = 0; fd <= 2; fd++)
            {
                int copy = Dup(fd);
                if (copy < 0)
                {
                    closed[fd] = true;
                }
                else
                {
                    _ = Close(copy);
                }
            }

            if (closed[0] || closed[1] || closed[2])
            {
                // The lowest free descriptor is taken first: open /dev/null until one lands above 2.
                for (int i = 0; i < 3; i++)
                {
                    SafeFileHandle handle = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
                    if (handle.DangerousGetHandle() > 2)
                    {
                        handle.Dispose();
                        break;
                    }

                    s_placeholders.Add(handle);
                }
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or IOException or UnauthorizedAccessException)
        {
            // Cannot tell or fix: carry on as .NET would.
        }

        return closed;
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
