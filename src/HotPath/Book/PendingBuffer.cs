using System.Diagnostics;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// A bounded FIFO of whole messages (each one or more contiguous <see cref="TickEvent"/> chunks) held while a book
/// waits for its snapshot. Preallocated; when full the oldest complete message is dropped (the newest ones are those a
/// snapshot fetched later can bridge; if a dropped one was needed the bridge check reports a gap).
/// Strategy thread only; no allocation after construction.
/// </summary>
internal sealed class PendingBuffer
{
    private readonly TickEvent[] _slots;
    private int _head;
    private int _count;
    private int _openLength;
    private bool _openDiscarded;

    public PendingBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _slots = new TickEvent[capacity];
    }

    public int Count => _count;

    public int Capacity => _slots.Length;

    /// <summary>Starts a new message; its chunks follow through <see cref="Add"/>.</summary>
    public void BeginMessage()
    {
        _openLength = 0;
        _openDiscarded = false;
    }

    /// <summary>Appends one chunk of the open message. Returns the number of whole messages dropped to make room.</summary>
    public int Add(in TickEvent chunk)
    {
        if (_openDiscarded)
        {
            return 0;
        }

        int dropped = 0;
        if (_count == _slots.Length)
        {
            if (_count == _openLength)
            {
                // The open message alone does not fit: discard it whole rather than keep a torn message.
                _count = 0;
                _openLength = 0;
                _openDiscarded = true;
                return 1;
            }

            DropOldestMessage();
            dropped = 1;
        }

        int index = _head + _count;
        if (index >= _slots.Length)
        {
            index -= _slots.Length;
        }

        _slots[index] = chunk;
        _count++;
        _openLength++;
        return dropped;
    }

    /// <summary>The oldest buffered chunk; only valid when <see cref="Count"/> &gt; 0.</summary>
    public ref TickEvent Peek()
    {
        Debug.Assert(_count > 0);
        return ref _slots[_head];
    }

    /// <summary>Removes the oldest buffered chunk.</summary>
    public void Pop()
    {
        Debug.Assert(_count > 0);
        _head = _head + 1 == _slots.Length ? 0 : _head + 1;
        _count--;
        if (_count < _openLength)
        {
            _openLength = _count;
        }
    }

    public void Clear()
    {
        _head = 0;
        _count = 0;
        _openLength = 0;
        _openDiscarded = false;
    }

    private void DropOldestMessage()
    {
        // Only completed messages sit before the open one, so this never cuts into the message being added.
        while (_count > _openLength)
        {
            bool last = _slots[_head].IsLastChunk;
            Pop();
            if (last)
            {
                return;
            }
        }
    }
}
