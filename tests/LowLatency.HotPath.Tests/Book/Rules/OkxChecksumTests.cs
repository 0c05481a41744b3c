using System.Text;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Book.Rules;

public sealed class OkxChecksumTests
{
    private const int Decimals = 8;

    [Fact]
    public void Interleaves_bid_and_ask_in_shortest_form()
    {
        // OKX's documented example shape: "3366.1:7:3366.8:9:3366:6:3368:8".
        BookLevel[] bids = [Level("3366.1", "7"), Level("3366", "6")];
        BookLevel[] asks = [Level("3366.8", "9"), Level("3368", "8")];
        int expected = unchecked((int)Crc32.Compute("3366.1:7:3366.8:9:3366:6:3368:8"u8));
        Assert.Equal(expected, OkxChecksum.Compute(bids, asks, Decimals, Decimals));
    }

    [Fact]
    public void The_longer_side_continues_alone_and_only_25_levels_count()
    {
        var bids = new BookLevel[30];
        var asks = new BookLevel[2];
        var text = new StringBuilder();
        for (int i = 0; i < bids.Length; i++)
        {
            bids[i] = Level((100 - i).ToString(System.Globalization.CultureInfo.InvariantCulture), "0.5");
        }

        asks[0] = Level("101", "1.25");
        asks[1] = Level("101.5", "2");
        for (int i = 0; i < 25; i++)
        {
            text.Append(i == 0 ? "" : ":").Append(100 - i).Append(":0.5");
            if (i < asks.Length)
            {
                text.Append(i == 0 ? ":101:1.25" : ":101.5:2");
            }
        }

        int expected = unchecked((int)Crc32.Compute(Encoding.ASCII.GetBytes(text.ToString())));
        Assert.Equal(expected, OkxChecksum.Compute(bids, asks, Decimals, Decimals));
    }

    [Fact]
    public void Is_signed_and_covers_an_empty_book()
    {
        Assert.Equal(0, OkxChecksum.Compute([], [], Decimals, Decimals));
        BookLevel[] bids = [Level("8476.97", "256")];
        int value = OkxChecksum.Compute(bids, [], Decimals, Decimals);
        Assert.Equal(unchecked((int)Crc32.Compute("8476.97:256"u8)), value);
    }

    [Fact]
    public void A_different_size_changes_the_checksum()
    {
        BookLevel[] bids = [Level("100", "1")];
        BookLevel[] other = [Level("100", "1.00000001")];
        Assert.NotEqual(OkxChecksum.Compute(bids, [], Decimals, Decimals), OkxChecksum.Compute(other, [], Decimals, Decimals));
    }

    private static BookLevel Level(string price, string size)
    {
        Assert.True(FixedPoint.TryParse(Encoding.ASCII.GetBytes(price), Decimals, out long p));
        Assert.True(FixedPoint.TryParse(Encoding.ASCII.GetBytes(size), Decimals, out long s));
        return new BookLevel(new Price(p), new Quantity(s));
    }
}
