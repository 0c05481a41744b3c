using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using LowLatency.Adapters.Cluster.Streams;
using NATS.Client.KeyValueStore;

namespace LowLatency.Adapters.Cluster;

/// <summary>
/// A shared key-value bucket whose reads go to its stream's leader (<c>$JS.API.STREAM.MSG.GET</c>), the server that
/// orders every write, instead of the KV client's direct get.
/// </summary>
/// <remarks>
/// A direct get is answered by any replica in a queue group. On a NATS cluster with one server cut off (frozen, its
/// sockets still open), the others keep routing about a third of the gets to it until its routes close, each a
/// request timeout. A refill reads a key per slot, so nearly every round failed and the nodes on the healthy servers
/// stopped trading long after the bucket had a new leader. A leader read also sees the latest write, so a
/// compare-and-set never starts from a replica's older revision.
/// </remarks>
public sealed class ClusterBucket
{
    private readonly INatsJSStream _stream;
    private readonly string _subjectPrefix;

    public ClusterBucket(INatsKVStore store, INatsJSStream stream)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(stream);
        Store = store;
        _stream = stream;
        _subjectPrefix = "$KV." + store.Bucket + ".";
    }

    public string Name => Store.Bucket;

    /// <summary>The client's own store: writes, and reads where a replica's view is enough.</summary>
    public INatsKVStore Store { get; }

    /// <summary>
    /// The key's latest value and revision, read at the stream's leader. Not found and deleted come back as the KV
    /// client's errors; a server that does not answer throws, as the client's read does.
    /// </summary>
    public async Task<NatsResult<NatsKVEntry<byte[]>>> TryGetEntryAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (await StreamReading.LastMessageAsync(_stream, _subjectPrefix + key, cancellationToken).ConfigureAwait(false) is not { } message)
        {
            return NatsKVKeyNotFoundException.Default;
        }

        if (IsDeleteMarker(message.Hdrs))
        {
            return new NatsKVKeyDeletedException(message.Seq);
        }

        return new NatsKVEntry<byte[]>(Name, key)
        {
            Revision = message.Seq,
            Created = message.Time,
            Value = message.Data.ToArray(),
            Operation = NatsKVOperation.Put,
        };
    }

    public ValueTask<NatsResult<ulong>> TryCreateAsync(string key, byte[] value, CancellationToken cancellationToken = default) =>
        Store.TryCreateAsync(key, value, cancellationToken: cancellationToken);

    public ValueTask<NatsResult<ulong>> TryUpdateAsync(string key, byte[] value, ulong revision, CancellationToken cancellationToken = default) =>
        Store.TryUpdateAsync(key, value, revision, cancellationToken: cancellationToken);

    /// <summary>
    /// A delete or purge leaves a marker: an empty message whose headers (base64 of the NATS/1.0 header block in the
    /// get's reply) carry <c>KV-Operation: DEL</c> or <c>PURGE</c>.
    /// </summary>
    public static bool IsDeleteMarker(string? headersBase64)
    {
        if (string.IsNullOrEmpty(headersBase64))
        {
            return false;
        }

        var buffer = new byte[headersBase64.Length];
        if (!Convert.TryFromBase64String(headersBase64, buffer, out int written))
        {
            return false;
        }

        foreach (string line in Encoding.ASCII.GetString(buffer, 0, written).Split("\r\n"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("KV-Operation", StringComparison.OrdinalIgnoreCase))
            {
                var op = line.AsSpan(colon + 1).Trim();
                return op.Equals("DEL", StringComparison.OrdinalIgnoreCase) || op.Equals("PURGE", StringComparison.OrdinalIgnoreCase);
            }
        }

        return false;
    }
}
