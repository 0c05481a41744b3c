using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Flashbots;
using LowLatency.Adapters.Ethereum.JsonRpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LowLatency.Adapters.Flashbots.Loopback;

/// <summary>What the loopback relay does to its next answers (tests of the client's bad-input handling).</summary>
public enum RelayFault
{
    None,

    /// <summary>HTTP 503 with a short text body.</summary>
    ServerError,

    /// <summary>An HTML 502 page, as a proxy in front of a dead relay gives.</summary>
    Html,

    /// <summary>JSON cut off in the middle.</summary>
    Truncated,

    /// <summary>A JSON-RPC error object.</summary>
    ErrorObject,

    /// <summary>A well-formed answer with another request's id.</summary>
    WrongId,

    /// <summary>A 50 MB body.</summary>
    HugeBody,

    /// <summary>Answers only after <see cref="LoopbackRelay.SlowDelay"/>.</summary>
    Slow,
}

/// <summary>
/// A Flashbots-style relay on loopback (Kestrel) over an anvil node, for tests and <c>demo flashloan</c>. It checks
/// <c>X-Flashbots-Signature</c> over the exact body (401 otherwise), answers <c>eth_callBundle</c> by running the bundle
/// on anvil (evm_snapshot → send → evm_mine → receipts and balances → evm_revert) with the relays' fields, and on
/// <c>eth_sendBundle</c> produces the target block itself (anvil runs with automine off): the bundle first, or an empty
/// block, or a competitor's transaction, as told. <c>eth_sendPrivateTransaction</c> lands in the next block unless
/// held; <c>eth_cancelPrivateTransaction</c> drops a held one.
/// </summary>
public sealed class LoopbackRelay : IAsyncDisposable
{
    private readonly JsonRpcClient _node;
    private readonly Address _coinbase;
    // One chain, one simulator at a time: relays over the same node share the lock (a snapshot must not interleave).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonRpcClient, SemaphoreSlim> s_chainLocks = new();
    private readonly SemaphoreSlim _chainLock;
    private readonly List<(string Uuid, ulong Block, string[] Txs)> _bundles = [];
    private readonly Dictionary<string, string> _heldPrivate = new(StringComparer.OrdinalIgnoreCase);
    private WebApplication? _app;

    private LoopbackRelay(JsonRpcClient node, Address coinbase)
    {
        _node = node;
        _coinbase = coinbase;
        _chainLock = s_chainLocks.GetValue(node, _ => new SemaphoreSlim(1, 1));
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>The fault applied to the next <see cref="FaultCount"/> requests.</summary>
    public RelayFault Fault { get; set; }

    public int FaultCount { get; set; }

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The next this many target blocks are produced without the bundle (an empty block).</summary>
    public int MissNextTargets { get; set; }

    /// <summary>
    /// How long an <c>eth_sendBundle</c> whose target block was produced without the bundle waits before it answers: the
    /// block's head reaches the node's subscribers while the sender still has the bundle out (zero: at once).
    /// </summary>
    public TimeSpan MissedAnswerDelay { get; set; }

    /// <summary>The next target block is taken by a competitor's transaction (sent by this signer) instead of the bundle.</summary>
    public EthSigner? Competitor { get; set; }

    /// <summary>The next bundle this relay includes can be reorged out with <see cref="ReorgAsync"/> (a snapshot is taken
    /// before its block).</summary>
    public bool ReorgableNextInclusion { get; set; }

    /// <summary>Private transactions are held (not mined) until cancelled or mined with <see cref="MineAsync"/>.</summary>
    public bool HoldPrivate { get; set; }

    public int Simulations { get; private set; }

    public int SignatureRejections { get; private set; }

    public int CancelledBundles { get; private set; }

    public IReadOnlyList<(string Uuid, ulong Block, string[] Txs)> SentBundles => _bundles;

    /// <summary>
    /// Runs <paramref name="read"/> while no relay over this node simulates or produces a block: a simulation mines a
    /// block and reverts it, so a reader of the node in between would see a head and a state that never were.
    /// </summary>
    public async Task<T> ReadChainAsync<T>(Func<Task<T>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        await _chainLock.WaitAsync();
        try
        {
            return await read();
        }
        finally
        {
            _chainLock.Release();
        }
    }

    public IReadOnlyList<ulong> IncludedBlocks => _included;

    private readonly List<ulong> _included = [];

    /// <summary>Starts on 127.0.0.1 (a free port) over <paramref name="node"/>; turns anvil's automine off.</summary>
    public static async Task<LoopbackRelay> StartAsync(JsonRpcClient node, Address coinbase)
    {
        var relay = new LoopbackRelay(node, coinbase);
        RpcResult<JsonElement> automine = await node.CallAsync("evm_setAutomine", "[false]"u8.ToArray());
        RpcResult<JsonElement> setCoinbase = await node.CallAsync("anvil_setCoinbase", RpcParams.Strings(coinbase.ToString()));
        if (!automine.IsOk || !setCoinbase.IsOk)
        {
            throw new InvalidOperationException("anvil refused the relay's set-up: " + (automine.Error ?? setCoinbase.Error));
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = 1 << 20;
        });
        relay._app = builder.Build();
        relay._app.MapPost("/", relay.HandleAsync);
        await relay._app.StartAsync();
        string address = relay._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        relay.Url = new Uri(address + "/");
        return relay;
    }

