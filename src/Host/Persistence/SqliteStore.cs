using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace LowLatency.Host.Persistence;

/// <summary>
/// The engine's SQLite database (WAL): opportunities, decisions, orders, fills, bundles, predictions with their outcomes
/// and P&amp;L. The schema is versioned through <c>PRAGMA user_version</c>; <see cref="Migrations"/> lists every step,
/// applied in order inside one immediate transaction, so two processes opening one file migrate it once. Used by
/// <see cref="StoreWriter"/>'s thread only (a connection is not thread-safe).
/// </summary>
public sealed class SqliteStore : IDisposable
{
    /// <summary>Schema steps; index + 1 is the version after the step. Append only: a released step never changes.</summary>
    internal static readonly string[] Migrations =
    [
        """
        CREATE TABLE opportunities (
            id INTEGER PRIMARY KEY,
            decision_time_ns INTEGER NOT NULL,
            kind TEXT NOT NULL,
            instrument TEXT NOT NULL,
            buy_venue TEXT NOT NULL,
            sell_venue TEXT NOT NULL,
            buy_price TEXT NOT NULL,
            sell_price TEXT NOT NULL,
            quantity TEXT NOT NULL,
            gross_edge_bps REAL NOT NULL,
            net_edge_bps REAL NOT NULL,
            tick_to_opportunity_ns INTEGER NOT NULL);
        CREATE INDEX opportunities_time ON opportunities (decision_time_ns);
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            time_ns INTEGER NOT NULL,
            instrument TEXT NOT NULL,
            path TEXT NOT NULL,
            inputs_json TEXT NOT NULL,
            model_scores_json TEXT NOT NULL,
            agent_votes_json TEXT NOT NULL,
            risk_verdict TEXT NOT NULL,
            risk_reason TEXT);
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            time_ns INTEGER NOT NULL,
            client_order_id TEXT NOT NULL,
            venue TEXT NOT NULL,
            instrument TEXT NOT NULL,
            side TEXT NOT NULL,
            price TEXT NOT NULL,
            quantity TEXT NOT NULL,
            status TEXT NOT NULL);
        CREATE TABLE fills (
            id INTEGER PRIMARY KEY,
            time_ns INTEGER NOT NULL,
            client_order_id TEXT NOT NULL,
            venue TEXT NOT NULL,
            price TEXT NOT NULL,
            quantity TEXT NOT NULL,
            fee TEXT NOT NULL);
        CREATE TABLE bundles (
            id INTEGER PRIMARY KEY,
            time_ns INTEGER NOT NULL,
            bundle_hash TEXT NOT NULL,
            target_block INTEGER NOT NULL,
            status TEXT NOT NULL,
            gas_estimated INTEGER,
            gas_used INTEGER);
        CREATE TABLE predictions (
            id INTEGER PRIMARY KEY,
            time_ns INTEGER NOT NULL,
            model TEXT NOT NULL,
            instrument TEXT NOT NULL,
            predicted REAL NOT NULL,
            actual REAL);
        CREATE TABLE pnl (
            id INTEGER PRIMARY KEY,
            time_ns INTEGER NOT NULL,
            strategy TEXT NOT NULL,
            path TEXT NOT NULL,
            pnl_usd REAL NOT NULL,
            pnl_eth REAL NOT NULL);
        """,
    ];

    private readonly SqliteConnection _connection;

    private SqliteStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    public string Path { get; }

    /// <summary>The schema version this build writes.</summary>
    public static int CurrentVersion => Migrations.Length;

    internal SqliteConnection Connection => _connection;

    /// <summary>
    /// Opens (creating the file and its folder) and migrates. Errors are a value: a database that cannot be opened or
    /// one written by a newer build gives false and a one-line reason.
    /// </summary>
    public static bool TryOpen(string path, [NotNullWhen(true)] out SqliteStore? store, [NotNullWhen(false)] out string? error)
    {
        store = null;
        SqliteConnection? connection = null;
        try
        {
            string full = System.IO.Path.GetFullPath(path);
            if (System.IO.Path.GetDirectoryName(full) is { Length: > 0 } folder)
            {
                Directory.CreateDirectory(folder);
            }

            connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 5000;");
            Execute(connection, "PRAGMA journal_mode = WAL;");
            // NORMAL in WAL: a power cut may lose the last transactions but never corrupts; a process kill loses nothing committed.
            Execute(connection, "PRAGMA synchronous = NORMAL;");
            if (!Migrate(connection, out string? migrationError))
            {
                connection.Dispose();
                error = $"'{path}': {migrationError}";
                return false;
            }

            store = new SqliteStore(connection, full);
            error = null;
            return true;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            error = $"'{path}': {Describe(e)}";
            return false;
        }
    }

    /// <summary>The schema version stored in the file.</summary>
    public int SchemaVersion() => ReadVersion(_connection);

    public void Dispose() => _connection.Dispose();

    internal static string Describe(Exception e) => e is SqliteException s ? $"sqlite error {s.SqliteErrorCode}: {s.Message.TrimEnd('.')}" : e.Message;

    private static bool Migrate(SqliteConnection connection, [NotNullWhen(false)] out string? error)
    {
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        int version = ReadVersion(connection);
        if (version > Migrations.Length)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"the database has schema version {version}, newer than this build's {Migrations.Length}");
            return false;
        }

        for (int v = version; v < Migrations.Length; v++)
        {
            using SqliteCommand step = connection.CreateCommand();
            step.Transaction = transaction;
            step.CommandText = Migrations[v];
            step.ExecuteNonQuery();
            using SqliteCommand set = connection.CreateCommand();
            set.Transaction = transaction;
            set.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {v + 1};");
            set.ExecuteNonQuery();
        }

        transaction.Commit();
        error = null;
        return true;
    }

    private static int ReadVersion(SqliteConnection connection)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
