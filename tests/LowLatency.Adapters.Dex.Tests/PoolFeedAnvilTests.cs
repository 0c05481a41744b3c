using System.Numerics;
using LowLatency.Adapters.Dex.Common;
using LowLatency.Adapters.Dex.Node;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.HotPath.Amm;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;
using Xunit.Abstractions;
using static LowLatency.Testing.Chain.DexChain;

namespace LowLatency.Adapters.Dex.Tests;

/// <summary>
/// Pool state from a real node: v3-core's factory and pool and v2-core's pair (npm bytecode) on anvil, followed over
/// our WebSocket JSON-RPC (snapshot, then logs and newHeads). After seeded random swaps, mints and burns the tracker's
/// state equals the pool's own slot0, liquidity, ticks and getReserves; then a reorg made with evm_snapshot/evm_revert
/// (the chain goes back and grows a different branch) ends in the new branch's state, through a re-snapshot.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PoolFeedAnvilTests : IClassFixture<PoolFeedAnvilTests.Node>
{
    private static readonly AbiFunction s_createPool = AbiFunction.Parse("createPool(address,address,uint24)(address)");
    private static readonly AbiFunction s_getPool = AbiFunction.Parse("getPool(address,address,uint24)(address)");
    private static readonly AbiFunction s_initialize = AbiFunction.Parse("initialize(uint160)");
    private static readonly AbiFunction s_slot0 = AbiFunction.Parse("slot0()(uint160,int24,uint16,uint16,uint16,uint8,bool)");
    private static readonly AbiFunction s_liquidity = AbiFunction.Parse("liquidity()(uint128)");
    private static readonly AbiFunction s_ticks = AbiFunction.Parse("ticks(int24)(uint128,int128,uint256,uint256,int56,uint160,uint32,bool)");
    private static readonly AbiFunction s_transfer = AbiFunction.Parse("transfer(address,uint256)(bool)");
    private static readonly AbiFunction s_mint = AbiFunction.Parse("mint(address,int24,int24,uint128)(uint256,uint256)");
    private static readonly AbiFunction s_burn = AbiFunction.Parse("burn(address,int24,int24,uint128)(uint256,uint256)");
    private static readonly AbiFunction s_swap = AbiFunction.Parse("swap(address,bool,int256,uint160)(int256,int256)");
    private static readonly AbiFunction s_createPair = AbiFunction.Parse("createPair(address,address)(address)");
    private static readonly AbiFunction s_getPair = AbiFunction.Parse("getPair(address,address)(address)");
    private static readonly AbiFunction s_token0 = AbiFunction.Parse("token0()(address)");
    private static readonly AbiFunction s_pairMint = AbiFunction.Parse("mint(address)(uint256)");
    private static readonly AbiFunction s_getReserves = AbiFunction.Parse("getReserves()(uint112,uint112,uint32)");
    private static readonly AbiFunction s_v2Swap = AbiFunction.Parse("v2Swap(address,address,uint256,uint256,uint256)");

    private readonly AnvilFixture _anvil;
    private readonly ITestOutputHelper _output;

    public PoolFeedAnvilTests(Node node, ITestOutputHelper output)
    {
        _anvil = node.Anvil;
        _output = output;
    }

    public sealed class Node : IDisposable
    {
        public AnvilFixture Anvil { get; } = AnvilFixture.StartWith("--gas-limit", "1000000000", "--hardfork", "prague");

        public void Dispose() => Anvil.Dispose();
    }

    private sealed record Setup(Address Caller, Address Pool, Address Pair, Address Token0, Address Token1, List<(int Lower, int Upper)> Positions)
    {
        public List<ulong> V3SwapGas { get; } = [];

        public List<ulong> V2SwapGas { get; } = [];
    }

    [Fact]
    public async Task State_after_swaps_mints_burns_and_a_reorg_equals_the_pools_own()
    {
        await using DexChain chain = await StartAsync(_anvil);
        Setup s = await DeployAsync(chain);

        RpcResult<JsonRpcClient> ws = await JsonRpcClient.ConnectWsAsync(_anvil.WsUrl, AnvilTestKit.Options);
        Assert.True(ws.IsOk, ws.ToString());
        await using JsonRpcClient wsClient = ws.Value;
        var tracker = new DexPoolTracker();
        int v3 = tracker.AddV3Pool(s.Pool, 500, 10);
        int v2 = tracker.AddV2Pool(s.Pair, 30);
        var feed = new DexNodeFeed(wsClient, tracker);
        RpcResult<ulong> started = await feed.StartAsync();
        Assert.True(started.IsOk, started.ToString());

        var rng = new Random(8);
        await RandomOpsAsync(chain, s, rng, 60);
        await CatchUpAndCompareAsync(chain, feed, s, v3, v2, "after 60 operations");
        long snapshotsBefore = feed.Snapshots;
        Assert.True(tracker.Counters.Applied >= 60, tracker.Counters.Applied.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // A reorg: remember the chain, grow it, take it back, grow another branch.
        RpcResult<System.Text.Json.JsonElement> snap = await chain.Client.CallAsync("evm_snapshot", RpcParams.Empty);
        Assert.True(snap.IsOk, snap.ToString());
        await RandomOpsAsync(chain, s, new Random(1), 6);
        await CatchUpAndCompareAsync(chain, feed, s, v3, v2, "on the first branch");
        RpcResult<System.Text.Json.JsonElement> reverted = await chain.Client.CallAsync("evm_revert", RpcParams.Build(w => w.WriteStringValue(snap.Value.GetString())));
        Assert.True(reverted.IsOk && reverted.Value.GetBoolean(), reverted.ToString());
        await chain.ResyncNonceAsync();
        await RandomOpsAsync(chain, s, new Random(2), 4);
        await CatchUpAndCompareAsync(chain, feed, s, v3, v2, "on the second branch");

        // anvil_reorg: the last two blocks are replaced by empty ones (anvil 1.7.1 sends no removed logs; the heads show the fork).
        long rolledBefore = tracker.Counters.RolledBack, reorgsBefore = tracker.Counters.Reorgs;
        await RandomOpsAsync(chain, s, new Random(3), 4);
        await CatchUpAndCompareAsync(chain, feed, s, v3, v2, "before anvil_reorg");
        RpcResult<System.Text.Json.JsonElement> reorg = await chain.Client.CallAsync("anvil_reorg", RpcParams.Build(w =>
        {
            w.WriteNumberValue(2);
            w.WriteStartArray();
            w.WriteEndArray();
        }));
        Assert.True(reorg.IsOk, reorg.ToString());
        await chain.ResyncNonceAsync();
        await CatchUpAndCompareAsync(chain, feed, s, v3, v2, "after anvil_reorg");
        _output.WriteLine($"anvil_reorg: rolled back {tracker.Counters.RolledBack - rolledBefore} logs, reorgs seen in heads {tracker.Counters.Reorgs - reorgsBefore}");
        Assert.True(tracker.Counters.RolledBack > rolledBefore || tracker.Counters.Reorgs > reorgsBefore, "the reorg was noticed");

        TrackerCounters c = tracker.Counters;
        _output.WriteLine($"applied {c.Applied}, rolled back {c.RolledBack}, before snapshot {c.BeforeSnapshot}, out of order {c.OutOfOrder}, " +
                          $"reorgs {c.Reorgs}, head gaps {c.HeadGaps}, snapshots {feed.Snapshots}, ticks {tracker.V3(v3).Ticks.Count}, rejected {c.Rejected}");
        ulong[] v3Gas = [.. s.V3SwapGas.Order()], v2Gas = [.. s.V2SwapGas.Order()];
        _output.WriteLine($"gas used per transaction (21,000 base included), median: V3 swap via the test caller {v3Gas[v3Gas.Length / 2]} ({v3Gas.Length} swaps), V2 swap via the test caller {v2Gas[v2Gas.Length / 2]} ({v2Gas.Length})");
        Assert.True(c.Reorgs + c.OutOfOrder > 0, "the revert was noticed");
        Assert.True(feed.Snapshots > snapshotsBefore, "the reorg re-snapshotted");
        Assert.Equal(0, c.Malformed + c.UnknownTopic + c.UnknownPool);
        await feed.UnsubscribeAsync();
    }

    [Fact]
    public async Task The_quote_verbs_own_price_read_over_http_is_what_each_real_pool_pays()
    {
        // OwnPoolPricer.SnapshotAsync is the `quote` verb's path when a node is configured: batched eth_calls over HTTP.
        await using DexChain chain = await StartAsync(_anvil);
        Setup s = await DeployAsync(chain);
        await RandomOpsAsync(chain, s, new Random(5), 24); // swaps, mints and burns move the pools first
        string t0 = s.Token0.ToString(), t1 = s.Token1.ToString();
        var v3 = new Aggregators.OwnPoolPricer([new Aggregators.OwnPool(s.Pool.ToString(), IsV3: true, 500, t0, t1)]);
        var v2 = new Aggregators.OwnPoolPricer([new Aggregators.OwnPool(s.Pair.ToString(), IsV3: false, 30, t0, t1)]);
        await using JsonRpcClient http = JsonRpcClient.ForHttp(_anvil.HttpUrl);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Null(await v3.SnapshotAsync(http, timeout.Token));
        Assert.Null(await v2.SnapshotAsync(http, timeout.Token));
        RpcResult<Block?> head = await chain.Client.GetBlockByNumberAsync(BlockTag.Latest);
        Assert.Equal(head.Value!.Header.Number, v3.Block);

        BigInteger amount = BigInteger.Pow(10, 17);
        foreach (bool zeroForOne in new[] { true, false })
        {
            (string sell, string buy) = zeroForOne ? (t0, t1) : (t1, t0);

            // V3: the pool's own answer to the same exact input, simulated by eth_call through the test caller.
            Aggregators.OwnQuote ours = v3.Quote(sell, buy, amount);
            Assert.True(ours.IsOk, ours.Error);
            IReadOnlyList<AbiValue> deltas = await chain.ReadAsync(s.Caller, s_swap, A(s.Pool), AbiValue.FromBool(zeroForOne), I(amount), U(V3Pool.DefaultPriceLimit(zeroForOne).ToBigInteger()));
            Assert.Equal(-(zeroForOne ? deltas[1].Integer : deltas[0].Integer), ours.BuyAmount);

            // V2: the pair pays our amount out and refuses one wei more (its K check).
            Aggregators.OwnQuote pairs = v2.Quote(sell, buy, amount);
            Assert.True(pairs.IsOk, pairs.Error);
            Address tokenIn = zeroForOne ? s.Token0 : s.Token1;
            RpcResult<byte[]> paid = await chain.CallAsync(s.Caller, s_v2Swap.EncodeCall(A(s.Pair), A(tokenIn), U(amount), U(zeroForOne ? 0 : pairs.BuyAmount), U(zeroForOne ? pairs.BuyAmount : 0)));
            Assert.True(paid.IsOk, paid.ToString());
            RpcResult<byte[]> greedy = await chain.CallAsync(s.Caller, s_v2Swap.EncodeCall(A(s.Pair), A(tokenIn), U(amount), U(zeroForOne ? 0 : pairs.BuyAmount + 1), U(zeroForOne ? pairs.BuyAmount + 1 : 0)));
            Assert.False(greedy.IsOk, "one wei more than our quote passed the pair's K check");
        }
    }

    private async Task CatchUpAndCompareAsync(DexChain chain, DexNodeFeed feed, Setup s, int v3, int v2, string when)
    {
        // One empty block on top: its head comes after every log of the blocks before it (one socket, the node's order).
        Assert.True((await chain.Client.CallAsync("evm_mine", RpcParams.Empty)).IsOk);
        RpcResult<Block?> block = await chain.Client.GetBlockByNumberAsync(BlockTag.Latest);
        Assert.True(block.IsOk && block.Value is not null);
        ulong latest = block.Value!.Header.Number;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.True(await feed.PumpUntilHeadAsync(latest, timeout.Token, Hash32.FromBytes(block.Value.Header.Hash)), "the feed reached the head " + when);
        DexPoolTracker tracker = feed.Tracker;
        IReadOnlyList<AbiValue> slot0 = await chain.ReadAsync(s.Pool, s_slot0);
        IReadOnlyList<AbiValue> liquidity = await chain.ReadAsync(s.Pool, s_liquidity);
        V3PoolState ours = tracker.V3(v3).State;
        Assert.Equal(slot0[0].Integer, ours.SqrtPriceX96.ToBigInteger());
        Assert.Equal((int)slot0[1].Integer, ours.Tick);
        Assert.Equal(liquidity[0].Integer, (BigInteger)ours.Liquidity);

        V3TickTable ticks = tracker.V3(v3).Ticks;
        int expectedKnown = 0;
        foreach (int t in s.Positions.SelectMany(p => new[] { p.Lower, p.Upper }).Distinct())
        {
            IReadOnlyList<AbiValue> info = await chain.ReadAsync(s.Pool, s_ticks, AbiValue.Int(t));
            bool initialized = info[0].Integer != 0;
            if (Math.Abs(t) < 5000)
            {
                // Inside the snapshot's bitmap words: our table must match the pool's storage.
                Assert.Equal(initialized, ticks.TryGetTick(t, out V3TickInfo mine));
                if (initialized)
                {
                    expectedKnown++;
                    Assert.Equal(info[0].Integer, (BigInteger)mine.LiquidityGross);
                    Assert.Equal(info[1].Integer, (BigInteger)mine.LiquidityNet);
                }
            }
        }

        Assert.Equal(expectedKnown, ticks.Count);
        IReadOnlyList<AbiValue> reserves = await chain.ReadAsync(s.Pair, s_getReserves);
        Assert.Equal(reserves[0].Integer, tracker.V2(v2).Reserve0.ToBigInteger());
        Assert.Equal(reserves[1].Integer, tracker.V2(v2).Reserve1.ToBigInteger());
        _output.WriteLine($"{when}: block {latest}, tick {ours.Tick}, liquidity {ours.Liquidity}, {ticks.Count} initialized ticks known, state equal");
    }

    private static async Task RandomOpsAsync(DexChain chain, Setup s, Random rng, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int kind = rng.Next(10);
            if (kind < 5)
            {
                bool zeroForOne = rng.Next(2) == 0;
                BigInteger amount = new BigInteger(rng.Next(1, 400)) * BigInteger.Pow(10, 15);
                BigInteger specified = rng.Next(3) == 0 ? -amount / 2 : amount;
                TransactionReceipt swapped = await chain.SendAsync(s.Caller, s_swap.EncodeCall(A(s.Pool), AbiValue.FromBool(zeroForOne), I(specified), U(V3Pool.DefaultPriceLimit(zeroForOne).ToBigInteger())));
                Assert.True(swapped.Succeeded);
                s.V3SwapGas.Add(swapped.GasUsed);
            }
            else if (kind < 8)
            {
                IReadOnlyList<AbiValue> r = await chain.ReadAsync(s.Pair, s_getReserves);
                bool zeroIn = rng.Next(2) == 0;
                UInt256 amountIn = (UInt256)(new BigInteger(rng.Next(1, 300)) * BigInteger.Pow(10, 15));
                UInt256 r0 = (UInt256)r[0].Integer, r1 = (UInt256)r[1].Integer;
                Assert.Equal(V2Status.Ok, UniswapV2Math.GetAmountOut(amountIn, zeroIn ? r0 : r1, zeroIn ? r1 : r0, 30, out UInt256 amountOut));
                TransactionReceipt swapped = await chain.SendAsync(s.Caller, s_v2Swap.EncodeCall(A(s.Pair), A(zeroIn ? s.Token0 : s.Token1), U(amountIn.ToBigInteger()),
                    U(zeroIn ? 0 : amountOut.ToBigInteger()), U(zeroIn ? amountOut.ToBigInteger() : 0)));
                Assert.True(swapped.Succeeded);
                s.V2SwapGas.Add(swapped.GasUsed);
            }
            else if (kind == 8)
            {
                int lower = rng.Next(-200, 100) * 10;
                int upper = lower + rng.Next(1, 100) * 10;
                s.Positions.Add((lower, upper));
                Assert.True((await chain.SendAsync(s.Caller, s_mint.EncodeCall(A(s.Pool), I(lower), I(upper), U(BigInteger.Pow(10, 18))))).Succeeded);
            }
            else
            {
                (int lower, int upper) = s.Positions[rng.Next(s.Positions.Count)];
                IReadOnlyList<AbiValue> _ = await chain.ReadAsync(s.Pool, s_ticks, AbiValue.Int(lower));
                Assert.True((await chain.SendAsync(s.Caller, s_burn.EncodeCall(A(s.Pool), I(lower), I(upper), U(BigInteger.Pow(10, 15))))).Succeeded);
            }
        }
    }

    private static async Task<Setup> DeployAsync(DexChain chain)
    {
        byte[] erc20 = Artifact("@uniswap", "v2-core", "build", "ERC20.json");
        UInt256 supply = UInt256.One << 200;
        byte[] supplyArgument = AbiCodec.Encode(AbiType.Parse("(uint256)"), AbiValue.Tuple(AbiValue.UInt(supply)));
        Address tokenA = await chain.DeployAsync(erc20, supplyArgument);
        Address tokenB = await chain.DeployAsync(erc20, supplyArgument);
        Address caller = await chain.DeployAsync(CompileCaller());
        foreach (Address token in new[] { tokenA, tokenB })
        {
            Assert.True((await chain.SendAsync(token, s_transfer.EncodeCall(A(caller), AbiValue.UInt(supply >> 1)))).Succeeded);
        }

        Address factory = await chain.DeployAsync(Artifact("@uniswap", "v3-core", "artifacts", "contracts", "UniswapV3Factory.sol", "UniswapV3Factory.json"));
        Assert.True((await chain.SendAsync(factory, s_createPool.EncodeCall(A(tokenA), A(tokenB), U(500)))).Succeeded);
        Address pool = (await chain.ReadAsync(factory, s_getPool, A(tokenA), A(tokenB), U(500)))[0].AddressValue;
        Assert.True(TickMath.TryGetSqrtRatioAtTick(0, out UInt256 start));
        Assert.True((await chain.SendAsync(pool, s_initialize.EncodeCall(AbiValue.UInt(start + 12345UL)))).Succeeded);
        var positions = new List<(int, int)> { (-887270, 887270) };
        for (int k = 1; k <= 8; k++)
        {
            positions.Add((-120 * k, 90 * k));
        }

        foreach ((int lower, int upper) in positions)
        {
            Assert.True((await chain.SendAsync(caller, s_mint.EncodeCall(A(pool), I(lower), I(upper), U(BigInteger.Pow(10, 19))))).Succeeded);
        }

        Address v2Factory = await chain.DeployAsync(Artifact("@uniswap", "v2-core", "build", "UniswapV2Factory.json"), AbiCodec.Encode(AbiType.Parse("(address)"), AbiValue.Tuple(A(chain.From))));
        Assert.True((await chain.SendAsync(v2Factory, s_createPair.EncodeCall(A(tokenA), A(tokenB)))).Succeeded);
        Address pair = (await chain.ReadAsync(v2Factory, s_getPair, A(tokenA), A(tokenB)))[0].AddressValue;
        Address token0 = (await chain.ReadAsync(pair, s_token0))[0].AddressValue;
        Address token1 = token0 == tokenA ? tokenB : tokenA;
        Assert.True((await chain.SendAsync(tokenA, s_transfer.EncodeCall(A(pair), U(BigInteger.Pow(10, 21))))).Succeeded);
        Assert.True((await chain.SendAsync(tokenB, s_transfer.EncodeCall(A(pair), U(BigInteger.Pow(10, 21) * 2)))).Succeeded);
        Assert.True((await chain.SendAsync(pair, s_pairMint.EncodeCall(A(chain.From)))).Succeeded);
        return new Setup(caller, pool, pair, token0, token1, positions);
    }
}
