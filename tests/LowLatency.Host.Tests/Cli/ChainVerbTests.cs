using System.IO.Compression;
using LowLatency.Host.Cli;
using LowLatency.Testing;

namespace LowLatency.Host.Tests.Cli;

/// <summary>chain replay / chain study: the recorded CSVs are accounted for row by row; bad input is a line and an exit code, never a stack trace.</summary>
public sealed class ChainVerbTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = ChainVerb.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string Raw => SharedData.File("onchain", "uniswap_v3", "usdc_weth_005_2024-01-05.raw.csv.gz");

    [Fact]
    public void Replay_accounts_for_every_row_of_the_recorded_day()
    {
        (int exit, string output, string err) = Run("replay", Raw);
        Assert.Equal(0, exit);
        Assert.Equal("", err);
        Assert.Contains("6234 rows = 6046 Swap, 54 Mint, 69 Burn, 65 other known events, 0 unknown topics, 0 malformed", output, StringComparison.Ordinal);
        Assert.Contains("final state: sqrtPriceX96 ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_replay_verb_takes_the_recorded_on_chain_csvs_too_and_refuses_them_mixed_with_exchange_captures()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Invoke(["replay", Raw], stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        Assert.Contains("6234 rows = 6046 Swap, 54 Mint, 69 Burn, 65 other known events, 0 unknown topics, 0 malformed", stdout.ToString(), StringComparison.Ordinal);

        var mixedErr = new StringWriter();
        int mixed = Program.Invoke(["replay", Raw, SharedData.File("cex_ws", "cryptofeed", "BINANCE.ws.1.0")], new StringWriter(), mixedErr);
        Assert.Equal(2, mixed);
        Assert.Contains("replay: on-chain CSVs and exchange captures cannot be replayed together", mixedErr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_rows_are_dropped_counted_and_named()
    {
        string path = Path.Combine(Path.GetTempPath(), $"chain-{Guid.NewGuid():N}.csv");
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(Raw), CompressionMode.Decompress)))
        {
            var lines = new List<string> { reader.ReadLine()! };
            for (int i = 0; i < 20; i++)
            {
                lines.Add(reader.ReadLine()!);
            }

            lines[3] = lines[3][..^10];                    // data cut short
            lines[5] = lines[5].Replace("0xc42079f9", "0xd42079f9", StringComparison.Ordinal); // an unknown event
            lines[7] = "garbage";
            File.WriteAllLines(path, lines);
        }

        (int exit, string output, string err) = Run("replay", path, "--pool", "0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640");
        Assert.Equal(0, exit);
        Assert.Contains("20 rows", output, StringComparison.Ordinal);
        Assert.Contains("1 unknown topics, 2 malformed", output, StringComparison.Ordinal);
        Assert.Contains("line 4: dropped", err, StringComparison.Ordinal);
        Assert.Contains("line 8: dropped", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_and_missing_files_have_their_exit_codes()
    {
        Assert.Equal(2, Run().Exit);
        Assert.Equal(2, Run("frobnicate").Exit);
        Assert.Equal(2, Run("replay").Exit);
        Assert.Equal(2, Run("replay", Raw, "--pool", "0x12").Exit);
        Assert.Equal(1, Run("replay", "/nonexistent/file.csv").Exit);
        Assert.Equal(1, Run("replay", "/etc/hostname").Exit);
        Assert.Equal(2, Run("study", "--v3", Raw).Exit);
        Assert.Equal(2, Run("study", "--v3", Raw, "--v2", Raw, "--gas-gwei", "-1").Exit);
        Assert.Equal(1, Run("study", "--v3", Raw, "--v2", "/nonexistent", "--gas-gwei", "10").Exit);
    }
}
