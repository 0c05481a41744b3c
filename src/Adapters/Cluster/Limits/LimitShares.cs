using System.Buffers;
using System.Text.Json;

namespace LowLatency.Adapters.Cluster.Limits;

/// <summary>One node's share of one global limit, micro-USD: what the cluster granted it and what it reported using.</summary>
public readonly record struct NodeShare(long Granted, long Used, long AtMs);

/// <summary>
/// The value of one key of the limits bucket: the limit and every node's share of it. Σ granted ≤ limit is the invariant
/// every writer keeps; a compare-and-set on the key's revision makes concurrent writers take turns.
/// </summary>
public sealed class LimitShares
{
    public LimitShares(long limit, Dictionary<string, NodeShare>? nodes = null)
    {
        Limit = limit;
        Nodes = nodes ?? new Dictionary<string, NodeShare>(StringComparer.Ordinal);
    }

    public long Limit { get; }

    public Dictionary<string, NodeShare> Nodes { get; }

    /// <summary>Σ granted of every node but <paramref name="node"/>. A silent node's share stays counted: it may still hold positions.</summary>
    public long GrantedToOthers(string node)
    {
        long sum = 0;
        foreach (var (name, share) in Nodes)
        {
            if (!string.Equals(name, node, StringComparison.Ordinal))
            {
                sum += Math.Max(share.Granted, share.Used);
            }
        }

        return sum;
    }

    public long TotalGranted()
    {
        long sum = 0;
        foreach (var share in Nodes.Values)
        {
            sum += Math.Max(share.Granted, share.Used);
        }

        return sum;
    }

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("limit", Limit);
            w.WriteStartObject("nodes");
            foreach (var (name, share) in Nodes)
            {
                w.WriteStartObject(name);
                w.WriteNumber("granted", share.Granted);
                w.WriteNumber("used", share.Used);
                w.WriteNumber("at", share.AtMs);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses a bucket value; false with a reason for anything that is not a well-formed record.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out LimitShares? shares, out string? error)
    {
        shares = null;
        error = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("limit", out var limit) || !limit.TryGetInt64(out long l) ||
                !root.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Object)
            {
                error = "not a limit record (limit, nodes)";
                return false;
            }

            var map = new Dictionary<string, NodeShare>(StringComparer.Ordinal);
            foreach (var node in nodes.EnumerateObject())
            {
                if (!node.Value.TryGetProperty("granted", out var g) || !g.TryGetInt64(out long granted) ||
                    !node.Value.TryGetProperty("used", out var u) || !u.TryGetInt64(out long used) ||
                    !node.Value.TryGetProperty("at", out var a) || !a.TryGetInt64(out long at) || granted < 0)
                {
                    error = "node '" + node.Name + "': granted, used, at must be integers";
                    return false;
                }

                map[node.Name] = new NodeShare(granted, used, at);
            }

            shares = new LimitShares(l, map);
            return true;
        }
        catch (JsonException e)
        {
            error = "not JSON: " + e.Message;
            return false;
        }
    }
}
