using System.IO.Compression;
using System.Text;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.Testing;

namespace LowLatency.Adapters.Cex.Tests.Tape;

/// <summary>
/// A damaged capture is reported as damaged, naming the file and where its data ends; what comes before the damage is
/// kept, the cut line never becomes a record, and nothing throws.
/// </summary>
public sealed class CaptureDamageTests
{
    private static string Capture(string name) => SharedData.File("cex_ws", "cryptofeed", name);

    private static byte[] Gzip(byte[] text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(text);
        }

        return output.ToArray();
    }

    private static string TempFile(string name, byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}-{name}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static int WholeLines(byte[] text, int length) => text.AsSpan(0, length).Count((byte)'\n');

    [Theory]
    [InlineData("BINANCE.0.gz")]
    [InlineData("OKX.0.gz")]
    [InlineData("BYBIT.ws.25.0.gz")]
    [InlineData("COINBASE.ws.28.0.gz")]
    public void Whole_recorded_gzip_captures_are_not_damaged(string name)
    {
        CaptureTape tape = CaptureTape.Load(Capture(name));
        Assert.False(tape.IsDamaged, string.Join("; ", tape.Damage));
        Assert.True(tape.Count > 0);
    }

    [Fact]
    public void Clean_plain_captures_are_not_damaged()
    {
        CaptureTape tape = CaptureTape.Load([Capture("BINANCE.ws.1.0"), Capture("BINANCE.http.0.0"), Capture("KRAKEN.ws.50.0")]);
        Assert.Empty(tape.Damage);
    }

    [Fact]
    public void A_truncated_gzip_capture_is_damaged_and_keeps_only_its_whole_lines()
    {
        byte[] text = File.ReadAllBytes(Capture("BINANCE.ws.1.0"));
        byte[] gzip = Gzip(text);
        string path = TempFile("BINANCE.ws.1.0.gz", gzip[..(gzip.Length / 2)]);

        CaptureTape tape = CaptureTape.Load(path);

        CaptureDamage damage = Assert.Single(tape.Damage);
        Assert.Equal(CaptureDamageKind.TruncatedGzip, damage.Kind);
        Assert.Equal(path, damage.File);
        Assert.True(damage.ByteOffset > 0 && damage.ByteOffset < text.Length);
        Assert.Equal((byte)'\n', text[damage.ByteOffset - 1]); // the data ends at the end of a whole line of the original
        int whole = WholeLines(text, (int)damage.ByteOffset);
        Assert.Equal(whole + 1, damage.Line);
        Assert.Equal(whole, tape.Count); // every whole line of this capture is a record; the cut one is not
        Assert.Equal(0, tape.MalformedLines);
        string message = damage.ToString();
        Assert.StartsWith(path + ": damaged capture: the gzip stream is cut short", message, StringComparison.Ordinal);
        Assert.Contains($"ends after line {whole:N0}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gzip_capture_cut_inside_its_header_is_damaged_with_nothing_read()
    {
        byte[] gzip = Gzip(File.ReadAllBytes(Capture("BINANCE.ws.1.0")));
        CaptureTape tape = CaptureTape.FromBytes(gzip[..6], "cut.gz");
        CaptureDamage damage = Assert.Single(tape.Damage);
        Assert.True(damage.Kind is CaptureDamageKind.TruncatedGzip or CaptureDamageKind.CorruptGzip);
        Assert.Equal(0, tape.Count);
        Assert.Contains("not one whole line could be read", damage.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_gzip_capture_with_a_bad_compression_method_names_its_file()
    {
        byte[] gzip = Gzip(File.ReadAllBytes(Capture("BINANCE.ws.1.0")));
        gzip[2] = 7; // CM: only 8 (deflate) exists
        string path = TempFile("BINANCE.ws.1.0.gz", gzip);

        CaptureTape tape = CaptureTape.Load(path);

        CaptureDamage damage = Assert.Single(tape.Damage);
        Assert.Equal(CaptureDamageKind.CorruptGzip, damage.Kind);
        Assert.StartsWith(path + ": damaged capture: the gzip data is corrupt", damage.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, tape.Count);
    }

    [Fact]
    public void A_gzip_capture_corrupt_in_the_middle_keeps_what_came_before()
    {
        byte[] text = File.ReadAllBytes(Capture("BINANCE_FUTURES.ws.1.0"));
        byte[] gzip = Gzip(text);
        for (int i = gzip.Length / 2; i < (gzip.Length / 2) + 64; i++)
        {
            gzip[i] ^= 0x5A;
        }

        CaptureTape tape = CaptureTape.FromBytes(gzip, "mid.gz");

        // zlib checks the data (and the CRC) as it goes; what it wrote before noticing may also hold lines that are
        // not records, reported as their own damage.
        CaptureDamage damage = tape.Damage[0];
        Assert.Equal(CaptureDamageKind.CorruptGzip, damage.Kind);
        Assert.All(tape.Damage.Skip(1), d => Assert.Equal(CaptureDamageKind.MalformedLines, d.Kind));
        Assert.True(tape.Count > 0 && tape.Count < WholeLines(text, text.Length));
        Assert.True(damage.Line > tape.Count);
    }

    [Fact]
    public void Concatenated_gzip_members_are_one_whole_capture()
    {
        byte[] text = File.ReadAllBytes(Capture("BINANCE.http.0.0"));
        int half = text.AsSpan(0, text.Length / 2).LastIndexOf((byte)'\n') + 1;
        byte[] gzip = [.. Gzip(text[..half]), .. Gzip(text[half..])];

        CaptureTape tape = CaptureTape.FromBytes(gzip, "members.gz");

        Assert.Empty(tape.Damage);
        Assert.Equal(CaptureTape.FromBytes(text).Count, tape.Count);
    }

    [Fact]
    public void A_plain_capture_whose_last_line_has_no_line_end_is_cut_there()
    {
        byte[] text = File.ReadAllBytes(Capture("BINANCE.ws.1.0"));
        int cut = text.Length - 40; // inside the last frame
        string path = TempFile("BINANCE.ws.1.0", text[..cut]);

        CaptureTape tape = CaptureTape.Load(path);

        CaptureDamage damage = Assert.Single(tape.Damage);
        Assert.Equal(CaptureDamageKind.TruncatedLine, damage.Kind);
        int whole = WholeLines(text, cut);
        Assert.Equal(whole + 1, damage.Line);
        Assert.Equal(text.AsSpan(0, cut).LastIndexOf((byte)'\n') + 1, damage.ByteOffset);
        Assert.Equal(whole, tape.Count);
        Assert.Contains($"cut in the middle of line {whole + 1}", damage.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_that_are_not_records_are_damage_with_the_first_one_located()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(
            "wss://stream.example/ws <-> 1633998511.159679\n" +
            "1633998512.0: {\"a\":1}\n" +
            "garbage\n" +
            "1633998513.0: {\"a\":2}\n" +
            "more garbage\n");

        CaptureTape tape = CaptureTape.FromBytes(bytes, "x.ws");

        Assert.Equal(3, tape.Count);
        Assert.Equal(2, tape.MalformedLines);
        CaptureDamage damage = Assert.Single(tape.Damage);
        Assert.Equal(CaptureDamageKind.MalformedLines, damage.Kind);
        Assert.Equal(3, damage.Line);
        Assert.Equal(2, damage.Count);
        Assert.Equal("wss://stream.example/ws <-> 1633998511.159679\n1633998512.0: {\"a\":1}\n".Length, damage.ByteOffset);
        Assert.Equal("x.ws: damaged capture: 2 line(s) are not capture records (the first is line 3, at byte 68)", damage.ToString());
    }

    [Fact]
    public void A_file_that_cannot_be_read_is_a_clear_error_naming_it()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        Assert.False(CaptureTape.TryLoad([folder], out _, out string? error));
        Assert.StartsWith(folder + ": cannot be read", error, StringComparison.Ordinal);

        Assert.False(CaptureTape.TryLoad(["/nonexistent/capture"], out _, out error));
        Assert.StartsWith("/nonexistent/capture: cannot be read", error, StringComparison.Ordinal);
    }
}
