using System.Numerics;
using System.Text.Json;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.HotPath.Amm;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;
using Xunit.Abstractions;
using static LowLatency.Testing.Chain.DexChain;

namespace LowLatency.Adapters.Ethereum.Tests.Dex;

/// <summary>
/// Proof (a), V2: the real @uniswap/v2-core factory and pair and the v2-periphery Router02 on anvil. Our getAmountOut
/// and getAmountIn equal the router's (UniswapV2Library on-chain) on random reserves, reverts included; on the pair,
/// the amount we quote out succeeds and one wei more fails its K check, the input we quote for an exact output
/// succeeds, and the Sync event's reserves are ours.
/// </summary>
[Trait("Category", "Slow")]
public sealed class UniswapV2AnvilTests : IClassFixture<AnvilFixture>
{
    private static readonly AbiFunction s_transfer = AbiFunction.Parse("transfer(address,uint256)(bool)");
    private static readonly AbiFunction s_createPair = AbiFunction.Parse("createPair(address,address)(address)");
    private static readonly AbiFunction s_getPair = AbiFunction.Parse("getPair(address,address)(address)");
    private static readonly AbiFunction s_token0 = AbiFunction.Parse("token0()(address)");
    private static readonly AbiFunction s_pairMint = AbiFunction.Parse("mint(address)(uint256)");
    private static readonly AbiFunction s_getReserves = AbiFunction.Parse("getReserves()(uint112,uint112,uint32)");
    private static readonly AbiFunction s_getAmountOut = AbiFunction.Parse("getAmountOut(uint256,uint256,uint256)(uint256)");
    private static readonly AbiFunction s_getAmountIn = AbiFunction.Parse("getAmountIn(uint256,uint256,uint256)(uint256)");
    private static readonly AbiFunction s_v2Swap = AbiFunction.Parse("v2Swap(address,address,uint256,uint256,uint256)");
    private static readonly AbiEvent s_sync = AbiEvent.Parse("Sync(uint112 reserve0,uint112 reserve1)");

    private readonly AnvilFixture _anvil;
    private readonly ITestOutputHelper _output;

    public UniswapV2AnvilTests(AnvilFixture anvil, ITestOutputHelper output)
    {
        _anvil = anvil;
        _output = output;
    }

