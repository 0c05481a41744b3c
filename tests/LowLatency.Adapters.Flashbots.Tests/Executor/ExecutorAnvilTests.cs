using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.FlashLoans.Local;
using LowLatency.Testing.Aave;
using Xunit.Abstractions;

namespace LowLatency.Adapters.Flashbots.Tests.Executor;

/// <summary>
/// The executor on real bytecode: a real Aave V3 market and real Uniswap V2/V3 pools on anvil. Each test starts from
/// the same deployed scene (snapshot → test → revert).
/// </summary>
[Trait("Category", "Slow")]
public sealed class ExecutorAnvilTests : IClassFixture<FlashChainFixture>
{
    private static readonly AbiFunction s_executeOperation = AbiFunction.Parse("executeOperation(address,uint256,uint256,address,bytes)(bool)");
    private static readonly AbiFunction s_swapCallback = AbiFunction.Parse("uniswapV3SwapCallback(int256,int256,bytes)");
    private readonly FlashChainFixture _fixture;
    private readonly ITestOutputHelper _output;

    public ExecutorAnvilTests(FlashChainFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    private FlashScenario S => _fixture.Scenario;

    private async Task<(FlashRoute Route, Dislocation Found)> DetectAsync()
    {
        (DexPool v2, DexPool v3) = await S.ReadPoolsAsync();
        var route = new FlashRoute();
        Dislocation found = TwoPoolArbitrage.Find(S.Weth, v2, v3, S.PremiumBps, FlashScenario.Ether * 500UL, route);
        return (route, found);
    }

    private static byte[] Calldata(FlashRoute route, UInt256 minProfit, uint builderBps)
    {
        var data = new byte[ExecutorCalldata.LengthFor(route.HopCount)];
        Assert.Equal(data.Length, ExecutorCalldata.Write(route, minProfit, builderBps, data));
        return data;
    }

    [Fact]
    public async Task A_profitable_dislocation_is_captured_Aave_is_repaid_and_the_builder_paid()
    {
        string snapshot = _fixture.Snapshot();
        try
        {
            (FlashRoute route, Dislocation found) = await DetectAsync();
            Assert.True(found.Found);
            Assert.Equal(2, route.HopCount);
            Assert.Equal(TwoPoolArbitrage.Premium(found.Amount, S.PremiumBps), found.Premium);
            Address aWeth = S.Aave.ATokens[S.Weth];
            UInt256 ownerBefore = await S.Dex.BalanceAsync(S.Weth, S.Chain.From);
            UInt256 reserveBefore = await S.Dex.BalanceAsync(S.Weth, aWeth);

            TransactionReceipt receipt = await S.Chain.SendAsync("execute", S.Executor, Calldata(route, found.Profit, 1_000), 1_500_000);
            _output.WriteLine($"{route[0].Kind}→{route[1].Kind} two-hop capture: borrowed {found.Amount}, profit {found.Profit}, gas used {receipt.GasUsed}");

            UInt256 builder = found.Profit * 1_000UL / 10_000UL;
            Assert.Equal(ownerBefore + found.Profit - builder, await S.Dex.BalanceAsync(S.Weth, S.Chain.From));
            Assert.Equal(reserveBefore + found.Premium, await S.Dex.BalanceAsync(S.Weth, aWeth));
            Assert.Equal(UInt256.Zero, await S.Dex.BalanceAsync(S.Weth, S.Executor));
            Assert.Equal(UInt256.Zero, await S.Chain.ReadUIntAsync(S.Weth, LocalDex.Allowance, AbiValue.FromAddress(S.Executor), AbiValue.FromAddress(S.Aave.Pool)));

            LogEntry flash = Assert.Single(receipt.Logs, l => l.Address == S.Aave.Pool && l.Topics[0].AsSpan().SequenceEqual(AaveV3Market.FlashLoanEvent.Topic0));
            UInt256 mode = UInt256.FromBigEndian(flash.Data.AsSpan(64, 32));
            Assert.Equal(UInt256.Zero, mode);
            Assert.Equal(found.Premium, UInt256.FromBigEndian(flash.Data.AsSpan(96, 32)));
        }
        finally
        {
            await _fixture.RevertAsync(snapshot);
        }
    }

    [Fact]
    public async Task An_unprofitable_route_reverts_and_nothing_moves()
    {
        string snapshot = _fixture.Snapshot();
        try
        {
            (FlashRoute route, Dislocation found) = await DetectAsync();
            Assert.True(found.Found);
            UInt256 ownerBefore = await S.Dex.BalanceAsync(S.Weth, S.Chain.From);
            UInt256 reserveBefore = await S.Dex.BalanceAsync(S.Weth, S.Aave.ATokens[S.Weth]);
            V2Reserves pairBefore = await PairAsync();

            TransactionReceipt receipt = await S.Chain.TrySendAsync("execute", S.Executor, Calldata(route, found.Profit + 1UL, 0), 1_500_000);
            _output.WriteLine($"reverted (minProfit one wei above the profit): gas used {receipt.GasUsed}");
            Assert.False(receipt.Succeeded);
            Assert.Equal(ownerBefore, await S.Dex.BalanceAsync(S.Weth, S.Chain.From));
            Assert.Equal(reserveBefore, await S.Dex.BalanceAsync(S.Weth, S.Aave.ATokens[S.Weth]));
            Assert.Equal(pairBefore, await PairAsync());
        }
        finally
        {
            await _fixture.RevertAsync(snapshot);
        }
    }

    private async Task<V2Reserves> PairAsync()
    {
        IReadOnlyList<AbiValue> r = await S.Chain.ReadAsync(S.V2Pair, LocalDex.GetReserves);
        return new V2Reserves(r[0].Word, r[1].Word);
    }

    private readonly record struct V2Reserves(UInt256 Reserve0, UInt256 Reserve1);

    [Fact]
    public async Task Only_the_owner_may_execute_and_direct_callbacks_cannot_move_funds()
    {
        string snapshot = _fixture.Snapshot();
        try
        {
            // Leave some WETH in the executor: the callbacks must not be able to move it.
            await S.Chain.SendAsync("fund executor", S.Weth, LocalDex.Transfer.EncodeCall(AbiValue.FromAddress(S.Executor), AbiValue.UInt(FlashScenario.Ether)));
            (FlashRoute route, _) = await DetectAsync();
            var stranger = new Transactions.StrangerCaller(_fixture.Client, Testing.Chain.AnvilTestKit.Signer(1));

            Assert.False((await stranger.SendAsync(S.Executor, Calldata(route, UInt256.Zero, 0))).Succeeded);
            byte[] legs = Calldata(route, UInt256.Zero, 0)[(4 + (6 * 32))..];
            Assert.False((await stranger.SendAsync(S.Executor, s_executeOperation.EncodeCall(
                AbiValue.FromAddress(S.Weth), AbiValue.UInt(FlashScenario.Ether), AbiValue.UInt(0), AbiValue.FromAddress(S.Executor), AbiValue.FromBytes(legs)))).Succeeded);
            Assert.False((await stranger.SendAsync(S.Executor, s_swapCallback.EncodeCall(
                AbiValue.Int(FlashScenario.Ether.ToBigInteger()), AbiValue.Int(0), AbiValue.FromBytes([])))).Succeeded);
            Assert.False((await stranger.SendAsync(S.Executor, ExecutorCalldata.Rescue.EncodeCall(
                AbiValue.FromAddress(S.Weth), AbiValue.FromAddress(stranger.Address), AbiValue.UInt(FlashScenario.Ether)))).Succeeded);
            Assert.Equal(FlashScenario.Ether, await S.Dex.BalanceAsync(S.Weth, S.Executor));

            // The owner's rescue gets it back.
            UInt256 ownerBefore = await S.Dex.BalanceAsync(S.Weth, S.Chain.From);
            await S.Chain.SendAsync("rescue", S.Executor, ExecutorCalldata.Rescue.EncodeCall(AbiValue.FromAddress(S.Weth), AbiValue.FromAddress(S.Chain.From), AbiValue.UInt(FlashScenario.Ether)));
            Assert.Equal(ownerBefore + FlashScenario.Ether, await S.Dex.BalanceAsync(S.Weth, S.Chain.From));
        }
        finally
        {
            await _fixture.RevertAsync(snapshot);
        }
    }
}
