using LowLatency.Adapters.Ethereum.Rlp;
using LowLatency.Fuzz.Tests.Engine;

namespace LowLatency.Fuzz.Tests.Ethereum;

/// <summary>
/// Structure-aware RLP mutations: decode, change one node (a field's bytes, a string turned list, an item removed or
/// repeated), encode again. The result is canonical RLP whose contents are wrong, which gets past the envelope checks to
/// the field rules. A typed transaction keeps its type byte.
/// </summary>
internal static class RlpTreeMutator
{
    private static readonly byte[][] s_fields =
    [
        [], [0x00], [0x00, 0x01], [0x7f], [0x80], [0x01], [0x1b], [0x1c], [0x23], [0x24], [0x25], [0x26], [0x02],
        Fill(8, 0xff), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], Fill(9, 0xff), Fill(19, 0x11), Fill(20, 0x11), Fill(21, 0x11),
        Fill(31, 0x22), Fill(32, 0x22), Fill(33, 0x22), Fill(32, 0xff), [0x00, .. Fill(31, 0x22)],
        Convert.FromHexString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"),
        Convert.FromHexString("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"),
        Convert.FromHexString("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1"),
        Fill(49_153, 0x60), Fill(100, 0x00),
    ];

    public static byte[]? Mutate(FuzzRandom rng, byte[] input, List<string> log)
    {
        int prefix = input.Length > 0 && input[0] < 0x80 ? 1 : 0; // a typed transaction's type byte
        if (!RlpCodec.TryDecode(input.AsSpan(prefix), out RlpItem? root, out _))
        {
            return null;
        }

        var nodes = new List<(RlpItem Node, RlpItem? Parent, int Index)>();
        Collect(root!, null, 0, nodes);
        (RlpItem node, RlpItem? parent, int index) = rng.Pick(nodes);
        RlpItem replacement;
        switch (rng.Next(5))
        {
            case 0 or 1:
                log.Add("rlp-field");
                replacement = RlpItem.String(rng.Pick(s_fields));
                break;
            case 2:
                log.Add("rlp-kind-swap");
                replacement = node.IsList ? RlpItem.String(RlpCodec.Encode(node)[..Math.Min(33, RlpCodec.Encode(node).Length)]) : RlpItem.List([node]);
                break;
            case 3 when node.IsList && node.Items.Count > 0:
                log.Add("rlp-drop-item");
                replacement = RlpItem.List(node.Items.Where((_, i) => i != rng.Next(node.Items.Count)));
                break;
            default:
                log.Add("rlp-repeat-item");
                replacement = node.IsList && node.Items.Count > 0
                    ? RlpItem.List([.. node.Items, rng.Pick(node.Items)])
                    : RlpItem.List([node, node]);
                break;
        }

        RlpItem mutated = parent is null ? replacement : Rebuild(root!, parent, index, replacement);
        return [.. input.AsSpan(0, prefix), .. RlpCodec.Encode(mutated)];
    }

    private static void Collect(RlpItem node, RlpItem? parent, int index, List<(RlpItem, RlpItem?, int)> nodes)
    {
        nodes.Add((node, parent, index));
        for (int i = 0; i < node.Items.Count; i++)
        {
            Collect(node.Items[i], node, i, nodes);
        }
    }

    /// <summary>The tree with <paramref name="parent"/>'s child <paramref name="index"/> replaced (items are immutable).</summary>
    private static RlpItem Rebuild(RlpItem node, RlpItem parent, int index, RlpItem replacement)
    {
        if (!node.IsList)
        {
            return node;
        }

        var items = new List<RlpItem>(node.Items.Count);
        for (int i = 0; i < node.Items.Count; i++)
        {
            items.Add(ReferenceEquals(node, parent) && i == index ? replacement : Rebuild(node.Items[i], parent, index, replacement));
        }

        return RlpItem.List(items);
    }

    private static byte[] Fill(int length, byte value)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }
}
