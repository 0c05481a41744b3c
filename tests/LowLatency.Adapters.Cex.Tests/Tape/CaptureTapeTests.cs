using System.Text;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.Testing;

namespace LowLatency.Adapters.Cex.Tests.Tape;

public sealed class CaptureTapeTests
{
    [Fact]
    public void Reads_every_record_shape_of_a_capture()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(
            "wss://stream.example/ws <-> 1633998511.159679\n" +
            "wss://stream.example/ws <- 1633998511.2: {\"op\":\"subscribe\"}\n" +
            "1633998512.0633569: {\"a\":1}\n" +
            "https://api.example/depth?symbol=X -> 1633998512.5: {\"lastUpdateId\":5}\r\n" +
            "configuration: {\"l2_book\":[\"X\"]}\n" +
            "this line is not a record\n" +
            "\n");
        CaptureTape tape = CaptureTape.FromBytes(bytes);

        Assert.Equal(5, tape.Count);
        Assert.Equal(1, tape.MalformedLines);
        Assert.Equal(CaptureRecordKind.Opened, tape[0].Kind);
        Assert.Equal(1_633_998_511_159_679_000L, tape[0].TimestampNs);
        Assert.Equal(CaptureRecordKind.Sent, tape[1].Kind);
        Assert.Equal("{\"op\":\"subscribe\"}", Encoding.UTF8.GetString(tape.Payload(tape[1])));
        Assert.Equal(CaptureRecordKind.Received, tape[2].Kind);
        Assert.Equal(1_633_998_512_063_356_900L, tape[2].TimestampNs);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(tape.Payload(tape[2])));
        Assert.Equal(CaptureRecordKind.HttpResponse, tape[3].Kind);
        Assert.Equal("https://api.example/depth?symbol=X", Encoding.UTF8.GetString(tape.Url(tape[3])));
        Assert.Equal("{\"lastUpdateId\":5}", Encoding.UTF8.GetString(tape.Payload(tape[3])));
        Assert.Equal(CaptureRecordKind.Configuration, tape[4].Kind);
    }

    [Theory]
    [InlineData("1633998512.0633569", 1_633_998_512_063_356_900L)]
    [InlineData("1633998512", 1_633_998_512_000_000_000L)]
    [InlineData("1.0000000019", 1_000_000_001L)] // digits past nanoseconds are dropped, not rounded
    public void Parses_timestamps_exactly(string text, long expectedNs)
    {
        Assert.True(CaptureTape.TryParseTimestamp(Encoding.ASCII.GetBytes(text), out long ns));
        Assert.Equal(expectedNs, ns);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("-5")]
    public void Rejects_bad_timestamps(string text)
    {
        Assert.False(CaptureTape.TryParseTimestamp(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void Merges_a_session_websocket_file_and_its_rest_snapshots_in_time_order()
    {
        CaptureTape tape = CaptureTape.Load([
            SharedData.File("cex_ws", "cryptofeed", "BINANCE.ws.1.0"),
            SharedData.File("cex_ws", "cryptofeed", "BINANCE.http.0.0"),
        ]);

        Assert.Equal(0, tape.MalformedLines);
        int snapshots = 0;
        long previous = long.MinValue;
        foreach (CaptureRecord record in tape.Records)
        {
            Assert.True(record.TimestampNs >= previous);
            previous = record.TimestampNs;
            if (record.Kind == CaptureRecordKind.HttpResponse)
            {
                snapshots++;
                Assert.StartsWith("{\"lastUpdateId\":", Encoding.UTF8.GetString(tape.Payload(record)), StringComparison.Ordinal);
            }
        }

        Assert.Equal(4, snapshots);
    }

    [Fact]
    public void Reads_gzip_captures_by_their_magic_bytes()
    {
        CaptureTape tape = CaptureTape.Load(SharedData.File("cex_ws", "cryptofeed", "BINANCE.0.gz"));
        Assert.True(tape.Count > 0);
        Assert.Contains(tape.Records.ToArray(), r => r.Kind == CaptureRecordKind.Configuration);
    }
}
