using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace LowLatency.Adapters.Cluster.Streams;

/// <summary>Reads what a stream holds now (an ordered consumer, fetched until nothing is left).</summary>
public static class StreamReading
{
    /// <summary>Calls <paramref name="onMessage"/> with (stream sequence, data) for every message on <paramref name="filter"/>.</summary>
    public static async Task<long> ReadAllAsync(INatsJSContext js, string stream, string filter, Action<ulong, ReadOnlyMemory<byte>> onMessage,
        DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(js);
        ArgumentNullException.ThrowIfNull(onMessage);
        var opts = new NatsJSOrderedConsumerOpts { FilterSubjects = [filter] };
        if (since is { } start)
        {
            opts = opts with { DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartTime, OptStartTime = start };
        }

        var consumer = await js.CreateOrderedConsumerAsync(stream, opts, cancellationToken).ConfigureAwait(false);
        long count = 0;
        while (true)
        {
            int batch = 0;
            bool caughtUp = false;
            await foreach (var msg in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1000 }, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                batch++;
                caughtUp = msg.Metadata?.NumPending == 0;
                if (SubjectMatches(filter, msg.Subject))
                {
                    count++;
                    onMessage(msg.Metadata?.Sequence.Stream ?? 0, msg.Data ?? []);
                }
            }

            if (batch == 0 || caughtUp)
            {
                return count;
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="subject"/> is on <paramref name="filter"/> (NATS wildcards: <c>*</c> one token, <c>&gt;</c>
    /// the rest). Consumers filter here too: a server before 2.10 (Debian 12 ships 2.9) ignores the ordered consumer's
    /// <c>filter_subjects</c> and delivers every subject of the stream, which read one node's fills as another's.
    /// </summary>
    public static bool SubjectMatches(string filter, string subject)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(subject);
        ReadOnlySpan<char> f = filter;
        ReadOnlySpan<char> s = subject;
        while (true)
        {
            int fDot = f.IndexOf('.');
            int sDot = s.IndexOf('.');
            ReadOnlySpan<char> fToken = fDot < 0 ? f : f[..fDot];
            ReadOnlySpan<char> sToken = sDot < 0 ? s : s[..sDot];
            if (fToken is ">")
            {
                return sToken.Length > 0;
            }

            if (!(fToken is "*" ? sToken.Length > 0 : fToken.SequenceEqual(sToken)))
            {
                return false;
            }

            if (fDot < 0 || sDot < 0)
            {
                return fDot < 0 && sDot < 0;
            }

            f = f[(fDot + 1)..];
            s = s[(sDot + 1)..];
        }
    }

    /// <summary>The last message on <paramref name="subject"/>, or null when it has none.</summary>
    public static async Task<(ulong Seq, byte[] Data)?> LastAsync(INatsJSContext js, string stream, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(js);
        var s = await js.GetStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await LastMessageAsync(s, subject, cancellationToken).ConfigureAwait(false) is { } last ? (last.Seq, last.Data.ToArray()) : null;
    }

    /// <summary>
    /// The last message on <paramref name="subject"/> as the stream's leader holds it (headers included), or null when it
    /// has none.
    /// </summary>
    public static async Task<StoredMessage?> LastMessageAsync(INatsJSStream stream, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            var got = await stream.GetAsync(new StreamMsgGetRequest { LastBySubj = subject }, cancellationToken).ConfigureAwait(false);
            return got.Message;
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == NoMessageFound)
        {
            return null;
        }
    }

    private const int NoMessageFound = 10037;
}
