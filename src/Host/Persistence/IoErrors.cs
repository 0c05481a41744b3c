namespace LowLatency.Host.Persistence;

/// <summary>Turns the exceptions file I/O throws into a few words for a one-line error (the caller names the path).</summary>
internal static class IoErrors
{
    /// <summary>True for the exceptions an open, read or write of a file may throw for reasons outside the program.</summary>
    public static bool IsIo(Exception e) => e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException;

    /// <summary>"permission denied", "No space left on device", ...: the reason without the path .NET puts in its messages.</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e)
        {
            case UnauthorizedAccessException:
                return "permission denied";
            case PathTooLongException:
                return "the name is too long (at most 255 bytes a name, 4095 a path)";
            case DirectoryNotFoundException:
                return "a folder on the path does not exist or is not a folder";
            case FileNotFoundException:
                return "no such file";
            case ArgumentException:
                return "not a valid path";
        }

        // Unix IOExceptions read "<strerror> : '<path>'"; keep the strerror part.
        string message = e.Message;
        int cut = message.IndexOf(" : '", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        return message.TrimEnd('.', ' ');
    }
}
