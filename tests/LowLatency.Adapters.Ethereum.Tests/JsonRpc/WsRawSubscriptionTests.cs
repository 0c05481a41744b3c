using System.Text;
using LowLatency.Adapters.Ethereum.JsonRpc;

namespace LowLatency.Adapters.Ethereum.Tests.JsonRpc;

/// <summary>
/// Raw subscriptions: the notification frame's own bytes reach the handler (also a frame large enough to span pipe
/// segments), while an element subscription on the same socket keeps its document path and answers still match by id.
/// </summary>
public sealed class WsRawSubscriptionTests
{
    private static readonly JsonRpcOptions s_fast = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(5),
        MaxAttempts = 2,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
    };

    [Fact]
    public async Task Raw_frames_arrive_whole_and_element_subscriptions_still_work()
    {
        int subs = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = new FakeRpcServer(req => FakeRpcServer.Method(req) switch
        {
            "eth_subscribe" => new(200, FakeRpcServer.Result(req, Interlocked.Increment(ref subs) == 1 ? "\"0xraw1\"" : "\"0xdoc2\"")),
            "eth_blockNumber" => new(200, FakeRpcServer.Result(req, "\"0x2a\"")),
            _ => new(200, FakeRpcServer.Result(req, "true")),
        });
        RpcResult<JsonRpcClient> connected = await JsonRpcClient.ConnectWsAsync(server.WsUrl, s_fast, cts.Token);
        Assert.True(connected.IsOk, connected.ToString());
        await using JsonRpcClient client = connected.Value;
        var transport = (WsJsonRpcTransport)client.Transport;

        var frames = new System.Collections.Concurrent.BlockingCollection<string>();
        RpcResult<WsSubscription> raw = await transport.SubscribeRawAsync(RpcParams.Strings("logs"), f => frames.Add(Encoding.UTF8.GetString(f)), cts.Token);
        Assert.True(raw.IsOk, raw.ToString());
        Assert.True(raw.Value.IsRaw);
        RpcResult<RpcSubscription<BlockHeader>> heads = await client.SubscribeNewHeadsAsync(cts.Token);
        Assert.True(heads.IsOk, heads.ToString());

        string small = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0xraw1\",\"result\":{\"n\":1}}}";
        string large = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0xraw1\",\"result\":{\"pad\":\"" + new string('a', 40_000) + "\",\"n\":2}}}";
        string head = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0xdoc2\",\"result\":{\"number\":\"0x1b4\",\"hash\":\"0x" + new string('1', 64) +
                      "\",\"parentHash\":\"0x" + new string('2', 64) + "\",\"timestamp\":\"0x1\",\"gasLimit\":\"0x1\",\"gasUsed\":\"0x0\",\"miner\":\"0x" + new string('0', 40) + "\",\"baseFeePerGas\":\"0x7\"}}}";
        await server.PushAsync(small);
        await server.PushAsync(large);
        await server.PushAsync(head);
        Assert.Equal(small, frames.Take(cts.Token));
        Assert.Equal(large, frames.Take(cts.Token));
        Assert.Equal(436UL, (await heads.Value.Reader.ReadAsync(cts.Token)).Number);
        Assert.Equal(42UL, (await client.BlockNumberAsync(cts.Token)).Value);
        Assert.Equal(2, raw.Value.NotificationCount);
        Assert.Equal(0, transport.UnmatchedMessages);
    }
}
