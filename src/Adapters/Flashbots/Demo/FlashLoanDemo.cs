using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.FlashLoans.Local;
using LowLatency.Adapters.Flashbots.Loopback;

namespace LowLatency.Adapters.Flashbots.Demo;

/// <summary>
/// <c>demo flashloan</c>: starts anvil, deploys the Aave V3 market, the Uniswap pools (dislocated) and the executor,
/// detects the dislocation from the pools' on-chain state with our exact maths, simulates and sends the bundle
/// through a loopback relay, and follows it to inclusion. One JSON line per stage on stdout; exit 0 only when the
/// bundle was included with a profit above zero and Aave was repaid. anvil and the relay are stopped on every path.
/// </summary>
public static class FlashLoanDemo
{
    /// <summary>The builder's address while the loopback relay mines (a well-known builder's public address).</summary>
    private static readonly Address s_builder = Address.Parse("0x95222290dd7278aa3ddd389cc1e1d165cc4bafe5");

    /// <summary>Signs relay headers only (a demo key, not the trading key, as FLASHBOTS_SIGNER_KEY must be).</summary>
    private const string DemoFlashbotsKey = "0x7777777777777777777777777777777777777777777777777777777777777777";

    public static async Task<int> RunAsync(string repoRoot, TextWriter stdout, TextWriter stderr, Action<int>? onAnvilStarted = null)
    {
        LocalAnvil? anvil = null;
        LoopbackRelay? relay = null;
        JsonRpcClient? client = null;
        RelayClient? relayClient = null;
        try
        {
            anvil = await LocalAnvil.StartAsync(repoRoot, TimeSpan.FromSeconds(30));
            onAnvilStarted?.Invoke(anvil.ProcessId);
            client = JsonRpcClient.ForHttp(anvil.HttpUrl, new JsonRpcOptions { RequestTimeout = TimeSpan.FromSeconds(10), MaxAttempts = 2 });
            var trading = new EthSigner(PrivateKey.FromHex(LocalAnvil.DevKey0));
            var flashbots = new EthSigner(PrivateKey.FromHex(DemoFlashbotsKey));
            if (!FlashbotsKeys.TryValidate(trading, flashbots, out string? keyProblem))
            {
                stderr.WriteLine("demo: " + keyProblem);
                return 2;
            }

            LocalChain chain = await LocalChain.ConnectAsync(client, trading, Path.Combine(repoRoot, "tools", "node_modules"));
            FlashScenario scene = await FlashScenario.DeployAsync(chain);
            Write(stdout, w =>
            {
                w.WriteString("stage", "deployed");
                w.WriteString("aavePool", scene.Aave.Pool.ToString());
                w.WriteString("executor", scene.Executor.ToString());
                w.WriteString("v2Pair", scene.V2Pair.ToString());
                w.WriteString("v3Pool", scene.V3Pool.ToString());
                w.WriteNumber("flashLoanPremiumBps", scene.PremiumBps);
            });

            (DexPool v2, DexPool v3) = await scene.ReadPoolsAsync();
            var route = new FlashRoute();
            Dislocation found = TwoPoolArbitrage.Find(scene.Weth, v2, v3, scene.PremiumBps, FlashScenario.Ether * 500UL, route);
            if (!found.Found)
            {
                stderr.WriteLine("demo: no dislocation found between the two pools");
                return 1;
            }

            Write(stdout, w =>
            {
                w.WriteString("stage", "detected");
                w.WriteString("borrowWei", found.Amount.ToString());
                w.WriteString("expectedProfitWei", found.Profit.ToString());
                w.WriteString("premiumWei", found.Premium.ToString());
                w.WriteStartArray("hops");
                for (int i = 0; i < route.HopCount; i++)
                {
                    w.WriteStringValue(route[i].Kind + " " + route[i].Pool);
                }

                w.WriteEndArray();
            });

            relay = await LoopbackRelay.StartAsync(client, s_builder);
            relayClient = new RelayClient(new RelayEndpoint("loopback", relay.Url), flashbots, TimeSpan.FromSeconds(30));
            var pipeline = new BundlePipeline([relayClient], client, NonceManager.ForClient(client, trading.Address),
                new BundleFactory(trading, scene.Executor, chain.ChainId), new BundleOptions { TargetBlocks = 3 }, line => stderr.WriteLine("demo: " + line));
            pipeline.OnSimulated = o => Write(stdout, w =>
            {
                w.WriteString("stage", "simulated");
                w.WriteBoolean("ok", o.Reason == "simulated");
                w.WriteString("profitWei", o.SimulatedProfitWei.ToString());
                w.WriteNumber("gasUsed", o.SimulatedGas);
                if (o.Reason != "simulated")
                {
                    w.WriteString("reason", o.Reason);
                }
            });
            pipeline.OnSent = block => Write(stdout, w =>
            {
                w.WriteString("stage", "sent");
                w.WriteNumber("targetBlock", block);
                w.WriteString("relay", "loopback");
            });

            Address aWeth = scene.Aave.ATokens[scene.Weth];
            UInt256 reserveBefore = await scene.Dex.BalanceAsync(scene.Weth, aWeth);
            UInt256 ownerBefore = await scene.Dex.BalanceAsync(scene.Weth, trading.Address);
            BundleOutcome outcome = await pipeline.RunAsync(route, found.Profit);
            if (outcome.State != BundleState.Included)
            {
                Write(stdout, w =>
                {
                    w.WriteString("stage", outcome.State.ToString().ToLowerInvariant());
                    w.WriteString("reason", outcome.Reason);
                });
                return 1;
            }

            // Repaid: the reserve's aToken holds what it lent plus the premium.
            UInt256 reserveAfter = await scene.Dex.BalanceAsync(scene.Weth, aWeth);
            bool repaid = reserveAfter == reserveBefore + found.Premium;
            // Realised profit: the owner's WETH gain (after the builder's share) less the gas the transaction paid.
            UInt256 gained = await scene.Dex.BalanceAsync(scene.Weth, trading.Address) - ownerBefore;
            RpcResult<TransactionReceipt?> receipt = await client.GetTransactionReceiptAsync(Hex.Decode(outcome.TxHash!));
            UInt256 gasCost = receipt.IsOk && receipt.Value is { } r ? (r.EffectiveGasPrice ?? UInt256.Zero) * r.GasUsed : UInt256.Zero;
            UInt256 profit = gained > gasCost ? gained - gasCost : UInt256.Zero;
            Write(stdout, w =>
            {
                w.WriteString("stage", "included");
                w.WriteNumber("block", outcome.IncludedBlock);
                w.WriteNumber("gasUsed", outcome.GasUsed);
                w.WriteString("profitWei", profit.ToString());
                w.WriteString("builderPaymentWei", outcome.BuilderPaymentWei.ToString());
                w.WriteBoolean("aaveRepaid", repaid);
            });
            return repaid && !profit.IsZero ? 0 : 1;
        }
        catch (LocalChainException e)
        {
            stderr.WriteLine("demo: " + SecretRedaction.Excerpt(e.Message, 300));
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or TimeoutException or TaskCanceledException)
        {
            stderr.WriteLine("demo: " + SecretRedaction.Excerpt(e.Message, 300));
            return 1;
        }
        finally
        {
            if (relayClient is not null)
            {
                await relayClient.DisposeAsync();
            }

            if (relay is not null)
            {
                await relay.DisposeAsync();
            }

            if (client is not null)
            {
                await client.DisposeAsync();
            }

            anvil?.Dispose();
        }
    }

    private static void Write(TextWriter stdout, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        stdout.Flush();
    }
}
