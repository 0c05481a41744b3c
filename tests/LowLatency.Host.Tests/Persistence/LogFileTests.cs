using System.Text;
using LowLatency.Host.Persistence;
using LowLatency.Host.Tests.Support;

namespace LowLatency.Host.Tests.Persistence;

public sealed class LogFileTests
{
    private static LogFileSettings Settings(string path, long maxBytes = 1 << 20, int keep = 3) => new(path, maxBytes, keep);

    private static LogFile Open(LogFileSettings settings)
    {
        Assert.True(LogFile.TryOpen(settings, out LogFile? file, out string? error), error);
        return file;
    }

    private static byte[] Lines(int from, int count, int width = 40)
    {
        var text = new StringBuilder();
        for (int i = from; i < from + count; i++)
        {
            string head = $"line {i} ";
            text.Append(head).Append('x', Math.Max(0, width - head.Length - 1)).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static string Error(LogFileSettings settings)
    {
        Assert.False(LogFile.TryOpen(settings, out LogFile? file, out string? error));
        Assert.Null(file);
        return error;
    }

    [Fact]
    public void A_directory_is_refused_with_a_clear_message()
    {
        using var folder = new TempFolder();
        Assert.Contains("is a directory", Error(Settings(folder.Path)), StringComparison.Ordinal);
        Assert.Contains("names a folder", Error(Settings(folder.Path + "/")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_parent_folder_is_created()
    {
        using var folder = new TempFolder();
        string path = folder.File("a/b/c/arbitrage.log");
        using (LogFile file = Open(Settings(path)))
        {
            file.Write(Lines(0, 2));
        }

        Assert.Equal(2, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void A_name_too_long_for_its_companions_is_refused()
    {
        using var folder = new TempFolder();
        string error = Error(Settings(folder.File(new string('a', 300))));
        Assert.Contains("the file name is 300 bytes", error, StringComparison.Ordinal);

        // 252 bytes fits alone but not with ".lock": refused before anything is created.
        error = Error(Settings(folder.File(new string('b', 252))));
        Assert.Contains("at most 250", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_place_where_nothing_can_be_created_is_a_clear_error()
    {
        // /proc refuses new files even to root (a chmod'ed folder would not stop root).
        string error = Error(Settings("/proc/lowlatency-test/arbitrage.log"));
        Assert.StartsWith("cannot create", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_only_folder_is_a_clear_error_for_an_ordinary_user()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName == "root")
        {
            return; // root writes through permission bits; the /proc case above covers the error path
        }

        using var folder = new TempFolder();
        string locked = folder.File("ro");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            Assert.Contains("permission denied", Error(Settings(Path.Combine(locked, "arbitrage.log"))), StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void A_fifo_is_refused_without_opening_it()
    {
        using var folder = new TempFolder();
        string fifo = folder.File("log.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }

        Assert.Contains("is a named pipe (FIFO)", Error(Settings(fifo)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_character_device_is_written_without_lock_or_rotation()
    {
        using LogFile file = Open(Settings("/dev/null", maxBytes: 4096));
        file.Write(Lines(0, 500));
        Assert.Equal(0, file.Rotations);
        Assert.False(File.Exists("/dev/null.lock"));
    }

    [Fact]
    public void A_second_writer_on_the_same_log_is_refused_and_told_who_holds_it()
    {
        using var folder = new TempFolder();
        string path = folder.File("arbitrage.log");
        using (Open(Settings(path)))
        {
            string error = Error(Settings(path));
            Assert.Contains("is in use by another run", error, StringComparison.Ordinal);
            Assert.Contains($"pid {Environment.ProcessId}", error, StringComparison.Ordinal);
        }

        // Released with the file: the next run gets it.
        using LogFile again = Open(Settings(path));
    }

    [Fact]
    public void Rotation_by_size_keeps_N_files_each_within_the_limit_and_never_splits_a_line()
    {
        using var folder = new TempFolder();
        string path = folder.File("arbitrage.log");
        using (LogFile file = Open(Settings(path, maxBytes: 4096, keep: 2)))
        {
            for (int batch = 0; batch < 20; batch++)
            {
                file.Write(Lines(batch * 30, 30)); // 1,200 bytes a batch, 24,000 in all
            }

            Assert.True(file.Rotations >= 5, $"{file.Rotations} rotations");
        }

        string[] files = [path, path + ".1", path + ".2"];
        Assert.False(File.Exists(path + ".3"));
        var kept = new List<int>();
        foreach (string f in files.Reverse())
        {
            byte[] bytes = File.ReadAllBytes(f);
            Assert.True(bytes.Length <= 4096, $"{f} is {bytes.Length} bytes");
            Assert.Equal((byte)'\n', bytes[^1]);
            kept.AddRange(File.ReadAllLines(f).Select(l => int.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)));
        }

        // The newest lines, oldest first, without a gap.
        Assert.Equal(Enumerable.Range(600 - kept.Count, kept.Count), kept);
    }

    [Fact]
    public void A_line_longer_than_the_limit_gets_a_file_of_its_own()
    {
        using var folder = new TempFolder();
        string path = folder.File("arbitrage.log");
        using (LogFile file = Open(Settings(path, maxBytes: 4096, keep: 3)))
        {
            file.Write(Lines(0, 1));
            file.Write(Lines(1, 1, width: 5000));
            file.Write(Lines(2, 1));
        }

        Assert.Equal(["line 2"], File.ReadAllLines(path).Select(l => l[..6]));
        Assert.Equal(5000, new FileInfo(path + ".1").Length);
        Assert.Single(File.ReadAllLines(path + ".2"));
    }

    [Fact]
    public void A_log_moved_away_is_reopened_at_its_path_and_no_line_is_lost()
    {
        using var folder = new TempFolder();
        string path = folder.File("arbitrage.log");
        using (LogFile file = Open(Settings(path)))
        {
            file.Write(Lines(0, 3));
            File.Move(path, path + ".rotated");
            file.Write(Lines(3, 4));
            Assert.Equal(1, file.Reopens);
        }

        Assert.Equal(3, File.ReadAllLines(path + ".rotated").Length);
        Assert.Equal(4, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void A_deleted_log_is_created_again()
    {
        using var folder = new TempFolder();
        string path = folder.File("logs/arbitrage.log");
        using (LogFile file = Open(Settings(path)))
        {
            file.Write(Lines(0, 3));
            Directory.Delete(folder.File("logs"), recursive: true);
            file.Write(Lines(3, 2));
        }

        Assert.Equal(["line 3", "line 4"], File.ReadAllLines(path).Select(l => l[..6]));
        Assert.True(File.Exists(path + ".lock"), "the lock is taken again on a new lock file");
    }

    [Fact]
    public void A_log_truncated_under_it_is_appended_to_without_a_hole()
    {
        using var folder = new TempFolder();
        string path = folder.File("arbitrage.log");
        using (LogFile file = Open(Settings(path)))
        {
            file.Write(Lines(0, 10));
            using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            {
                truncate.SetLength(0); // logrotate's copytruncate
            }

            file.Write(Lines(10, 2));
        }

        byte[] bytes = File.ReadAllBytes(path);
        Assert.DoesNotContain((byte)0, bytes);
        Assert.Equal(2, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void A_requested_reopen_opens_the_path_again()
    {
        using var folder = new TempFolder();
        string path = folder.File("arbitrage.log");
        using LogFile file = Open(Settings(path));
        file.Write(Lines(0, 1));
        file.RequestReopen();
        file.Write(Lines(1, 1));
        Assert.Equal(1, file.Reopens);
        file.Write(Lines(2, 1));
        Assert.Equal(1, file.Reopens);
        Assert.Equal(3, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void An_existing_log_is_appended_to()
    {
        using var folder = new TempFolder();
        string path = folder.Write("arbitrage.log", "old line\n");
        using (LogFile file = Open(Settings(path)))
        {
            file.Write(Lines(0, 1));
        }

        Assert.Equal("old line", File.ReadAllLines(path)[0]);
        Assert.Equal(2, File.ReadAllLines(path).Length);
    }
}
