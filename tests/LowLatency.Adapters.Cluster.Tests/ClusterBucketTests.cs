using System.Text;
using LowLatency.Testing.Nats;
using NATS.Client.KeyValueStore;

namespace LowLatency.Adapters.Cluster.Tests;

/// <summary>Reads of the shared buckets at the stream's leader agree with the KV client on every state a key can be in.</summary>
public sealed class ClusterBucketTests
{
    private static string Headers(string block) => Convert.ToBase64String(Encoding.ASCII.GetBytes(block));

    [Theory]
    [InlineData("NATS/1.0\r\nKV-Operation: DEL\r\n\r\n", true)]
    [InlineData("NATS/1.0\r\nkv-operation:purge\r\nNats-Rollup: sub\r\n\r\n", true)]
    [InlineData("NATS/1.0\r\nKV-Operation: PUT\r\n\r\n", false)]
    [InlineData("NATS/1.0\r\nNats-Expected-Last-Subject-Sequence: 4\r\n\r\n", false)]
    [InlineData("NATS/1.0\r\nX-Note: KV-Operation: DEL\r\n\r\n", false)]
    public void A_delete_or_purge_marker_is_told_by_its_operation_header(string block, bool deleted) =>
        Assert.Equal(deleted, ClusterBucket.IsDeleteMarker(Headers(block)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all!")]
    public void Missing_or_damaged_headers_are_no_marker(string? headers) => Assert.False(ClusterBucket.IsDeleteMarker(headers));

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_key_reads_as_missing_written_deleted_and_written_again_as_the_kv_client_sees_it()
    {
        using var nats = new NatsServer();
        await using var bus = await ClusterBus.ConnectAsync(nats.Url, "t");
        ClusterBucket bucket = bus.Limits;
        const string key = "exp.BTC.binance";

        var missing = await bucket.TryGetEntryAsync(key);
        Assert.IsType<NatsKVKeyNotFoundException>(missing.Error);

        ulong first = (await bucket.TryCreateAsync(key, "{\"v\":1}"u8.ToArray())).Value;
        ulong second = (await bucket.TryUpdateAsync(key, "{\"v\":2}"u8.ToArray(), first)).Value;
        var written = await bucket.TryGetEntryAsync(key);
        var client = await bucket.Store.GetEntryAsync<byte[]>(key);
        Assert.True(written.Success);
        Assert.Equal(second, written.Value.Revision);
        Assert.Equal(client.Revision, written.Value.Revision);
        Assert.Equal("{\"v\":2}", Encoding.UTF8.GetString(written.Value.Value!));
        Assert.False((await bucket.TryUpdateAsync(key, "{\"v\":3}"u8.ToArray(), first)).Success); // a stale revision is refused

        await bucket.Store.DeleteAsync(key);
        var deleted = await bucket.TryGetEntryAsync(key);
        Assert.IsType<NatsKVKeyDeletedException>(deleted.Error);

        Assert.True((await bucket.TryCreateAsync(key, "{\"v\":4}"u8.ToArray())).Success);
        Assert.Equal("{\"v\":4}", Encoding.UTF8.GetString((await bucket.TryGetEntryAsync(key)).Value.Value!));

        await bucket.Store.PurgeAsync(key);
        Assert.IsType<NatsKVKeyDeletedException>((await bucket.TryGetEntryAsync(key)).Error);
    }
}