    /// <summary>Stops listening (the relay is then "down": connections are refused).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>Mines one block with whatever is pending (held private transactions included).</summary>
    public async Task MineAsync()
    {
        await _chainLock.WaitAsync();
        try
        {
            foreach (string tx in _heldPrivate.Values)
            {
                await _node.CallAsync("eth_sendRawTransaction", RpcParams.Strings(tx));
            }

            _heldPrivate.Clear();
            await _node.CallAsync("evm_mine", RpcParams.Empty);
        }
        finally
        {
            _chainLock.Release();
        }
    }

    /// <summary>
    /// The reorg fault: the chain goes back to before the block that included the reorgable bundle and a longer chain
    /// without it replaces it (one block more than it removed). Returns false when no inclusion was reorgable.
    /// </summary>
    public async Task<bool> ReorgAsync()
    {
        await _chainLock.WaitAsync();
        try
        {
            if (_reorgSnapshot is not { } snapshot)
            {
                return false;
            }

            _reorgSnapshot = null;
            RpcResult<ulong> head = await _node.BlockNumberAsync();
            RpcResult<JsonElement> reverted = await _node.CallAsync("evm_revert", RpcParams.Strings(snapshot.Id));
            if (!head.IsOk || !reverted.IsOk)
            {
                return false;
            }

            // A winning chain does not carry the bundle: nothing of it stays pending either.
            await _node.CallAsync("anvil_dropAllTransactions", RpcParams.Empty);
            for (ulong b = snapshot.Before; b <= head.Value; b++)
            {
                await _node.CallAsync("evm_mine", RpcParams.Empty);
            }

            _included.Remove(snapshot.Before + 1);
            return true;
        }
        finally
        {
            _chainLock.Release();
        }
    }

    private (string Id, ulong Before)? _reorgSnapshot;

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        byte[] body = buffer.ToArray();
        string? header = context.Request.Headers[FlashbotsAuth.HeaderName];
        if (!FlashbotsAuth.TryVerify(header, body, out _))
        {
            SignatureRejections++;
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("{\"error\":\"invalid X-Flashbots-Signature\"}");
            return;
        }

        long id;
        string method;
        JsonElement param;
        using JsonDocument request = JsonDocument.Parse(body);
        try
        {
            id = request.RootElement.GetProperty("id").GetInt64();
            method = request.RootElement.GetProperty("method").GetString() ?? "";
            param = request.RootElement.GetProperty("params")[0];
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or FormatException)
        {
            context.Response.StatusCode = 400;
            return;
        }