    [Fact]
    public async Task Our_quotes_are_the_librarys_and_the_pairs_to_the_wei()
    {
        await using DexChain chain = await StartAsync(_anvil);
        byte[] erc20 = Artifact("@uniswap", "v2-core", "build", "ERC20.json");
        BigInteger supply = BigInteger.Pow(10, 33);
        byte[] supplyArgument = AbiCodec.Encode(AbiType.Parse("(uint256)"), AbiValue.Tuple(U(supply)));
        Address tokenA = await chain.DeployAsync(erc20, supplyArgument);
        Address tokenB = await chain.DeployAsync(erc20, supplyArgument);
        Address caller = await chain.DeployAsync(CompileCaller());
        Address factory = await chain.DeployAsync(
            Artifact("@uniswap", "v2-core", "build", "UniswapV2Factory.json"),
            AbiCodec.Encode(AbiType.Parse("(address)"), AbiValue.Tuple(A(chain.From))));
        Address router = await chain.DeployAsync(
            Artifact("@uniswap", "v2-periphery", "build", "UniswapV2Router02.json"),
            AbiCodec.Encode(AbiType.Parse("(address,address)"), AbiValue.Tuple(A(factory), A(chain.From))));

        int libraryChecks = await LibraryQuotesMatchAsync(chain, router);

        // A pair with 4,000,000 "USDC" (6 decimals) against 1,600 "WETH" (18), like mainnet's USDC/WETH.
        Assert.True((await chain.SendAsync(factory, s_createPair.EncodeCall(A(tokenA), A(tokenB)))).Succeeded);
        Address pair = (await chain.ReadAsync(factory, s_getPair, A(tokenA), A(tokenB)))[0].AddressValue;
        Address token0 = (await chain.ReadAsync(pair, s_token0))[0].AddressValue;
        Address token1 = token0 == tokenA ? tokenB : tokenA;
        Assert.True((await chain.SendAsync(token0, s_transfer.EncodeCall(A(pair), U(4_000_000_000_000)))).Succeeded);
        Assert.True((await chain.SendAsync(token1, s_transfer.EncodeCall(A(pair), U(BigInteger.Pow(10, 18) * 1600)))).Succeeded);
        Assert.True((await chain.SendAsync(pair, s_pairMint.EncodeCall(A(chain.From)))).Succeeded);
        foreach (Address token in new[] { token0, token1 })
        {
            Assert.True((await chain.SendAsync(token, s_transfer.EncodeCall(A(caller), U(supply / 2)))).Succeeded);
        }

        var state = new V2PoolState { FeeBps = 30 };
        IReadOnlyList<AbiValue> reserves = await chain.ReadAsync(pair, s_getReserves);
        state.Reserve0 = reserves[0].Word;
        state.Reserve1 = reserves[1].Word;

        var rng = new Random(30);
        int swaps = 0, kRejections = 0, exactOut = 0;
        for (int i = 0; i < 120; i++)
        {
            bool zeroForOne = rng.Next(2) == 0;
            UInt256 reserveIn = zeroForOne ? state.Reserve0 : state.Reserve1;
            UInt256 reserveOut = zeroForOne ? state.Reserve1 : state.Reserve0;
            Address tokenIn = zeroForOne ? token0 : token1;
            UInt256 amountIn, amountOut;
            if (rng.Next(2) == 0)
            {
                // Exact in: what we quote out must pass K, one wei more must not.
                amountIn = Fraction(reserveIn, rng);
                Assert.Equal(V2Status.Ok, state.QuoteExactIn(zeroForOne, amountIn, out amountOut));
                RpcResult<byte[]> greedy = await chain.CallAsync(caller, SwapCall(pair, tokenIn, amountIn, amountOut + UInt256.One, zeroForOne));
                Assert.False(greedy.IsOk, "one wei more than our quote passed K");
                Assert.Contains("UniswapV2: K", RevertText(greedy.Error!), StringComparison.Ordinal);
                kRejections++;
            }
            else
            {
                // Exact out: the input we quote must pass; one wei less passes exactly when K still holds.
                amountOut = Fraction(reserveOut, rng);
                Assert.Equal(V2Status.Ok, state.QuoteExactOut(zeroForOne, amountOut, out amountIn));
                RpcResult<byte[]> short1 = await chain.CallAsync(caller, SwapCall(pair, tokenIn, amountIn - UInt256.One, amountOut, zeroForOne));
                Assert.Equal(KHolds(reserveIn, reserveOut, amountIn - UInt256.One, amountOut), short1.IsOk);
                exactOut++;
            }

            TransactionReceipt receipt = await chain.SendAsync(caller, SwapCall(pair, tokenIn, amountIn, amountOut, zeroForOne), 500_000);
            Assert.True(receipt.Succeeded, $"swap {i} reverted: in {amountIn} out {amountOut}");
            UInt256[] sync = EventWords(receipt, pair, s_sync.Topic0);
            state.Reserve0 = zeroForOne ? state.Reserve0 + amountIn : state.Reserve0 - amountOut;
            state.Reserve1 = zeroForOne ? state.Reserve1 - amountOut : state.Reserve1 + amountIn;
            Assert.Equal(state.Reserve0, sync[0]);
            Assert.Equal(state.Reserve1, sync[1]);
            swaps++;
        }

        _output.WriteLine($"library quotes compared {libraryChecks}, pair swaps {swaps} ({exactOut} exact out), one-wei-more rejected by K {kRejections}");
        Assert.True(exactOut > 30 && kRejections > 30);
    }

    private static byte[] SwapCall(Address pair, Address tokenIn, UInt256 amountIn, UInt256 amountOut, bool zeroForOne) =>
        s_v2Swap.EncodeCall(A(pair), A(tokenIn), AbiValue.UInt(amountIn), AbiValue.UInt(zeroForOne ? UInt256.Zero : amountOut), AbiValue.UInt(zeroForOne ? amountOut : UInt256.Zero));

