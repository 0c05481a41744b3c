using System.Buffers;
using System.Globalization;
using System.Text.Json;
using LowLatency.Adapters.Cluster.Streams;
using LowLatency.Adapters.Ethereum;
using NATS.Client.JetStream;

namespace LowLatency.Adapters.Cluster.Accounts;

/// <summary>One signed transaction as the nonce stream recorded it before it left.</summary>
/// <param name="LastTargetBlock">A bundle's last target block (it can land in no later one); 0 for a public transaction.</param>
public sealed record SignedTxRecord(ulong Nonce, string Hash, byte[] Raw, string Node, long Epoch, ulong StreamSeq, ulong LastTargetBlock = 0);

/// <summary>
/// The account's nonce stream (<c>ll.nonce.0x…</c>): the owner appends each signed transaction (nonce, hash, raw bytes)
/// before sending it. Each append expects the subject's last sequence to be the one this node last saw, so two nodes can
/// never both append after the same record: a node that lost the account (even one whose clock says otherwise) is
/// fenced by the server and must not send.
/// </summary>
public sealed class NonceLedger
{
    private readonly INatsJSContext _js;
    private readonly string _node;
    private readonly string _subject;
    private ulong _lastSeq;
    private long _fenced;

    /// <param name="chainId">The chain of the nonces (<c>ll.nonce.&lt;chainId&gt;-0x…</c>, as <see cref="AccountLease"/>); null: <c>ll.nonce.0x…</c>.</param>
    public NonceLedger(INatsJSContext js, string node, Address account, ulong? chainId = null)
    {
        ArgumentNullException.ThrowIfNull(js);
        ArgumentException.ThrowIfNullOrEmpty(node);
        _js = js;
        _node = node;
        _subject = "ll.nonce." + (chainId is { } id ? id.ToString(CultureInfo.InvariantCulture) + "-" : "") + account.ToLowerHexString();
    }

    public string Subject => _subject;

    /// <summary>Appends refused because another node appended first.</summary>
    public long Fenced => Interlocked.Read(ref _fenced);

    /// <summary>Every record on the account's subject, in stream order; the next append expects the last of them.</summary>
    public async Task<IReadOnlyList<SignedTxRecord>> LoadAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<SignedTxRecord>();
        ulong last = 0;
        await StreamReading.ReadAllAsync(_js, ClusterBus.NoncesStream, _subject, (seq, data) =>
        {
            last = Math.Max(last, seq);
            using var doc = JsonDocument.Parse(data);
            var r = doc.RootElement;
            list.Add(new SignedTxRecord(
                r.GetProperty("nonce").GetUInt64(), r.GetProperty("hash").GetString() ?? "", Hex.Decode(r.GetProperty("raw").GetString() ?? "0x"),
                r.GetProperty("node").GetString() ?? "", r.GetProperty("epoch").GetInt64(), seq,
                r.TryGetProperty("lastTarget", out JsonElement target) ? target.GetUInt64() : 0));
        }, cancellationToken: cancellationToken).ConfigureAwait(false);

        // Read the true last sequence too (records may have arrived after the read began).
        var tail = await StreamReading.LastAsync(_js, ClusterBus.NoncesStream, _subject, cancellationToken).ConfigureAwait(false);
        _lastSeq = tail?.Seq ?? last;
        return list;
    }

    /// <summary>
    /// After an append whose acknowledgement never came (it may have landed): reads what follows the last record this node
    /// saw. True when all of it is this node's own under <paramref name="epoch"/>; the next append then expects the last of
    /// it. False when another node appended meanwhile: this node is fenced, as if its append had been refused.
    /// </summary>
    public async Task<bool> ResyncAsync(long epoch, CancellationToken cancellationToken = default)
    {
        ulong seen = _lastSeq;
        var records = await LoadAsync(cancellationToken).ConfigureAwait(false);
        foreach (SignedTxRecord r in records)
        {
            if (r.StreamSeq > seen && (r.Epoch != epoch || !string.Equals(r.Node, _node, StringComparison.Ordinal)))
            {
                _lastSeq = seen;
                Interlocked.Increment(ref _fenced);
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Appends a signed transaction. True once the server stored it; false when fenced (another node appended since this
    /// node's last read: the transaction must not be sent). Throws when NATS cannot be reached (nothing is sent then either).
    /// </summary>
    /// <param name="lastTargetBlock">A bundle's last target block; 0 for a public transaction.</param>
    public async Task<bool> AppendAsync(ulong nonce, string hash, ReadOnlyMemory<byte> raw, long epoch, CancellationToken cancellationToken = default, ulong lastTargetBlock = 0)
    {
        var buffer = new ArrayBufferWriter<byte>(raw.Length * 2 + 160);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("nonce", nonce);
            w.WriteString("hash", hash);
            w.WriteString("raw", Hex.Encode(raw.Span));
            w.WriteString("node", _node);
            w.WriteNumber("epoch", epoch);
            if (lastTargetBlock > 0)
            {
                w.WriteNumber("lastTarget", lastTargetBlock);
            }

            w.WriteEndObject();
        }

        var opts = new NatsJSPubOpts
        {
            ExpectedLastSubjectSequence = _lastSeq,

            // The same transaction retried after a lost ack is stored once. A bundle's id carries its last target: the same
            // bytes sent again for later blocks (a new owner re-signs the same call at the same fees deterministically)
            // are a new record, so the stream always shows the last block any of its signatures may land in.
            MsgId = hash + ":" + nonce.ToString(CultureInfo.InvariantCulture) + (lastTargetBlock > 0 ? ":" + lastTargetBlock.ToString(CultureInfo.InvariantCulture) : ""),
        };
        try
        {
            var ack = await _js.PublishAsync(_subject, buffer.WrittenSpan.ToArray(), opts: opts, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (ack.Error is { } error)
            {
                if (error.ErrCode == 10071)
                {
                    Interlocked.Increment(ref _fenced);
                    return false;
                }

                throw new NatsJSApiException(error);
            }

            _lastSeq = ack.Seq;
            return true;
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == 10071)
        {
            Interlocked.Increment(ref _fenced);
            return false;
        }
    }
}