        if (Fault != RelayFault.None && FaultCount > 0)
        {
            FaultCount--;
            if (await WriteFaultAsync(context, id))
            {
                return;
            }
        }

        string result = method switch
        {
            "eth_callBundle" => await CallBundleAsync(param),
            "eth_sendBundle" => await SendBundleAsync(param),
            "eth_cancelBundle" => CancelBundle(param),
            "eth_sendPrivateTransaction" => await SendPrivateAsync(param),
            "eth_cancelPrivateTransaction" => CancelPrivate(param),
            "flashbots_getBundleStatsV2" => "{\"isSimulated\":true,\"isHighPriority\":true,\"simulatedAt\":\"2022-10-06T21:36:06.317Z\",\"receivedAt\":\"2022-10-06T21:36:06.250Z\"}",
            _ => "",
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(result.Length == 0
            ? "{\"jsonrpc\":\"2.0\",\"id\":" + id.ToString(CultureInfo.InvariantCulture) + ",\"error\":{\"code\":-32601,\"message\":\"method not found\"}}"
            : result.StartsWith("{\"error\"", StringComparison.Ordinal)
                ? "{\"jsonrpc\":\"2.0\",\"id\":" + id.ToString(CultureInfo.InvariantCulture) + "," + result[1..^1] + "}"
                : "{\"jsonrpc\":\"2.0\",\"id\":\"" + id.ToString(CultureInfo.InvariantCulture) + "\",\"result\":" + result + "}");
    }