    /// <summary>Between a millionth and a third of <paramref name="reserve"/>.</summary>
    private static UInt256 Fraction(UInt256 reserve, Random rng) => UInt256.Max(UInt256.One, reserve / (ulong)Math.Pow(10, rng.NextDouble() * 6) / 3);

    /// <summary>The pair's invariant: (in-reserve·1000 + in·997)·(out-reserve − out)·1000 ≥ in-reserve·out-reserve·1000².</summary>
    private static bool KHolds(UInt256 reserveIn, UInt256 reserveOut, UInt256 amountIn, UInt256 amountOut)
    {
        BigInteger rIn = reserveIn, rOut = reserveOut, aIn = amountIn, aOut = amountOut;
        return (((rIn + aIn) * 1000) - (aIn * 3)) * (rOut - aOut) * 1000 >= rIn * rOut * 1_000_000;
    }

    /// <summary>getAmountOut/getAmountIn of the deployed router against ours, reverts included, in JSON-RPC batches.</summary>
    private static async Task<int> LibraryQuotesMatchAsync(DexChain chain, Address router)
    {
        var rng = new Random(997);
        var cases = new List<(bool Out, UInt256 Amount, UInt256 ReserveIn, UInt256 ReserveOut)>();
        for (int i = 0; i < 400; i++)
        {
            UInt256 Draw() => rng.Next(8) switch
            {
                0 => UInt256.Zero,
                1 => UInt256.One,
                2 => (UInt256.One << 112) - UInt256.One,
                3 => UInt256.MaxValue >> rng.Next(0, 20),
                _ => (UInt256)(BigInteger.Pow(10, rng.Next(0, 34)) * rng.Next(1, 10)),
            };

            cases.Add((rng.Next(2) == 0, Draw(), Draw(), Draw()));
        }

        var calls = cases.ConvertAll(c =>
        {
            byte[] data = (c.Out ? s_getAmountIn : s_getAmountOut).EncodeCall(AbiValue.UInt(c.Amount), AbiValue.UInt(c.ReserveIn), AbiValue.UInt(c.ReserveOut));
            byte[] body = RpcParams.Build(w =>
            {
                w.WriteStartObject();
                w.WriteString("to", router.ToLowerHexString());
                w.WriteString("data", Hex.Encode(data));
                w.WriteEndObject();
                w.WriteStringValue("latest");
            });
            return new RpcCall("eth_call", body);
        });
        RpcResult<JsonElement>[] answers = await chain.Client.BatchAsync(calls);
        int reverts = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            (bool isOut, UInt256 amount, UInt256 reserveIn, UInt256 reserveOut) = cases[i];
            V2Status status = isOut
                ? UniswapV2Math.GetAmountIn(amount, reserveIn, reserveOut, 30, out UInt256 ours)
                : UniswapV2Math.GetAmountOut(amount, reserveIn, reserveOut, 30, out ours);
            string what = $"{(isOut ? "getAmountIn" : "getAmountOut")}({amount}, {reserveIn}, {reserveOut})";
            Assert.True(answers[i].IsOk == (status == V2Status.Ok), $"{what}: router {(answers[i].IsOk ? "answers" : "reverts")}, ours {status}");
            if (status == V2Status.Ok)
            {
                Assert.Equal(UInt256.FromBigEndian(Hex.Decode(answers[i].Value.GetString()!)), ours);
            }
            else
            {
                reverts++;
            }
        }

        Assert.True(reverts > 50 && cases.Count - reverts > 100, $"{reverts} reverts of {cases.Count}");
        return cases.Count;
    }

    private static string RevertText(RpcError error)
    {
        string? data = error.Data?.Trim('"');
        if (data is { Length: >= 10 + 128 } && data.StartsWith("0x08c379a0", StringComparison.Ordinal))
        {
            byte[] body = Hex.Decode("0x" + data[10..]);
            int length = (int)(ulong)UInt256.FromBigEndian(body.AsSpan(32, 32));
            return System.Text.Encoding.UTF8.GetString(body, 64, length);
        }

        return error.Message;
    }
}
