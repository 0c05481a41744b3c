using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace LowLatency.Host.Persistence;

/// <summary>Counters of a <see cref="StoreWriter"/>; any thread reads.</summary>
public readonly record struct StoreCounters(long Posted, long Written, long Dropped, long Failed);

/// <summary>
/// Writes <see cref="StoreRecord"/>s to the <see cref="SqliteStore"/> on its own thread, from a bounded queue: a full
/// queue drops the record and counts it (the host never waits on the disk), a failed transaction counts its rows as
/// failed and keeps the first error. Rows go in batches of up to <see cref="MaxBatch"/>, one transaction each, so a
/// killed process leaves whole rows only (SQLite's journal rolls back the open transaction on the next open).
/// </summary>
public sealed class StoreWriter : IDisposable
{
    public const int DefaultCapacity = 65_536;
    private const int MaxBatch = 512;

    private readonly SqliteStore _store;
    private readonly Channel<StoreRecord> _queue;
    private readonly Thread _thread;
    private readonly Dictionary<Type, SqliteCommand> _inserts = [];
    private long _posted;
    private long _written;
    private long _dropped;
    private long _failed;
    private string? _lastError;
    private bool _disposed;
    private volatile bool _closed;

    public StoreWriter(SqliteStore store, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _store = store;
        // Wait mode is what makes TryWrite answer false on a full queue (DropWrite would drop without telling).
        _queue = Channel.CreateBounded<StoreRecord>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _thread = new Thread(Drain) { Name = "sqlite-writer", IsBackground = true };
        _thread.Start();
    }

    public string Path => _store.Path;

    /// <summary>Records in the queue now (not yet taken by the writer thread).</summary>
    internal int QueueLength => _queue.Reader.Count;

    public int SchemaVersion { get; } = SqliteStore.CurrentVersion;

    public StoreCounters Counters => new(Volatile.Read(ref _posted), Volatile.Read(ref _written), Volatile.Read(ref _dropped), Volatile.Read(ref _failed));

    /// <summary>Records posted and not yet written, dropped or failed.</summary>
    public long Queued
    {
        get
        {
            StoreCounters c = Counters;
            return Math.Max(0, c.Posted - c.Written - c.Failed);
        }
    }

    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Any thread: queues <paramref name="record"/>; false (counted as dropped) when the queue is full or closed. Never blocks.</summary>
    public bool Post(StoreRecord record)
    {
        if (_queue.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _posted);
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Stops taking records, writes what is queued (up to <paramref name="timeout"/>), closes the database.</summary>
    public void Close(TimeSpan timeout)
    {
        _closed = true;
        _queue.Writer.TryComplete();
        _thread.Join(timeout);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_closed)
        {
            Close(TimeSpan.FromSeconds(2));
        }

        // A writer still busy after its close timeout keeps its connection; the process is ending anyway.
        if (!_thread.IsAlive)
        {
            _store.Dispose();
        }
    }

    private void Drain()
    {
        var batch = new List<StoreRecord>(MaxBatch);
        ChannelReader<StoreRecord> reader = _queue.Reader;
        try
        {
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out StoreRecord? record))
                {
                    batch.Add(record);
                }

                WriteBatch(batch);
            }
        }
        finally
        {
            foreach (SqliteCommand command in _inserts.Values)
            {
                command.Dispose();
            }
        }
    }

    private void WriteBatch(List<StoreRecord> batch)
    {
        SqliteConnection connection = _store.Connection;
        try
        {
            using SqliteTransaction transaction = connection.BeginTransaction();
            foreach (StoreRecord record in batch)
            {
                SqliteCommand insert = Insert(connection, record);
                insert.Transaction = transaction;
                insert.Parameters.Clear();
                record.Bind(insert.Parameters);
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
            Interlocked.Add(ref _written, batch.Count);
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or IOException)
        {
            Interlocked.Add(ref _failed, batch.Count);
            Interlocked.CompareExchange(ref _lastError, SqliteStore.Describe(e), null);
        }
    }

    private SqliteCommand Insert(SqliteConnection connection, StoreRecord record)
    {
        if (!_inserts.TryGetValue(record.GetType(), out SqliteCommand? command))
        {
            command = connection.CreateCommand();
            command.CommandText = record.InsertSql;
            _inserts.Add(record.GetType(), command);
        }

        return command;
    }
}
