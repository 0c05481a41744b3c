using System.Text.Json;
using LowLatency.Adapters.Ethereum.JsonRpc;

namespace LowLatency.Adapters.Ethereum.Tests.JsonRpc;

public sealed class JsonRpcHttpTests
{
    // Calls the fake node answers get a timeout no loaded CI box reaches, so a slow answer never turns into a retry
    // and changes the counts asserted; only tests of the timeout itself use a short one (the node never answers there).
    private static readonly JsonRpcOptions s_fast = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(60),
        MaxAttempts = 3,
        InitialBackoff = TimeSpan.FromMilliseconds(5),
        MaxBackoff = TimeSpan.FromMilliseconds(20),
    };

    private static readonly JsonRpcOptions s_neverAnswered = new()
    {
        RequestTimeout = TimeSpan.FromMilliseconds(200),
        MaxAttempts = 3,
        InitialBackoff = TimeSpan.FromMilliseconds(5),
        MaxBackoff = TimeSpan.FromMilliseconds(20),
    };

    // Guards awaits on events that always come, so a regression fails the test instead of hanging it.
    private static readonly TimeSpan s_guard = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ChainId_parses_the_quantity()
    {
        await using var server = new FakeRpcServer(req => new(200, FakeRpcServer.Result(req, "\"0x7a69\"")));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var result = await client.ChainIdAsync();
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(31337UL, result.Value);
        Assert.Contains("\"method\":\"eth_chainId\"", server.Received.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_body_is_a_malformed_response_error()
    {
        await using var server = new FakeRpcServer(_ => new(200, "<html>oops</html>"));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var result = await client.BlockNumberAsync();
        Assert.False(result.IsOk);
        Assert.Equal(RpcErrorKind.MalformedResponse, result.Error.Kind);
        Assert.Equal(1, server.Requests); // a definite bad answer is not retried
    }

    [Fact]
    public async Task Node_error_carries_code_message_and_data()
    {
        await using var server = new FakeRpcServer(req => new(200, FakeRpcServer.Error(req, 3, "execution reverted", "\"0x08c379a0\"")));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var result = await client.EthCallAsync(new CallRequest { To = Address.Parse("0x96216849c49358B10257cb55b28eA603c874b05E"), Data = new byte[] { 1, 2 } }, BlockTag.Latest);
        Assert.False(result.IsOk);
        Assert.Equal(RpcErrorKind.Node, result.Error.Kind);
        Assert.Equal(3, result.Error.Code);
        Assert.Equal("execution reverted", result.Error.Message);
        Assert.Equal("\"0x08c379a0\"", result.Error.Data);
        Assert.Equal(1, server.Requests);
        var sent = server.Received.Single();
        Assert.Contains("\"input\":\"0x0102\"", sent, StringComparison.Ordinal);
        Assert.Contains("\"latest\"", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_id_is_a_malformed_response_error()
    {
        await using var server = new FakeRpcServer(_ => new(200, "{\"jsonrpc\":\"2.0\",\"id\":987654,\"result\":\"0x1\"}"));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var result = await client.BlockNumberAsync();
        Assert.False(result.IsOk);
        Assert.Equal(RpcErrorKind.MalformedResponse, result.Error.Kind);
        Assert.Contains("does not match", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_quantity_is_a_malformed_response_error()
    {
        await using var server = new FakeRpcServer(req => new(200, FakeRpcServer.Result(req, "\"0xzz\"")));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var result = await client.GasPriceAsync();
        Assert.False(result.IsOk);
        Assert.Equal(RpcErrorKind.MalformedResponse, result.Error.Kind);
    }

    [Fact]
    public async Task No_answer_times_out_after_the_retries_and_never_hangs()
    {
        await using var server = new FakeRpcServer(_ => new(200, null));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_neverAnswered);
        var result = await client.ChainIdAsync().WaitAsync(s_guard);
        Assert.False(result.IsOk);
        Assert.Equal(RpcErrorKind.Timeout, result.Error.Kind);
        // The client's count: how many of the aborted requests the server had read when each was cut off is timing.
        Assert.Equal(2, client.RetryCount);
    }

    [Fact]
    public async Task Unavailable_node_is_retried_then_answers()
    {
        var calls = 0;
        await using var server = new FakeRpcServer(req =>
            Interlocked.Increment(ref calls) == 1 ? new(503, "busy") : new(200, FakeRpcServer.Result(req, "\"0x10\"")));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var result = await client.BlockNumberAsync();
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(16UL, result.Value);
        Assert.Equal(2, server.Requests);
        Assert.Equal(1, client.RetryCount);
    }

    [Fact]
    public async Task Connection_refused_is_a_transport_error()
    {
        var port = new FakeRpcServer(_ => new(200, "{}"));
        var url = port.HttpUrl;
        await port.DisposeAsync();
        await using var client = JsonRpcClient.ForHttp(url, s_fast);
        var result = await client.ChainIdAsync();
        Assert.False(result.IsOk);
        Assert.Equal(RpcErrorKind.Transport, result.Error.Kind);
    }

    [Fact]
    public async Task Batch_matches_answers_by_id_in_any_order_and_reports_missing_ones()
    {
        await using var server = new FakeRpcServer(body =>
        {
            using var doc = JsonDocument.Parse(body);
            var answers = doc.RootElement.EnumerateArray()
                .Select(e => (Id: e.GetProperty("id").GetInt64(), Method: e.GetProperty("method").GetString()))
                .Where(x => x.Method != "eth_gasPrice") // this one goes missing
                .Reverse()
                .Select(x => "{\"jsonrpc\":\"2.0\",\"id\":" + x.Id + ",\"result\":\"" + (x.Method == "eth_chainId" ? "0x1" : "0x2a") + "\"}");
            return new(200, "[" + string.Join(",", answers) + "]");
        });
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var results = await client.BatchAsync([new RpcCall("eth_chainId"), new RpcCall("eth_blockNumber"), new RpcCall("eth_gasPrice")]);
        Assert.Equal(3, results.Length);
        Assert.Equal(1UL, RpcJson.QuantityUInt64(results[0].Value).Value);
        Assert.Equal(42UL, RpcJson.QuantityUInt64(results[1].Value).Value);
        Assert.False(results[2].IsOk);
        Assert.Equal(RpcErrorKind.MalformedResponse, results[2].Error!.Kind);
        Assert.Equal(1, server.Requests); // one HTTP request for the whole batch
        Assert.StartsWith("[", server.Received.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_rejected_as_a_whole_gives_the_node_error_to_every_call()
    {
        await using var server = new FakeRpcServer(_ => new(200, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"batch too large\"}}"));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var results = await client.BatchAsync([new RpcCall("eth_chainId"), new RpcCall("eth_blockNumber")]);
        Assert.All(results, r =>
        {
            Assert.Equal(RpcErrorKind.Node, r.Error!.Kind);
            Assert.Equal(-32600, r.Error.Code);
        });
    }

    [Fact]
    public async Task SendRawTransaction_is_not_resent_after_a_node_error()
    {
        await using var server = new FakeRpcServer(req => new(200, FakeRpcServer.Error(req, -32000, "nonce too low")));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var result = await client.SendRawTransactionAsync(new byte[] { 0x02, 0xc0 });
        Assert.Equal(RpcErrorKind.Node, result.Error!.Kind);
        Assert.True(result.Error.MessageContains("NONCE TOO LOW"));
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task SendRawTransaction_retry_answered_already_known_returns_the_hash()
    {
        var raw = new byte[] { 0x02, 0xc1, 0x80 };
        var calls = 0;
        await using var server = new FakeRpcServer(req =>
            Interlocked.Increment(ref calls) == 1 ? new(502, "bad gateway") : new(200, FakeRpcServer.Error(req, -32000, "already known")));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var result = await client.SendRawTransactionAsync(raw);
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(Keccak256.Hash(raw), result.Value);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task SendRawTransaction_rejects_a_hash_that_is_not_ours()
    {
        await using var server = new FakeRpcServer(req => new(200, FakeRpcServer.Result(req, "\"0x" + new string('a', 64) + "\"")));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var result = await client.SendRawTransactionAsync(new byte[] { 0x02, 0xc0 });
        Assert.Equal(RpcErrorKind.MalformedResponse, result.Error!.Kind);
    }

    [Fact]
    public async Task Receipt_parses_and_null_means_pending()
    {
        const string receipt = """
            {"transactionHash":"0x1111111111111111111111111111111111111111111111111111111111111111",
             "blockHash":"0x2222222222222222222222222222222222222222222222222222222222222222","blockNumber":"0x5",
             "status":"0x1","gasUsed":"0x5208","cumulativeGasUsed":"0x5208","effectiveGasPrice":"0x3b9aca00",
             "from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","to":null,
             "contractAddress":"0x5fbdb2315678afecb367f032d93f642f64180aa3","type":"0x2",
             "logs":[{"address":"0x5fbdb2315678afecb367f032d93f642f64180aa3",
               "topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"],"data":"0x",
               "blockNumber":"0x5","logIndex":"0x0","removed":false}]}
            """;
        var pending = true;
        await using var server = new FakeRpcServer(req => new(200, FakeRpcServer.Result(req, pending ? "null" : receipt)));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var hash = new byte[32];
        var first = await client.GetTransactionReceiptAsync(hash);
        Assert.True(first.IsOk);
        Assert.Null(first.Value);
        pending = false;
        var second = await client.GetTransactionReceiptAsync(hash);
        Assert.True(second.IsOk, second.ToString());
        var r = second.Value!;
        Assert.True(r.Succeeded);
        Assert.Equal(21000UL, r.GasUsed);
        Assert.Null(r.To);
        Assert.Equal(Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"), r.ContractAddress);
        Assert.Single(r.Logs);
        Assert.Empty(r.Logs[0].Data);
        Assert.Equal(2UL, r.Type);
    }

    [Fact]
    public async Task FeeHistory_parses_rewards()
    {
        await using var server = new FakeRpcServer(req => new(200, FakeRpcServer.Result(req,
            "{\"oldestBlock\":\"0x10\",\"baseFeePerGas\":[\"0x1\",\"0x2\",\"0x3\"],\"gasUsedRatio\":[0.5,0.25],\"reward\":[[\"0x1\"],[\"0x2\"]]}")));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var result = await client.FeeHistoryAsync(2, BlockTag.Latest, [50.0]);
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(16UL, result.Value.OldestBlock);
        Assert.Equal(3, result.Value.BaseFeePerGas.Length);
        Assert.Equal(new UInt256(2), result.Value.Reward[1][0]);
        Assert.Contains("[\"0x2\",\"latest\",[50]]", server.Received.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriptions_over_http_are_an_error_value()
    {
        await using var server = new FakeRpcServer(req => new(200, FakeRpcServer.Result(req, "\"0x1\"")));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var result = await client.SubscribeNewHeadsAsync();
        Assert.Equal(RpcErrorKind.InvalidRequest, result.Error!.Kind);
    }

    [Fact]
    public async Task Caller_cancellation_is_reported_as_cancelled_without_retry()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeRpcServer(_ =>
        {
            received.TrySetResult();
            return new(200, null);
        });
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        using var cts = new CancellationTokenSource();
        var call = client.ChainIdAsync(cts.Token);
        await received.Task.WaitAsync(s_guard); // the request is at the node: cancel while it is in flight
        await cts.CancelAsync();
        var result = await call.WaitAsync(s_guard);
        Assert.Equal(RpcErrorKind.Cancelled, result.Error!.Kind);
        Assert.Equal(0, client.RetryCount);
        Assert.Equal(1, server.Requests);
    }
}
