using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.FlashLoans.Local;
using LowLatency.Adapters.Flashbots.Loopback;
using LowLatency.HotPath.Graph;

namespace LowLatency.Adapters.Flashbots.Demo;

/// <summary>
/// <c>demo flashloan</c>: starts anvil, deploys the Aave V3 market, the Uniswap pools (dislocated) and the executor,
/// and runs the engine's path on the pools' on-chain state: the strategy step (<see cref="ChainStrategy"/>: graph
/// evaluation, sizing, the bundler's exact re-quote and signature), then the <see cref="BundleExecutor"/>, which
/// simulates and sends the bytes signed there through a loopback relay and follows them to inclusion. One JSON line per
/// stage on stdout; exit 0 only when the bundle was included with a profit above zero and Aave was repaid. anvil and
/// the relay are stopped on every path.
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
        BundleExecutor? executor = null;
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

            relay = await LoopbackRelay.StartAsync(client, s_builder);
            relayClient = new RelayClient(new RelayEndpoint("loopback", relay.Url), flashbots, TimeSpan.FromSeconds(30));
            var factory = new BundleFactory(trading, scene.Executor, chain.ChainId);
            NonceManager nonces = NonceManager.ForClient(client, trading.Address);
            RpcResult<NonceReconciliation> started = await nonces.InitialiseAsync();
            RpcResult<Block?> head = await client.GetBlockByNumberAsync(BlockTag.Latest);
            if (!started.IsOk || !head.IsOk || head.Value is null)
            {
                stderr.WriteLine("demo: the node did not give the account's nonce or its head block");
                return 1;
            }

            (DexPool v2, DexPool v3) = await scene.ReadPoolsAsync();
            ChainGas gas = ChainStrategy.MeasuredGas(Math.Max(Amounts.ToDouble(head.Value.Header.BaseFeePerGas ?? UInt256.Zero), 1), 1e9, scene.PremiumBps, 0);
            // Costs are valued in the token (price 1); WETH at the pair's price.
            bool wethIsToken0 = v2.Token0 == scene.Weth;
            double wethPrice = Amounts.ToDouble(wethIsToken0 ? v2.V2.Reserve1 : v2.V2.Reserve0) / Amounts.ToDouble(wethIsToken0 ? v2.V2.Reserve0 : v2.V2.Reserve1);
            var engine = new ChainStrategy([v2, v3], new Dictionary<Address, int> { [scene.Weth] = 18, [scene.Token] = 18 },
                new Dictionary<Address, double> { [scene.Weth] = wethPrice, [scene.Token] = 1 }, in gas, factory, nonces, scene.Weth, 1_000);
            engine.Publish([v2, v3], (long)head.Value.Header.Number);
            BuiltBundle signed = default;
            long sequence = -1;
            engine.DrainBundles((in BuiltBundle b, long at) =>
            {
                signed = b;
                sequence = at;
                return true;
            });
            if (sequence < 0)
            {
                stderr.WriteLine("demo: the strategy found no dislocation to sign between the two pools");
                return 1;
            }

            FlashRoute route = engine.Bundler.LastRoute;
            UInt256 premium = TwoPoolArbitrage.Premium(route.Amount, scene.PremiumBps);
            Write(stdout, w =>
            {
                w.WriteString("stage", "detected");
                w.WriteString("kind", signed.Kind.ToString());
                w.WriteString("borrowWei", route.Amount.ToString());
                w.WriteString("expectedProfitWei", signed.GrossProfitRaw.ToString());
                w.WriteString("premiumWei", premium.ToString());
                w.WriteNumber("nonce", signed.Nonce);
                w.WriteNumber("tickToSignedUs", Math.Round((signed.SignedTimestamp - signed.TriggerTimestamp) * 1e6 / System.Diagnostics.Stopwatch.Frequency, 1));
                w.WriteStartArray("hops");
                for (int i = 0; i < route.HopCount; i++)
                {
                    w.WriteStringValue(route[i].Kind + " " + route[i].Pool);
                }

                w.WriteEndArray();
            });

            var pipeline = new BundlePipeline([relayClient], client, nonces, factory, new BundleOptions { TargetBlocks = 3 }, line => stderr.WriteLine("demo: " + line));
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
            executor = new BundleExecutor(engine.Bundler, [new BundleExecutorChain(engine.Signer, pipeline)], line => stderr.WriteLine("demo: " + line), engine.Stage.RequestRearm);
            if (!executor.Submit(in signed, sequence))
            {
                return 1;
            }

            BundleOutcome? ended = null;
            DateTime deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (ended is null && DateTime.UtcNow < deadline)
            {
                executor.Poll(e => ended = e.Outcome);
                if (ended is null)
                {
                    await Task.Delay(10);
                }
            }

            if (ended is not { } outcome)
            {
                stderr.WriteLine("demo: the bundle did not end within 2 minutes");
                return 1;
            }

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
            bool repaid = reserveAfter == reserveBefore + premium;
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
            if (executor is not null)
            {
                await executor.DisposeAsync();
            }

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
