using System.Buffers;
using System.Globalization;
using System.Text.Json;
using LowLatency.Adapters.Cluster.Streams;
using LowLatency.Adapters.Ethereum;
using NATS.Client.JetStream;

namespace LowLatency.Adapters.Cluster.Accounts;

/// <summary>One signed transaction as the nonce stream recorded it before it left.</summary>
public sealed record SignedTxRecord(ulong Nonce, string Hash, byte[] Raw, string Node, long Epoch, ulong StreamSeq);

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

    public NonceLedger(INatsJSContext js, string node, Address account)
    {
        ArgumentNullException.ThrowIfNull(js);
        ArgumentException.ThrowIfNullOrEmpty(node);
        _js = js;
        _node = node;
        _subject = "ll.nonce." + account.ToLowerHexString();
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
                r.GetProperty("node").GetString() ?? "", r.GetProperty("epoch").GetInt64(), seq));
        }, cancellationToken: cancellationToken).ConfigureAwait(false);

        // Read the true last sequence too (records may have arrived after the read began).
        var tail = await StreamReading.LastAsync(_js, ClusterBus.NoncesStream, _subject, cancellationToken).ConfigureAwait(false);
        _lastSeq = tail?.Seq ?? last;
        return list;
    }

    /// <summary>
    /// Appends a signed transaction. True once the server stored it; false when fenced (another node appended since this
    /// node's last read: the transaction must not be sent). Throws when NATS cannot be reached (nothing is sent then either).
    /// </summary>
    public async Task<bool> AppendAsync(ulong nonce, string hash, ReadOnlyMemory<byte> raw, long epoch, CancellationToken cancellationToken = default)
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
            w.WriteEndObject();
        }

        var opts = new NatsJSPubOpts
        {
            ExpectedLastSubjectSequence = _lastSeq,

            // The same transaction retried after a lost ack is stored once.
            MsgId = hash + ":" + nonce.ToString(CultureInfo.InvariantCulture),
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
