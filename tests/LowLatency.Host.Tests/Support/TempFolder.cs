namespace LowLatency.Host.Tests.Support;

/// <summary>A fresh folder under the temp directory, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"lowlatency-host-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        string path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Settings that make every run produce opportunities, whatever the thread timing.</summary>
internal static class CertainMarket
{
    /// <summary>
    /// Two fee-free venues quoting one instrument fast (so a few thousand ticks take milliseconds of simulated time)
    /// and a threshold of −10,000 bps: every distinct pair of two-sided quotes is an opportunity, so any run that
    /// processes ticks on both venues logs some.
    /// </summary>
    public const string Json = """
        {
          "thresholdBps": -10000,
          "market": {
            "venues": [
              { "name": "sim-a", "takerFee": 0, "updatesPerSecond": 100000 },
              { "name": "sim-b", "takerFee": 0, "updatesPerSecond": 100000 }
            ],
            "instruments": [ { "symbol": "X-USD", "startPrice": 100, "tickSize": 0.01 } ]
          }
        }
        """;
}

/// <summary>A TextWriter whose every write fails like stdout on a full disk.</summary>
internal sealed class FullDiskWriter : TextWriter
{
    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public int Attempts { get; private set; }

    public override void Write(char value) => Fail();

    public override void Write(string? value) => Fail();

    public override void Write(char[] buffer, int index, int count) => Fail();

    private void Fail()
    {
        Attempts++;
        throw new IOException("No space left on device");
    }
}
