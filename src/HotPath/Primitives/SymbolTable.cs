using System.Runtime.CompilerServices;
using System.Text;

namespace LowLatency.HotPath.Primitives;

/// <summary>
/// Maps a venue's own UTF-8 symbol bytes (e.g. <c>NKNUSDT</c>, <c>BTC-USDT</c>, <c>XBT/USD</c>) to an
/// <see cref="InstrumentId"/> without allocating: open addressing over FNV-1a hashes, keys stored as bytes.
/// Built at start-up (<see cref="Add"/> allocates); <see cref="TryGet"/> is allocation-free and thread-safe for readers
/// once building is finished.
/// </summary>
public sealed class SymbolTable
{
    private byte[][] _keys;
    private InstrumentId[] _values;
    private int[] _hashes;
    private int _count;

    /// <summary>The most symbols a table holds (aliases included): sixteen for every possible instrument id.</summary>
    public const int MaxCount = InstrumentId.MaxCount * 16;

    public SymbolTable(int capacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCount);
        int size = 16;
        while (size < capacity * 2)
        {
            size <<= 1;
        }

        _keys = new byte[size][];
        _values = new InstrumentId[size];
        _hashes = new int[size];
    }

    public int Count => _count;

    /// <summary>
    /// Adds (or replaces) a symbol. Start-up only; allocates. Throws <see cref="ArgumentException"/>, naming the limit,
    /// for a new symbol when the table already holds <see cref="MaxCount"/>.
    /// </summary>
    public void Add(string symbol, InstrumentId id)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        byte[] key = Encoding.UTF8.GetBytes(symbol);
        if (_count >= MaxCount && !TryGet(key, out _))
        {
            throw new ArgumentException(IdLimits.Message(_count + 1L, MaxCount, "symbols"), nameof(symbol));
        }

        if ((_count + 1) * 2 > _keys.Length)
        {
            Grow();
        }

        Insert(key, id);
    }

    /// <summary>Looks a symbol up by its raw bytes. Allocation-free.</summary>
    public bool TryGet(ReadOnlySpan<byte> symbol, out InstrumentId id)
    {
        int hash = Hash(symbol);
        int mask = _keys.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            byte[]? key = _keys[i];
            if (key is null)
            {
                id = default;
                return false;
            }

            if (_hashes[i] == hash && symbol.SequenceEqual(key))
            {
                id = _values[i];
                return true;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        uint h = 2166136261;
        for (int i = 0; i < bytes.Length; i++)
        {
            h = (h ^ bytes[i]) * 16777619;
        }

        return (int)(h & 0x7FFFFFFF);
    }

    private void Insert(byte[] key, InstrumentId id)
    {
        int hash = Hash(key);
        int mask = _keys.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            byte[]? existing = _keys[i];
            if (existing is null)
            {
                _keys[i] = key;
                _values[i] = id;
                _hashes[i] = hash;
                _count++;
                return;
            }

            if (_hashes[i] == hash && key.AsSpan().SequenceEqual(existing))
            {
                _values[i] = id;
                return;
            }
        }
    }

    private void Grow()
    {
        byte[][] oldKeys = _keys;
        InstrumentId[] oldValues = _values;
        _keys = new byte[oldKeys.Length * 2][];
        _values = new InstrumentId[oldKeys.Length * 2];
        _hashes = new int[oldKeys.Length * 2];
        _count = 0;
        for (int i = 0; i < oldKeys.Length; i++)
        {
            if (oldKeys[i] is { } key)
            {
                Insert(key, oldValues[i]);
            }
        }
    }
}
