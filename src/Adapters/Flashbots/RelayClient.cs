using System.Diagnostics;
using System.Globalization;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Flashbots;
using LowLatency.Adapters.Ethereum.JsonRpc;

namespace LowLatency.Adapters.Flashbots;

/// <summary>A relay or builder endpoint from configuration.</summary>
public sealed record RelayEndpoint(string Name, Uri Url);

/// <summary>Per-relay counters (thread-safe): what was asked, what came back, how fast.</summary>
public sealed class RelayStats
{
    private long _simulations;
    private long _simulatedOk;
    private long _simulationFailed;
    private long _errors;
    private long _sent;
    private long _included;
    private long _latencyTicksTotal;
    private long _latencySamples;

    public long Simulations => Interlocked.Read(ref _simulations);

    public long SimulatedOk => Interlocked.Read(ref _simulatedOk);

    public long SimulationFailed => Interlocked.Read(ref _simulationFailed);

    /// <summary>Answers that were errors, malformed, or never came (down, timeout).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    public long Sent => Interlocked.Read(ref _sent);

    public long Included => Interlocked.Read(ref _included);

    /// <summary>Bundles included per bundle sent (each target block counts as one send).</summary>
    public double InclusionRate => Sent == 0 ? 0 : (double)Included / Sent;

    public double MeanLatencyMs => _latencySamples == 0 ? 0 : Interlocked.Read(ref _latencyTicksTotal) * 1000.0 / Stopwatch.Frequency / Interlocked.Read(ref _latencySamples);

    internal void Simulated(bool ok)
    {
        Interlocked.Increment(ref _simulations);
        Interlocked.Increment(ref ok ? ref _simulatedOk : ref _simulationFailed);
    }

    internal void Error() => Interlocked.Increment(ref _errors);

    internal void SentOne() => Interlocked.Increment(ref _sent);

    internal void IncludedOne() => Interlocked.Increment(ref _included);

    internal void Latency(long ticks)
    {
        Interlocked.Add(ref _latencyTicksTotal, ticks);
        Interlocked.Increment(ref _latencySamples);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"simulated {Simulations} (ok {SimulatedOk}, failed {SimulationFailed}), sent {Sent}, included {Included} ({InclusionRate:P0}), errors {Errors}, mean latency {MeanLatencyMs:F1} ms");
}

/// <summary>
/// One Flashbots-style relay: every request is signed with the Flashbots signer key (<c>X-Flashbots-Signature</c>),
/// sent once (no transport retry: the next target block is the retry), answers parsed leniently where relays are
/// known to deviate (string ids, decimal or hex quantities) and strictly otherwise. Every failure is an
/// <see cref="RpcError"/> value; nothing here throws on a relay's answer.
/// </summary>
public sealed class RelayClient : IAsyncDisposable
{
    private readonly JsonRpcClient _client;

    public RelayClient(RelayEndpoint endpoint, EthSigner flashbotsSigner, TimeSpan timeout, long maxResponseBytes = 4 * 1024 * 1024)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        var options = new JsonRpcOptions { RequestTimeout = timeout, MaxAttempts = 1, MaxResponseBytes = maxResponseBytes, ConnectTimeout = timeout };
        _client = JsonRpcClient.ForHttp(endpoint.Url, options, new FlashbotsRequestSigner(flashbotsSigner));
    }

    public RelayEndpoint Endpoint { get; }

    public string Name => Endpoint.Name;

    public RelayStats Stats { get; } = new();

    public async Task<RpcResult<CallBundleResult>> CallBundleAsync(IReadOnlyList<string> txs, ulong blockNumber, CancellationToken cancellationToken = default)
    {
        byte[] body = RpcParams.Build(w =>
        {
            w.WriteStartObject();
            WriteTxs(w, txs);
            w.WriteString("blockNumber", RpcParams.Quantity(blockNumber));
            w.WriteString("stateBlockNumber", "latest");
            w.WriteEndObject();
        });
        long start = Stopwatch.GetTimestamp();
        RpcResult<CallBundleResult> result = await _client.CallAsync("eth_callBundle", body, RelayJson.ParseCallBundle, retry: false, cancellationToken).ConfigureAwait(false);
        Stats.Latency(Stopwatch.GetTimestamp() - start);
        if (result.IsOk)
        {
            Stats.Simulated(result.Value.Succeeded);
        }
        else if (result.Error!.Kind == RpcErrorKind.Node)
        {
            // A relay that answers with an error object refused or failed the simulation.
            Stats.Simulated(false);
        }
        else
        {
            Stats.Error();
        }

        return result;
    }

    public async Task<RpcResult<string>> SendBundleAsync(IReadOnlyList<string> txs, ulong blockNumber, string replacementUuid, CancellationToken cancellationToken = default)
    {
        byte[] body = RpcParams.Build(w =>
        {
            w.WriteStartObject();
            WriteTxs(w, txs);
            w.WriteString("blockNumber", RpcParams.Quantity(blockNumber));
            w.WriteString("replacementUuid", replacementUuid);
            w.WriteEndObject();
        });
        RpcResult<string> result = await _client.CallAsync("eth_sendBundle", body, RelayJson.ParseBundleHash, retry: false, cancellationToken).ConfigureAwait(false);
        if (result.IsOk)
        {
            Stats.SentOne();
        }
        else
        {
            Stats.Error();
        }

        return result;
    }

    public Task<RpcResult<JsonElementOrNothing>> CancelBundleAsync(string replacementUuid, CancellationToken cancellationToken = default) =>
        _client.CallAsync("eth_cancelBundle", RpcParams.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("replacementUuid", replacementUuid);
            w.WriteEndObject();
        }), _ => RpcResult<JsonElementOrNothing>.Ok(default), retry: false, cancellationToken);

    public Task<RpcResult<string>> SendPrivateTransactionAsync(string tx, ulong maxBlockNumber, CancellationToken cancellationToken = default) =>
        _client.CallAsync("eth_sendPrivateTransaction", RpcParams.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("tx", tx);
            w.WriteString("maxBlockNumber", RpcParams.Quantity(maxBlockNumber));
            w.WriteEndObject();
        }), RelayJson.ParseTxHash, retry: false, cancellationToken);

    public Task<RpcResult<bool>> CancelPrivateTransactionAsync(string txHash, CancellationToken cancellationToken = default) =>
        _client.CallAsync("eth_cancelPrivateTransaction", RpcParams.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("txHash", txHash);
            w.WriteEndObject();
        }), RelayJson.ParseBool, retry: false, cancellationToken);

    public Task<RpcResult<BundleStats>> GetBundleStatsV2Async(string bundleHash, ulong blockNumber, CancellationToken cancellationToken = default) =>
        _client.CallAsync("flashbots_getBundleStatsV2", RpcParams.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("bundleHash", bundleHash);
            w.WriteString("blockNumber", RpcParams.Quantity(blockNumber));
            w.WriteEndObject();
        }), RelayJson.ParseBundleStats, retry: false, cancellationToken);

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private static void WriteTxs(System.Text.Json.Utf8JsonWriter w, IReadOnlyList<string> txs)
    {
        w.WriteStartArray("txs");
        foreach (string tx in txs)
        {
            w.WriteStringValue(tx);
        }

        w.WriteEndArray();
    }
}

/// <summary>An answer whose content is not used (eth_cancelBundle's result differs between relays).</summary>
public readonly record struct JsonElementOrNothing;
