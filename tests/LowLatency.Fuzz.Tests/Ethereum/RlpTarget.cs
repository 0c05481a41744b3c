using LowLatency.Adapters.Ethereum.Rlp;
using LowLatency.Fuzz.Tests.Engine;

namespace LowLatency.Fuzz.Tests.Ethereum;

/// <summary>
/// RLP bytes through <see cref="RlpCodec.TryDecode"/> (an accepted item re-encodes to exactly the input) and through a
/// walk of every <see cref="RlpReader"/> read method (a failed read leaves the reader where it was and says why; the walk
/// accepts exactly what the tree decoder accepts).
/// </summary>
internal sealed class RlpTarget : FuzzTarget
{
    public override string Name => "rlp";

    public override IReadOnlyList<byte[]> Corpus => EthCorpus.Rlp;

    public override bool IsText => false;

    /// <summary>Half the cases change a decoded node and re-encode (canonical RLP, wrong contents); the rest mutate bytes.</summary>
    public override byte[] NextInput(FuzzRandom rng, List<string> log)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (rng.OneIn(2) && RlpTreeMutator.Mutate(rng, rng.Pick(Corpus), log!) is { } structured)
        {
            return rng.OneIn(4) ? Mutator.Mutate(rng, structured, Corpus, json: false, log) : structured;
        }

        return base.NextInput(rng, log!);
    }

    public override void Check(byte[] input)
    {
        bool decoded = RlpCodec.TryDecode(input, out RlpItem? item, out RlpError error);
        Invariant.That(decoded == (error == RlpError.None) && decoded == (item is not null), "rlp: result, error and item disagree");
        Invariant.That(!string.IsNullOrEmpty(error.Describe()), "rlp: an error without text");
        if (decoded)
        {
            Invariant.That(RlpCodec.Encode(item!).AsSpan().SequenceEqual(input), "rlp: an accepted item does not re-encode to its input");
            _ = item!.ToString();
        }

        var reader = new RlpReader(input);
        bool walked = Walk(ref reader, 0) && reader.TryReadEnd();
        Invariant.Equal(decoded, walked, "rlp: reader walk and tree decoder disagree");
        Outcome(decoded ? "accepted" : "rejected:" + error);
    }

    /// <summary>Reads one item, trying the typed reads first (each must fail cleanly or consume exactly the item).</summary>
    private static bool Walk(ref RlpReader reader, int depth)
    {
        if (depth > RlpCodec.MaxDepth)
        {
            return false;
        }

        int start = reader.Position;
        RlpError header = reader.PeekHeader(out bool isList, out int headerLength, out int payloadLength);
        if (header != RlpError.None)
        {
            Invariant.That(!reader.TryReadEncodedItem(out _) && reader.Position == start && reader.Error == header, "rlp: a bad header read moved the reader or gave another error");
            return false;
        }

        int end = start + headerLength + payloadLength;
        if (isList)
        {
            Invariant.That(!reader.TryReadBytes(out _) && reader.Position == start && reader.Error == RlpError.ExpectedString, "rlp: a list read as a string");
            Invariant.That(reader.TryReadList(out RlpReader inner) && reader.Position == end, "rlp: a valid list header did not read");
            while (!inner.IsEnd)
            {
                if (!Walk(ref inner, depth + 1))
                {
                    return false;
                }
            }

            return true;
        }

        TryTyped(ref reader, start, end);
        Invariant.That(!reader.TryReadList(out _) && reader.Position == start && reader.Error == RlpError.ExpectedList, "rlp: a string read as a list");
        Invariant.That(reader.TryReadBytes(out ReadOnlySpan<byte> bytes) && reader.Position == end && bytes.Length == payloadLength, "rlp: a valid string header did not read");
        return true;
    }

    private static void TryTyped(ref RlpReader reader, int start, int end)
    {
        RlpReader probe = reader;
        Moves(probe.TryReadUInt64(out _), ref probe, start, end, "UInt64");
        probe = reader;
        Moves(probe.TryReadUInt256(out _), ref probe, start, end, "UInt256");
        probe = reader;
        Moves(probe.TryReadAddress(out _), ref probe, start, end, "Address");
        probe = reader;
        Moves(probe.TryReadFixed(32, out _), ref probe, start, end, "Fixed(32)");
        probe = reader;
        Moves(probe.TryReadIntegerBytes(4, out _), ref probe, start, end, "IntegerBytes(4)");
    }

    private static void Moves(bool ok, ref RlpReader probe, int start, int end, string what) =>
        Invariant.That(ok ? probe.Position == end : probe.Position == start && probe.Error != RlpError.None,
            "rlp: " + what + (ok ? " read did not consume exactly the item" : " failed without staying put and saying why"));
}
