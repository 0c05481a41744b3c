using System.Text.Json;
using LowLatency.Adapters.Ethereum.JsonRpc;

namespace LowLatency.Adapters.Ethereum.Tests.JsonRpc;

public sealed class JsonRpcWsTests
{
    private const string Head = """
        {"number":"0x1b4","hash":"0x1111111111111111111111111111111111111111111111111111111111111111",
         "parentHash":"0x2222222222222222222222222222222222222222222222222222222222222222","timestamp":"0x64",
         "gasLimit":"0x1c9c380","gasUsed":"0x0","baseFeePerGas":"0x7","miner":"0x0000000000000000000000000000000000000000"}
        """;

    private static readonly JsonRpcOptions s_fast = new()
    {
        RequestTimeout = TimeSpan.FromMilliseconds(500),
        MaxAttempts = 3,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        ConnectTimeout = TimeSpan.FromSeconds(2),
    };

    private static FakeAnswer Node(string req, ref int subscriptions)
    {
        using var doc = JsonDocument.Parse(req);
        if (doc.RootElement.ValueKind == JsonValueKind.Array)
        {
            var parts = doc.RootElement.EnumerateArray().Select(e => FakeRpcServer.Result(e.GetRawText(), "\"0x1\""));
            return new(200, "[" + string.Join(",", parts) + "]");
        }

        return FakeRpcServer.Method(req) switch
        {
            "eth_subscribe" => new(200, FakeRpcServer.Result(req, "\"0xsub" + Interlocked.Increment(ref subscriptions) + "\"")),
            "eth_unsubscribe" => new(200, FakeRpcServer.Result(req, "true")),
            "eth_chainId" => new(200, FakeRpcServer.Result(req, "\"0x7a69\"")),
            "eth_blockNumber" => new(200, "not json at all"),
            _ => new(200, null),
        };
    }

    [Fact]
    public async Task Calls_batches_and_bad_answers_over_ws()
    {
        var subs = 0;
        await using var server = new FakeRpcServer(req => Node(req, ref subs));
        var connected = await JsonRpcClient.ConnectWsAsync(server.WsUrl, s_fast);
        Assert.True(connected.IsOk, connected.ToString());
        await using var client = connected.Value;

        var chainId = await client.ChainIdAsync();
        Assert.Equal(31337UL, chainId.Value);

        var batch = await client.BatchAsync([new RpcCall("eth_chainId"), new RpcCall("eth_gasPrice")]);
        Assert.All(batch, r => Assert.Equal("0x1", r.Value.GetString()));

        // Garbage never matches the request: the call times out (retried), as a value.
        var garbage = await client.BlockNumberAsync();
        Assert.Equal(RpcErrorKind.Timeout, garbage.Error!.Kind);
        Assert.True(((WsJsonRpcTransport)client.Transport).UnmatchedMessages >= 1);

        var silent = await client.GasPriceAsync();
        Assert.Equal(RpcErrorKind.Timeout, silent.Error!.Kind);
    }

    [Fact]
    public async Task NewHeads_are_delivered_then_resubscribed_after_the_connection_drops()
    {
        var subs = 0;
        await using var server = new FakeRpcServer(req => Node(req, ref subs));
        var connected = await JsonRpcClient.ConnectWsAsync(server.WsUrl, s_fast);
        await using var client = connected.Value;
        var subscribed = await client.SubscribeNewHeadsAsync();
        Assert.True(subscribed.IsOk, subscribed.ToString());
        var heads = subscribed.Value;
        Assert.Equal("0xsub1", heads.ServerId);

        await server.PushAsync("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0xsub1\",\"result\":" + Head + "}}");
        await server.PushAsync("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0xsub1\",\"result\":{\"number\":\"bad\"}}}");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var head = await heads.Reader.ReadAsync(cts.Token);
        Assert.Equal(436UL, head.Number);
        Assert.Equal(new UInt256(7), head.BaseFeePerGas);

        server.AbortWebSockets();
        while (heads.ServerId != "0xsub2")
        {
            await Task.Delay(20, cts.Token);
        }

        Assert.Equal(1, heads.ResubscribeCount);
        Assert.Equal(2, server.WsConnections);
        Assert.Equal(1, ((WsJsonRpcTransport)client.Transport).ReconnectCount);
        await server.PushAsync("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0xsub2\",\"result\":" + Head.Replace("0x1b4", "0x1b5", StringComparison.Ordinal) + "}}");
        head = await heads.Reader.ReadAsync(cts.Token);
        Assert.Equal(437UL, head.Number);
        Assert.Equal(1, heads.Malformed);

        var unsubscribed = await heads.UnsubscribeAsync();
        Assert.True(unsubscribed.IsOk, unsubscribed.ToString());
        Assert.Contains(server.Received, m => m.Contains("eth_unsubscribe", StringComparison.Ordinal) && m.Contains("0xsub2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_to_nothing_is_an_error_value()
    {
        var server = new FakeRpcServer(_ => new(200, null));
        var url = server.WsUrl;
        await server.DisposeAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var connected = await JsonRpcClient.ConnectWsAsync(url, s_fast, cts.Token);
        Assert.False(connected.IsOk);
        Assert.Equal(RpcErrorKind.Cancelled, connected.Error.Kind);
    }
}
