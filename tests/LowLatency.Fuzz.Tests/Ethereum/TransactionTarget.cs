using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Fuzz.Tests.Engine;

namespace LowLatency.Fuzz.Tests.Ethereum;

/// <summary>
/// Raw transactions through <see cref="TransactionDecoder.TryDecode(ReadOnlySpan{byte}, TxRules, out Transaction?, out Address, out TxError, ISecp256k1?)"/>:
/// errors are values; an accepted transaction re-encodes to exactly its input and has a hash; every eighth accepted one
/// recovers the same sender with BouncyCastle as with the native backend.
/// </summary>
internal sealed class TransactionTarget : FuzzTarget
{
    private static readonly ISecp256k1 s_native = Secp256k1.Create();
    private static readonly ISecp256k1 s_bouncy = Secp256k1.CreateBouncyCastle();

    public override string Name => "transaction";

    public override IReadOnlyList<byte[]> Corpus => EthCorpus.Transactions;

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
        bool unchecked_ = TransactionDecoder.TryDecodeUnchecked(input, out Transaction? structural, out TxError structuralError);
        bool ok = TransactionDecoder.TryDecode(input, TxRules.Default, out Transaction? tx, out Address sender, out TxError error, s_native);
        Invariant.That(ok != error.IsError && ok == (tx is not null), "tx: result, error and transaction disagree");
        Invariant.That(unchecked_ != structuralError.IsError && (unchecked_ || !ok), "tx: structural decode disagrees with the full decode");
        Invariant.That(!string.IsNullOrEmpty(error.Message) && !string.IsNullOrEmpty(structuralError.Message), "tx: an error without text");
        Outcome(ok ? "accepted" : "rejected:" + error.Code);
        if (unchecked_)
        {
            Invariant.That(structural!.EncodeSigned().AsSpan().SequenceEqual(input), "tx: a decoded transaction does not re-encode to its input");
        }

        if (!ok)
        {
            return;
        }

        Invariant.That(tx!.EncodeSigned().AsSpan().SequenceEqual(input), "tx: an accepted transaction does not re-encode to its input");
        Invariant.That(tx.GetHashHex().Length == 66, "tx: hash");
        if (input.Length % 8 == 0)
        {
            Invariant.That(tx.TryRecoverSender(out Address other, s_bouncy) && other == sender, "tx: BouncyCastle recovers another sender than libsecp256k1");
        }
    }
}
