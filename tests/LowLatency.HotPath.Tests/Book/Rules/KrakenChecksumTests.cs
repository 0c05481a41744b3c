using System.Text;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Book.Rules;

public sealed class KrakenChecksumTests
{
    [Fact]
    public void Asks_then_bids_with_points_and_leading_zeros_removed()
    {
        // Kraken's documented formatting: "0.05005" -> "5005", "0.00000500" -> "500".
        const int priceDecimals = 5, volumeDecimals = 8;
        BookLevel[] asks = [Level("0.05005", "0.00000500", priceDecimals, volumeDecimals), Level("0.05010", "1.00000000", priceDecimals, volumeDecimals)];
        BookLevel[] bids = [Level("0.05000", "0.10000000", priceDecimals, volumeDecimals)];
        // asks "5005"+"500", "5010"+"100000000"; then bids "5000"+"10000000"
        uint expected = Crc32.Compute(Encoding.ASCII.GetBytes("5005500" + "5010100000000" + "500010000000"));

        Assert.True(KrakenChecksum.TryCompute(bids, asks, priceDecimals, volumeDecimals, 5, 8, out uint checksum));
        Assert.Equal(expected, checksum);
    }

    [Fact]
    public void Rescales_from_the_book_scale_to_the_wire_scale_both_ways()
    {
        // Wire "354.80000000" (8 decimals) held at 2 decimals, and wire "0.04299" (5) held at 9.
        BookLevel[] asks = [Level("354.8", "1.4", 2, 8)];
        BookLevel[] bids = [Level("0.04299", "2", 9, 8)];
        Assert.True(KrakenChecksum.TryCompute([], asks, 2, 8, 8, 8, out uint a));
        Assert.Equal(Crc32.Compute("35480000000140000000"u8), a);
        Assert.True(KrakenChecksum.TryCompute(bids, [], 9, 8, 5, 8, out uint b));
        Assert.Equal(Crc32.Compute("4299200000000"u8), b);
    }

    [Fact]
    public void Only_the_top_ten_count()
    {
        var asks = new BookLevel[12];
        for (int i = 0; i < asks.Length; i++)
        {
            asks[i] = new BookLevel(new Price(100 + i), new Quantity(1));
        }

        Assert.True(KrakenChecksum.TryCompute([], asks, 0, 0, 0, 0, out uint twelve));
        Assert.True(KrakenChecksum.TryCompute([], asks.AsSpan(0, 10), 0, 0, 0, 0, out uint ten));
        Assert.Equal(ten, twelve);
    }

    [Theory]
    [InlineData(12300L, 5, 3, true, 123UL)] // wire coarser than the book: exact division
    [InlineData(12340L, 5, 4, true, 1234UL)]
    [InlineData(12345L, 5, 4, false, 0UL)] // a digit below the wire scale: not representable
    [InlineData(12L, 2, 8, true, 12000000UL)]
    [InlineData(long.MaxValue, 0, 18, false, 0UL)] // overflow
    [InlineData(-1L, 2, 2, false, 0UL)]
    public void Rescale_is_exact_or_refuses(long raw, int decimals, int wire, bool ok, ulong scaled)
    {
        Assert.Equal(ok, KrakenChecksum.TryRescale(raw, decimals, wire, out ulong value));
        Assert.Equal(scaled, value);
    }

    private static BookLevel Level(string price, string volume, int priceDecimals, int volumeDecimals)
    {
        Assert.True(FixedPoint.TryParse(Encoding.ASCII.GetBytes(price), priceDecimals, out long p));
        Assert.True(FixedPoint.TryParse(Encoding.ASCII.GetBytes(volume), volumeDecimals, out long v));
        return new BookLevel(new Price(p), new Quantity(v));
    }
}
