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

    // Answered calls get a timeout no loaded CI box reaches (a slow answer must not become a retry); only calls the
    // fake node never answers use the short one.
    private static readonly JsonRpcOptions s_fast = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(60),
        MaxAttempts = 3,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        ConnectTimeout = TimeSpan.FromSeconds(60),
    };

    private static readonly JsonRpcOptions s_neverAnswered = new()
    {
        RequestTimeout = TimeSpan.FromMilliseconds(300),
        MaxAttempts = 3,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        ConnectTimeout = TimeSpan.FromSeconds(60),
    };

    // Guards awaits on events that always come, so a regression fails the test instead of hanging it.
    private static readonly TimeSpan s_guard = TimeSpan.FromMinutes(1);

    private const string Garbage = "not json at all";

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
            "eth_blockNumber" => new(200, Garbage),
            "eth_getBalance" => new(200, FakeRpcServer.Result(req, "\"0x5\""), Preamble: Garbage),
            _ => new(200, null),
        };
    }

    private static string Notification(string subscription, string result) =>
        "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"" + subscription + "\",\"result\":" + result + "}}";

    [Fact]
    public async Task Calls_batches_and_bad_answers_over_ws()
    {
        var subs = 0;
        await using var server = new FakeRpcServer(req => Node(req, ref subs));
        var connected = await JsonRpcClient.ConnectWsAsync(server.WsUrl, s_fast).WaitAsync(s_guard);
        Assert.True(connected.IsOk, connected.ToString());
        await using var client = connected.Value;

        var chainId = await client.ChainIdAsync().WaitAsync(s_guard);
        Assert.Equal(31337UL, chainId.Value);

        var batch = await client.BatchAsync([new RpcCall("eth_chainId"), new RpcCall("eth_gasPrice")]).WaitAsync(s_guard);
        Assert.All(batch, r => Assert.Equal("0x1", r.Value.GetString()));

        // Garbage before the answer is counted and skipped; the answer behind it on the same socket still lands.
        var balance = await client.GetBalanceAsync(Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), BlockTag.Latest).WaitAsync(s_guard);
        Assert.True(balance.IsOk, balance.ToString());
        Assert.Equal(new UInt256(5), balance.Value);
        Assert.Equal(1, ((WsJsonRpcTransport)client.Transport).UnmatchedMessages);
        Assert.Equal(0, client.RetryCount);
    }

    [Fact]
    public async Task Garbage_or_silence_times_out_as_a_value_after_the_retries()
    {
        var subs = 0;
        await using var server = new FakeRpcServer(req => Node(req, ref subs));
        var connected = await JsonRpcClient.ConnectWsAsync(server.WsUrl, s_neverAnswered).WaitAsync(s_guard);
        Assert.True(connected.IsOk, connected.ToString());
        await using var client = connected.Value;

        // Garbage never matches the request: the call times out (retried), as a value.
        var garbage = await client.BlockNumberAsync().WaitAsync(s_guard);
        Assert.Equal(RpcErrorKind.Timeout, garbage.Error!.Kind);
        Assert.Equal(2, client.RetryCount);

        var silent = await client.GasPriceAsync().WaitAsync(s_guard);
        Assert.Equal(RpcErrorKind.Timeout, silent.Error!.Kind);
        Assert.Equal(4, client.RetryCount);
    }

    [Fact]
    public async Task NewHeads_are_delivered_then_resubscribed_after_the_connection_drops()
    {
        var subs = 0;
        using var cts = new CancellationTokenSource(s_guard);
        await using var server = new FakeRpcServer(req => Node(req, ref subs));
        var connected = await JsonRpcClient.ConnectWsAsync(server.WsUrl, s_fast, cts.Token);
        Assert.True(connected.IsOk, connected.ToString());
        await using var client = connected.Value;
        var subscribed = await client.SubscribeNewHeadsAsync(cts.Token);
        Assert.True(subscribed.IsOk, subscribed.ToString());
        var heads = subscribed.Value;
        Assert.Equal("0xsub1", heads.ServerId);

        // The read loop handles messages in order: once the head after the malformed one is read, that one was counted.
        await server.PushAsync(Notification("0xsub1", Head));
        await server.PushAsync(Notification("0xsub1", "{\"number\":\"bad\"}"));
        await server.PushAsync(Notification("0xsub1", Head.Replace("0x1b4", "0x1b6", StringComparison.Ordinal)));
        var head = await heads.Reader.ReadAsync(cts.Token);
        Assert.Equal(436UL, head.Number);
        Assert.Equal(new UInt256(7), head.BaseFeePerGas);
        Assert.Equal(438UL, (await heads.Reader.ReadAsync(cts.Token)).Number);
        Assert.Equal(1, heads.Malformed);

        // After the drop the client reconnects and resubscribes; once the node has answered that eth_subscribe, a
        // notification for the new id sent on the same socket arrives after the answer, so it is delivered.
        server.AbortWebSockets();
        await server.AnsweredAsync(a => a.Contains("\"0xsub2\"", StringComparison.Ordinal), cts.Token);
        await server.PushAsync(Notification("0xsub2", Head.Replace("0x1b4", "0x1b5", StringComparison.Ordinal)));
        head = await heads.Reader.ReadAsync(cts.Token);
        Assert.Equal(437UL, head.Number);
        Assert.Equal("0xsub2", heads.ServerId);
        Assert.Equal(1, heads.ResubscribeCount);
        Assert.Equal(2, server.WsConnections);
        Assert.Equal(1, ((WsJsonRpcTransport)client.Transport).ReconnectCount);
        Assert.Equal(1, heads.Malformed);

        var unsubscribed = await heads.UnsubscribeAsync(cts.Token);
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
