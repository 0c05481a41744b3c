using System.Globalization;
using LowLatency.Host.Persistence;
using LowLatency.Host.Tests.Support;
using Microsoft.Data.Sqlite;

namespace LowLatency.Host.Tests.Persistence;

public sealed class SqliteStoreTests
{
    private static readonly string[] s_tables = ["bundles", "decisions", "fills", "opportunities", "orders", "pnl", "predictions"];

    private static SqliteConnection OpenReader(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static object? Scalar(SqliteConnection c, string sql)
    {
        using SqliteCommand command = c.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static long Count(SqliteConnection c, string table) => Convert.ToInt64(Scalar(c, $"SELECT count(*) FROM {table}"), CultureInfo.InvariantCulture);

    private static OpportunityRecord Opportunity(long i) => new(i, "cex-cex", "BTC-USDT", "alpha", "beta", "100.1", "100.6", "0.5", 50, 30, 12_000);

    [Fact]
    public void A_new_database_is_migrated_in_wal_mode_and_reopening_changes_nothing()
    {
        using var folder = new TempFolder();
        string path = folder.File("sub/dir/engine.db");
        Assert.True(SqliteStore.TryOpen(path, out SqliteStore? store, out string? error), error);
        Assert.Equal(SqliteStore.CurrentVersion, store.SchemaVersion());
        store.Dispose();
        Assert.True(SqliteStore.TryOpen(path, out store, out error), error);
        using (store)
        {
            Assert.Equal(SqliteStore.CurrentVersion, store.SchemaVersion());
        }

        using SqliteConnection c = OpenReader(path);
        Assert.Equal("wal", Scalar(c, "PRAGMA journal_mode"));
        var tables = new List<string>();
        using (SqliteCommand command = c.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Equal(s_tables, tables);
    }

    [Fact]
    public void A_database_from_a_newer_build_is_refused_with_a_reason()
    {
        using var folder = new TempFolder();
        string path = folder.File("newer.db");
        using (SqliteConnection c = OpenReaderCreate(path))
        {
            Scalar(c, "PRAGMA user_version = 99");
        }

        Assert.False(SqliteStore.TryOpen(path, out _, out string? error));
        Assert.Contains("schema version 99, newer than this build's", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_is_not_a_database_is_an_error_value()
    {
        using var folder = new TempFolder();
        string path = folder.Write("junk.db", new string('x', 4096));
        Assert.False(SqliteStore.TryOpen(path, out _, out string? error));
        Assert.StartsWith($"'{path}': sqlite error", error, StringComparison.Ordinal);
        Assert.False(SqliteStore.TryOpen(folder.Path, out _, out error));
        Assert.NotNull(error);
    }

    [Fact]
    public void The_writer_stores_every_kind_of_row()
    {
        using var folder = new TempFolder();
        string path = folder.File("rows.db");
        Assert.True(SqliteStore.TryOpen(path, out SqliteStore? store, out string? error), error);
        using (var writer = new StoreWriter(store))
        {
            Assert.True(writer.Post(Opportunity(1)));
            Assert.True(writer.Post(new DecisionRecord(2, "BTC-USDT", "cex-cex", "{}", "{}", "[]", "denied", "quarantined venue")));
            Assert.True(writer.Post(new OrderRecord(3, "c-1", "alpha", "BTC-USDT", "buy", "100", "1", "filled")));
            Assert.True(writer.Post(new FillRecord(4, "c-1", "alpha", "100", "1", "0.1")));
            Assert.True(writer.Post(new BundleRecord(5, "0xabc", 19_000_000, "included", 200_000, null)));
            Assert.True(writer.Post(new PredictionRecord(6, "scorer", "BTC-USDT", 0.7, 1)));
            Assert.True(writer.Post(new PnlRecord(7, "cex-arb", "cex-cex", 1.5, 0.0004)));
            writer.Close(TimeSpan.FromSeconds(30));
            Assert.Equal(new StoreCounters(7, 7, 0, 0), writer.Counters);
            Assert.Null(writer.LastError);
        }

        using SqliteConnection c = OpenReader(path);
        foreach (string table in s_tables)
        {
            Assert.Equal(1, Count(c, table));
        }

        Assert.Equal(DBNull.Value, Scalar(c, "SELECT gas_used FROM bundles"));
        Assert.Equal("quarantined venue", Scalar(c, "SELECT risk_reason FROM decisions"));
    }

    [Fact]
    public void A_full_queue_drops_and_counts_and_never_blocks_the_poster()
    {
        using var folder = new TempFolder();
        string path = folder.File("full.db");
        Assert.True(SqliteStore.TryOpen(path, out SqliteStore? store, out string? error), error);
        using SqliteConnection blocker = OpenReader(path);
        using (SqliteTransaction hold = blocker.BeginTransaction(deferred: false))
        {
            using var writer = new StoreWriter(store, capacity: 4);
            // The first record is taken by the writer thread, which then waits on the held write lock.
            Assert.True(writer.Post(Opportunity(0)));
            SpinWait.SpinUntil(() => writer.QueueLength == 0, TimeSpan.FromSeconds(60));
            Assert.Equal(0, writer.QueueLength);
            int accepted = 0;
            for (int i = 1; i <= 10; i++)
            {
                accepted += writer.Post(Opportunity(i)) ? 1 : 0;
            }

            Assert.Equal(4, accepted);
            Assert.Equal(6, writer.Counters.Dropped);
            hold.Rollback();
            writer.Close(TimeSpan.FromSeconds(60));
            StoreCounters c = writer.Counters;
            // Written unless the lock outlived the busy timeout on a stalled box; either way every row is accounted for.
            Assert.Equal(5, c.Written + c.Failed);
            Assert.Equal(5, c.Posted);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_run_killed_mid_write_leaves_a_database_that_opens_clean_with_whole_rows_only()
    {
        using var folder = new TempFolder();
        folder.Write("certain.json", CertainMarket.Json);
        string db = folder.File("data/engine.db");
        using (var child = ChildProcess.StartDll(folder.Path, "dry-run on the simulated market", "run", "--config", "certain.json", "--log", "arbitrage.log", "--no-dashboard", "--db", "data/engine.db"))
        {
            await child.WaitStartedAsync();
            // Let the writer commit a few hundred rows (it keeps writing while we look), then kill it without warning.
            using (SqliteConnection watch = OpenReader(db))
            {
                var guard = System.Diagnostics.Stopwatch.StartNew();
                while (Count(watch, "opportunities") < 300 && guard.Elapsed < ChildProcess.HangGuard)
                {
                    await Task.Delay(20);
                }
            }

            child.Signal("KILL");
            await child.WaitExitAsync();
        }

        using (SqliteConnection c = OpenReader(db))
        {
            Assert.Equal("ok", Scalar(c, "PRAGMA integrity_check"));
            long rows = Count(c, "opportunities");
            Assert.True(rows >= 300, $"{rows} rows");
            using SqliteCommand command = c.CreateCommand();
            command.CommandText = "SELECT decision_time_ns, kind, instrument, buy_venue, sell_venue, buy_price, sell_price, quantity, gross_edge_bps, net_edge_bps, tick_to_opportunity_ns FROM opportunities";
            using SqliteDataReader reader = command.ExecuteReader();
            long seen = 0;
            while (reader.Read())
            {
                seen++;
                for (int i = 0; i < reader.FieldCount; i++)
                {
                    Assert.False(reader.IsDBNull(i));
                }

                Assert.True(reader.GetInt64(0) > 0);
                Assert.Equal("cex-cex", reader.GetString(1));
                // The row agrees with itself: its gross edge is the one its two prices give (to the engine's rounding).
                double buy = double.Parse(reader.GetString(5), CultureInfo.InvariantCulture);
                double sell = double.Parse(reader.GetString(6), CultureInfo.InvariantCulture);
                Assert.True(buy > 0 && sell > 0);
                Assert.InRange(Math.Abs((sell - buy) / buy * 10_000 - reader.GetDouble(8)), 0, 0.01);
                Assert.True(decimal.Parse(reader.GetString(7), CultureInfo.InvariantCulture) > 0);
            }

            Assert.Equal(rows, seen);
        }

        // And the engine's own open (migration check included) accepts it and writes on.
        Assert.True(SqliteStore.TryOpen(db, out SqliteStore? store, out string? error), error);
        using var writer = new StoreWriter(store);
        Assert.True(writer.Post(Opportunity(1)));
        writer.Close(TimeSpan.FromSeconds(30));
        Assert.Equal(1, writer.Counters.Written);
    }

    private static SqliteConnection OpenReaderCreate(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        c.Open();
        return c;
    }
}