    /// <summary>Writes the fault's answer; false for <see cref="RelayFault.Slow"/>, which then answers normally.</summary>
    private async Task<bool> WriteFaultAsync(HttpContext context, long id)
    {
        HttpResponse r = context.Response;
        switch (Fault)
        {
            case RelayFault.ServerError:
                r.StatusCode = 503;
                await r.WriteAsync("upstream unavailable");
                return true;
            case RelayFault.Html:
                r.StatusCode = 502;
                r.ContentType = "text/html";
                await r.WriteAsync("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>");
                return true;
            case RelayFault.Truncated:
                r.ContentType = "application/json";
                await r.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":" + id.ToString(CultureInfo.InvariantCulture) + ",\"result\":{\"bundleGasPrice\":\"47619");
                return true;
            case RelayFault.ErrorObject:
                r.ContentType = "application/json";
                await r.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":" + id.ToString(CultureInfo.InvariantCulture) + ",\"error\":{\"code\":-32000,\"message\":\"bundle simulation failed: nonce too low\"}}");
                return true;
            case RelayFault.WrongId:
                r.ContentType = "application/json";
                await r.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":" + (id + 1000).ToString(CultureInfo.InvariantCulture) + ",\"result\":{\"bundleHash\":\"0x" + new string('a', 64) + "\"}}");
                return true;
            case RelayFault.HugeBody:
                r.ContentType = "application/json";
                byte[] chunk = Encoding.ASCII.GetBytes(new string(' ', 1 << 20));
                await r.Body.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\""u8.ToArray());
                for (int i = 0; i < 50; i++)
                {
                    await r.Body.WriteAsync(chunk, context.RequestAborted);
                }

                return true;
            case RelayFault.Slow:
                await Task.Delay(SlowDelay, context.RequestAborted);
                return false;
            default:
                return false;
        }
    }

    private static string[] Txs(JsonElement param) =>
        param.GetProperty("txs").EnumerateArray().Select(t => t.GetString() ?? "").ToArray();

    private async Task<string> CallBundleAsync(JsonElement param)
    {
        string[] txs = Txs(param);
        await _chainLock.WaitAsync();
        try
        {
            Simulations++;
            RpcResult<JsonElement> snapshot = await _node.CallAsync("evm_snapshot", RpcParams.Empty);
            RpcResult<ulong> state = await _node.BlockNumberAsync();
            RpcResult<UInt256> before = await _node.GetBalanceAsync(_coinbase, BlockTag.Latest);
            var hashes = new List<(byte[] Hash, string? Error)>();
            foreach (string tx in txs)
            {
                RpcResult<byte[]> sent = await _node.SendRawTransactionAsync(Hex.Decode(tx));
                hashes.Add(sent.IsOk ? (sent.Value, null) : (Keccak256.Hash(Hex.Decode(tx)), sent.Error!.Message));
            }

            await _node.CallAsync("evm_mine", RpcParams.Empty);
            RpcResult<Block?> block = await _node.GetBlockByNumberAsync(BlockTag.Latest);
            UInt256 baseFee = block.IsOk && block.Value is { } b ? b.Header.BaseFeePerGas ?? UInt256.Zero : UInt256.Zero;
            RpcResult<UInt256> after = await _node.GetBalanceAsync(_coinbase, BlockTag.Latest);
            var results = new StringBuilder();
            UInt256 totalFees = UInt256.Zero;
            UInt256 totalTips = UInt256.Zero;
            ulong totalGas = 0;
            foreach ((byte[] hash, string? error) in hashes)
            {
                RpcResult<TransactionReceipt?> receipt = await _node.GetTransactionReceiptAsync(hash);
                TransactionReceipt? rc = receipt.IsOk ? receipt.Value : null;
                ulong gas = rc?.GasUsed ?? 0;
                UInt256 price = rc?.EffectiveGasPrice ?? UInt256.Zero;
                UInt256 fees = price * gas;
                UInt256 tips = (price > baseFee ? price - baseFee : UInt256.Zero) * gas;
                totalFees += fees;
                totalTips += tips;
                totalGas += gas;
                string? failure = error ?? (rc is null ? "not mined" : rc.Succeeded ? null : "execution reverted");
                results.Append(results.Length == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                    $"{{\"txHash\":\"{Hex.Encode(hash)}\",\"gasUsed\":{gas},\"gasPrice\":\"{price}\",\"gasFees\":\"{fees}\",\"fromAddress\":\"{rc?.From}\",\"toAddress\":\"{rc?.To}\",\"value\":\"0x\"");
                if (failure is not null)
                {
                    results.Append(",\"error\":").Append(JsonSerializer.Serialize(failure));
                }

                results.Append(CultureInfo.InvariantCulture, $",\"coinbaseDiff\":\"{tips}\",\"ethSentToCoinbase\":\"0\"}}");
            }

            UInt256 diff = after.IsOk && before.IsOk && after.Value >= before.Value ? after.Value - before.Value : UInt256.Zero;
            UInt256 sentToCoinbase = diff > totalTips ? diff - totalTips : UInt256.Zero;
            if (snapshot.IsOk)
            {
                await _node.CallAsync("evm_revert", RpcParams.Strings(snapshot.Value.GetString()!));
            }

            UInt256 bundleGasPrice = totalGas == 0 ? UInt256.Zero : diff / totalGas;
            return string.Create(CultureInfo.InvariantCulture,
                $"{{\"bundleGasPrice\":\"{bundleGasPrice}\",\"bundleHash\":\"{BundleHash(txs)}\",\"coinbaseDiff\":\"{diff}\",\"ethSentToCoinbase\":\"{sentToCoinbase}\",\"gasFees\":\"{totalFees}\",\"results\":[{results}],\"stateBlockNumber\":{(state.IsOk ? state.Value : 0)},\"totalGasUsed\":{totalGas}}}");
        }
        finally
        {
            _chainLock.Release();
        }
    }

    private async Task<string> SendBundleAsync(JsonElement param)
    {
        string[] txs = Txs(param);
        if (!UInt256.TryParse(param.GetProperty("blockNumber").GetString(), out UInt256 targetWord) || !targetWord.FitsInUInt64)
        {
            return "{\"error\":{\"code\":-32602,\"message\":\"blockNumber is not a quantity\"}}";
        }

        ulong target = targetWord.U0;
        string uuid = param.TryGetProperty("replacementUuid", out JsonElement u) ? u.GetString() ?? "" : "";
        bool missed = false;
        await _chainLock.WaitAsync();
        try
        {
            _bundles.Add((uuid, target, txs));
            RpcResult<ulong> head = await _node.BlockNumberAsync();
            if (head.IsOk && head.Value < target)
            {
                for (ulong b = head.Value + 1; b < target; b++)
                {
                    await _node.CallAsync("evm_mine", RpcParams.Empty);
                }

                if (MissNextTargets > 0)
                {
                    MissNextTargets--;
                    missed = true;
                }
                else if (Competitor is { } competitor)
                {
                    Competitor = null;
                    await SendCompetitorAsync(competitor);
                }
                else
                {
                    if (ReorgableNextInclusion)
                    {
                        ReorgableNextInclusion = false;
                        RpcResult<JsonElement> snapshot = await _node.CallAsync("evm_snapshot", RpcParams.Empty);
                        _reorgSnapshot = snapshot.IsOk ? (snapshot.Value.GetString()!, target - 1) : null;
                    }

                    foreach (string tx in txs)
                    {
                        await _node.CallAsync("eth_sendRawTransaction", RpcParams.Strings(tx));
                    }

                    _included.Add(target);
                }

                await _node.CallAsync("evm_mine", RpcParams.Empty);
            }
        }
        finally
        {
            _chainLock.Release();
        }

        if (missed && MissedAnswerDelay > TimeSpan.Zero)
        {
            await Task.Delay(MissedAnswerDelay);
        }

        return "{\"bundleHash\":\"" + BundleHash(txs) + "\"}";
    }

    private async Task SendCompetitorAsync(EthSigner competitor)
    {
        RpcResult<ulong> nonce = await _node.GetTransactionCountAsync(competitor.Address, BlockTag.Pending);
        RpcResult<ulong> chainId = await _node.ChainIdAsync();
        var tx = new Ethereum.Transactions.Transaction
        {
            Type = Ethereum.Transactions.TxType.DynamicFee,
            ChainId = chainId.IsOk ? chainId.Value : 31337UL,
            Nonce = nonce.IsOk ? nonce.Value : 0,
            GasLimit = 21_000,
            MaxFeePerGas = 100_000_000_000UL,
            MaxPriorityFeePerGas = 2_000_000_000UL,
            To = competitor.Address,
        };
        await _node.SendRawTransactionAsync(Ethereum.Transactions.TransactionSigner.Sign(tx, competitor).EncodeSigned());
    }

    private string CancelBundle(JsonElement param)
    {
        string uuid = param.TryGetProperty("replacementUuid", out JsonElement u) ? u.GetString() ?? "" : "";
        CancelledBundles++;
        _bundles.RemoveAll(b => b.Uuid == uuid && b.Block > 0 && !_included.Contains(b.Block));
        return "null";
    }

    private async Task<string> SendPrivateAsync(JsonElement param)
    {
        string tx = param.GetProperty("tx").GetString() ?? "";
        string hash = Hex.Encode(Keccak256.Hash(Hex.Decode(tx)));
        if (HoldPrivate)
        {
            _heldPrivate[hash] = tx;
        }
        else
        {
            await _chainLock.WaitAsync();
            try
            {
                await _node.CallAsync("eth_sendRawTransaction", RpcParams.Strings(tx));
                await _node.CallAsync("evm_mine", RpcParams.Empty);
            }
            finally
            {
                _chainLock.Release();
            }
        }

        return "\"" + hash + "\"";
    }

    private string CancelPrivate(JsonElement param)
    {
        string hash = param.TryGetProperty("txHash", out JsonElement h) ? h.GetString() ?? "" : "";
        return _heldPrivate.Remove(hash) ? "true" : "false";
    }

    private static string BundleHash(string[] txs)
    {
        var all = new byte[32 * txs.Length];
        for (int i = 0; i < txs.Length; i++)
        {
            Keccak256.Hash(Hex.Decode(txs[i]), all.AsSpan(32 * i, 32));
        }

        return Hex.Encode(Keccak256.Hash(all));
    }
}
