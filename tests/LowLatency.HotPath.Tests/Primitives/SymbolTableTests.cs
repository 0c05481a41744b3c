using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Primitives;

public sealed class SymbolTableTests
{
    [Fact]
    public void Finds_symbols_by_their_bytes_and_misses_unknown_ones()
    {
        var table = new SymbolTable(2);
        for (int i = 0; i < 500; i++)
        {
            table.Add($"SYM{i}USDT", new InstrumentId((ushort)i)); // forces several grows
        }

        Assert.Equal(500, table.Count);
        for (int i = 0; i < 500; i++)
        {
            Assert.True(table.TryGet(System.Text.Encoding.UTF8.GetBytes($"SYM{i}USDT"), out InstrumentId id));
            Assert.Equal(i, id.Value);
        }

        Assert.False(table.TryGet("SYM500USDT"u8, out _));
        Assert.False(table.TryGet("sym1usdt"u8, out _)); // case matters: venues send exact symbols
        Assert.False(table.TryGet(ReadOnlySpan<byte>.Empty, out _));
    }

    [Fact]
    public void Adding_a_symbol_again_replaces_its_id()
    {
        var table = new SymbolTable();
        table.Add("BTC-USDT", new InstrumentId(1));
        table.Add("BTC-USDT", new InstrumentId(9));
        Assert.Equal(1, table.Count);
        Assert.True(table.TryGet("BTC-USDT"u8, out InstrumentId id));
        Assert.Equal(9, id.Value);
    }

    [Fact]
    public void Lookup_allocates_nothing()
    {
        var table = new SymbolTable();
        table.Add("XBT/USD", new InstrumentId(3));
        byte[] key = "XBT/USD"u8.ToArray();
        table.TryGet(key, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int found = 0;
        for (int i = 0; i < 10_000; i++)
        {
            found += table.TryGet(key, out _) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, found);
    }
}
