using System.Text.RegularExpressions;
using LowLatency.Host.Cli;
using LowLatency.Host.Tests.Support;
using Microsoft.Data.Sqlite;

namespace LowLatency.Host.Tests.Dashboard;

/// <summary><c>run</c>'s dashboard and database flags, in process.</summary>
public sealed partial class RunDashboardCliTests
{
    [GeneratedRegex(@"^dashboard on http://127\.0\.0\.1:(?<port>\d+) ", RegexOptions.Multiline)]
    private static partial Regex DashboardLine();

    [GeneratedRegex(@"^db: (?<written>\d+) rows written, (?<dropped>\d+) dropped \(queue full\), 0 failed, 0 not written at close; ", RegexOptions.Multiline)]
    private static partial Regex DbLine();

    private static (int Exit, string Out, string Err) Invoke(params string[] args) => CliRun.Invoke(args);

    [Fact]
    public void A_run_prints_its_dashboard_address_and_accounts_for_every_database_row()
    {
        using var folder = new TempFolder();
        string config = folder.Write("certain.json", CertainMarket.Json);
        string db = folder.File("data/run.db");
        (int exit, string output, string error) = Invoke("run", "--ticks", "3000", "--config", config, "--log", folder.File("a.log"), "--dashboard-url", "http://127.0.0.1:0", "--db", db);
        Assert.True(exit == 0, error);
        Match dashboard = DashboardLine().Match(output);
        Assert.True(dashboard.Success, output);
        Assert.NotEqual("0", dashboard.Groups["port"].Value);
        Assert.Contains("POST /api/ml/train is off until DASHBOARD_TOKEN is set", output, StringComparison.Ordinal);
        Match line = DbLine().Match(output);
        Assert.True(line.Success, output);
        long written = long.Parse(line.Groups["written"].Value, System.Globalization.CultureInfo.InvariantCulture);
        long dropped = long.Parse(line.Groups["dropped"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Match done = Regex.Match(output, @"done: \d+ ticks, (?<n>\d+) opportunities");
        // Each opportunity is a row, and so is its decision trace (the strategy thread's risk verdict).
        Assert.Equal(2 * long.Parse(done.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture), written + dropped);
        using var c = new SqliteConnection($"Data Source={db};Pooling=False");
        c.Open();
        using SqliteCommand count = c.CreateCommand();
        count.CommandText = "SELECT (SELECT count(*) FROM opportunities) + (SELECT count(*) FROM decisions)";
        Assert.Equal(written, (long)count.ExecuteScalar()!);
    }

    [Fact]
    public void Without_the_flag_a_non_loopback_dashboard_address_is_a_configuration_error()
    {
        (int exit, _, string error) = Invoke("run", "--ticks", "10", "--dashboard-url", "http://0.0.0.0:8080", "--no-db");
        Assert.Equal(Program.UsageError, exit);
        Assert.Contains("run: the configuration is not valid:", error, StringComparison.Ordinal);
        Assert.Contains("add --dashboard-allow-remote to bind it", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_database_path_that_cannot_be_a_database_is_refused_before_the_run()
    {
        using var folder = new TempFolder();
        (int exit, string output, string error) = Invoke("run", "--ticks", "10", "--log", folder.File("a.log"), "--no-dashboard", "--db", folder.Path);
        Assert.Equal(Program.UsageError, exit);
        Assert.StartsWith("run: db: ", error, StringComparison.Ordinal);
        Assert.Contains("give --db FILE or --no-db", error, StringComparison.Ordinal);
        Assert.DoesNotContain("dry-run on the simulated market", output, StringComparison.Ordinal);
    }

    [Fact]
    public void No_dashboard_and_no_db_run_as_before()
    {
        using var folder = new TempFolder();
        (int exit, string output, string error) = Invoke("run", "--ticks", "500", "--log", folder.File("a.log"), "--no-dashboard", "--no-db");
        Assert.True(exit == 0, error);
        Assert.DoesNotContain("dashboard on", output, StringComparison.Ordinal);
        Assert.DoesNotContain("db:", output, StringComparison.Ordinal);
        Assert.Contains("done: 500 ticks", output, StringComparison.Ordinal);
    }
}
