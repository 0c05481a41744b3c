using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Testing;

namespace LowLatency.Adapters.Flashbots.Tests.Unit;

public sealed class BundleEncodingTests
{
    private static readonly EthSigner s_trading = new(PrivateKey.FromHex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"));
    private static readonly Address s_executor = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");

    private static FlashRoute Route(int hops)
    {
        var route = new FlashRoute { Asset = Address.Parse("0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"), Amount = 123_456_789_000_000_000UL };
        var rng = new Random(hops);
        for (int i = 0; i < hops; i++)
        {
            var pool = new byte[20];
            var token = new byte[20];
            rng.NextBytes(pool);
            rng.NextBytes(token);
            Assert.True(route.TryAdd(new RouteHop(new Address(pool), i % 2 == 0 ? PoolKind.UniswapV3 : PoolKind.UniswapV2, i % 3 == 0, new Address(token), (ulong)rng.NextInt64(), (ulong)rng.NextInt64())));
        }

        return route;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void The_calldata_writer_equals_the_ABI_encoder(int hops)
    {
        FlashRoute route = Route(hops);
        var legs = new byte[hops * ExecutorCalldata.LegBytes];
        for (int i = 0; i < hops; i++)
        {
            RouteHop h = route[i];
            UInt256 head = UInt256.FromBigEndian(h.Pool.ToArray()) | ((UInt256)(ulong)h.Kind << 160) | ((UInt256)(h.ZeroForOne ? 1UL : 0UL) << 168);
            byte[] leg = AbiFunction.Parse("f(uint256,address,uint256,uint256)").EncodeCall(AbiValue.UInt(head), AbiValue.FromAddress(h.TokenIn), AbiValue.UInt(h.AmountIn), AbiValue.UInt(h.ExpectedOut))[4..];
            leg.CopyTo(legs, i * ExecutorCalldata.LegBytes);
        }

        byte[] expected = ExecutorCalldata.Execute.EncodeCall(AbiValue.FromAddress(route.Asset), AbiValue.UInt(route.Amount), AbiValue.UInt(77UL), AbiValue.UInt(1_000UL), AbiValue.FromBytes(legs));
        var ours = new byte[ExecutorCalldata.LengthFor(hops)];
        Assert.Equal(ours.Length, ExecutorCalldata.Write(route, 77UL, 1_000, ours));
        Assert.Equal(expected, ours);
        Assert.Equal(0, ExecutorCalldata.Write(route, 77UL, 10_001, ours));
        Assert.Equal(0, ExecutorCalldata.Write(new FlashRoute(), 77UL, 0, ours));
    }

    [Fact]
    public void The_allocation_free_signer_gives_the_bytes_of_the_transaction_signer_and_allocates_nothing()
    {
        var factory = new BundleFactory(s_trading, s_executor, 1);
        FlashRoute route = Route(2);
        Assert.True(factory.Build(route, 5UL, 900, 42, 600_000, 80_000_000_000UL, 2_000_000_000UL));
        var data = new byte[ExecutorCalldata.LengthFor(2)];
        ExecutorCalldata.Write(route, 5UL, 900, data);
        var tx = new Transaction
        {
            Type = TxType.DynamicFee, ChainId = UInt256.One, Nonce = 42, GasLimit = 600_000, MaxFeePerGas = 80_000_000_000UL,
            MaxPriorityFeePerGas = 2_000_000_000UL, To = s_executor, Data = data,
        };
        Transaction signed = TransactionSigner.Sign(tx, s_trading);
        Assert.Equal(signed.EncodeSigned(), factory.RawTransaction.ToArray());
        Assert.Equal(Keccak256.Hash(signed.EncodeSigned()), factory.TransactionHash.ToArray());
        Assert.True(TransactionDecoder.TryDecode(factory.RawTransaction, out Transaction? decoded, out TxError error), error.ToString());
        Assert.True(decoded!.TryRecoverSender(out Address sender));
        Assert.Equal(s_trading.Address, sender);

        if (s_trading.Backend.Name.Contains("native", StringComparison.OrdinalIgnoreCase) || s_trading.Backend.Name.Contains("libsecp", StringComparison.OrdinalIgnoreCase))
        {
            for (int i = 0; i < 100; i++)
            {
                factory.Build(route, 5UL, 900, (ulong)i, 600_000, 80_000_000_000UL, 2_000_000_000UL);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1_000; i++)
            {
                factory.Build(route, 5UL, 900, (ulong)i, 600_000, 80_000_000_000UL, 2_000_000_000UL);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void The_flashbots_signer_must_differ_from_the_trading_key_and_the_refusal_names_no_key()
    {
        Assert.False(FlashbotsKeys.TryValidate(s_trading, s_trading, out string? reason));
        Assert.Contains("FLASHBOTS_SIGNER_KEY must differ", reason, StringComparison.Ordinal);
        Assert.False(SecretRedaction.ContainsSecret(reason));
        Assert.True(FlashbotsKeys.TryValidate(s_trading, new EthSigner(PrivateKey.FromHex("0x" + new string('1', 64))), out _));

        Assert.False(FlashbotsKeys.TryLoadSigner(_ => null, out _, out string? missing));
        Assert.Contains("not set", missing, StringComparison.Ordinal);
        Assert.False(FlashbotsKeys.TryLoadSigner(_ => "0x1234zz" + new string('9', 60), out _, out string? bad));
        Assert.False(SecretRedaction.ContainsSecret(bad));
        Assert.DoesNotContain("1234zz", bad, StringComparison.Ordinal);
        Assert.False(FlashbotsKeys.TryLoadSigner(_ => "/nonexistent/flashbots.key", out _, out string? file));
        Assert.Contains("flashbots.key", file, StringComparison.Ordinal);
        Assert.True(FlashbotsKeys.TryLoadSigner(_ => new string('2', 64), out EthSigner? loaded, out _));
        Assert.NotEqual(s_trading.Address, loaded!.Address);
    }

    /// <summary>The Flashbots docs' answers (../shared/data/flashbots): every strict-JSON response example parses.</summary>
    [Fact]
    public void The_documented_relay_answers_parse()
    {
        string path = Path.Combine(SharedData.Root, "flashbots", "flashbots_docs_rpc_examples.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        int parsed = 0;
        foreach (JsonElement e in doc.RootElement.GetProperty("examples").EnumerateArray())
        {
            string method = e.GetProperty("method").GetString()!;
            if (!e.GetProperty("valid_json").GetBoolean() || !e.GetProperty("label").GetString()!.Contains("response", StringComparison.Ordinal))
            {
                continue;
            }

            using JsonDocument answer = JsonDocument.Parse(e.GetProperty("text").GetString()!);
            JsonElement result = answer.RootElement.TryGetProperty("result", out JsonElement r) ? r : answer.RootElement;
            switch (method)
            {
                case "eth_callBundle":
                    CallBundleResult sim = RelayJson.ParseCallBundle(result).Value;
                    Assert.Equal(42_000UL, sim.TotalGasUsed);
                    Assert.Equal(UInt256.Parse("20000000000000000"), sim.EthSentToCoinbase);
                    Assert.Equal(5221585UL, sim.StateBlockNumber);
                    Assert.True(sim.Succeeded);
                    parsed++;
                    break;
                case "eth_sendBundle":
                    Assert.StartsWith("0x2228f5d8", RelayJson.ParseBundleHash(result).Value, StringComparison.Ordinal);
                    parsed++;
                    break;
                case "flashbots_getBundleStatsV2":
                    Assert.True(RelayJson.ParseBundleStats(result).IsOk);
                    parsed++;
                    break;
            }
        }

        Assert.True(parsed >= 4, parsed.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("{\"results\":[{\"gasUsed\":\"0xzz\"}]}", "gasUsed")]
    [InlineData("{\"results\":{}}", "results")]
    [InlineData("[]", "not an object")]
    [InlineData("{\"results\":[{\"gasUsed\":21000}],\"totalGasUsed\":-1}", "totalGasUsed")]
    public void A_malformed_simulation_answer_is_an_error_value_naming_the_field(string json, string field)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        RpcResult<CallBundleResult> result = RelayJson.ParseCallBundle(doc.RootElement);
        Assert.False(result.IsOk);
        Assert.Equal(RpcErrorKind.MalformedResponse, result.Error!.Kind);
        Assert.Contains(field, result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reverted_transaction_in_a_simulation_is_a_failure_with_its_reason()
    {
        using JsonDocument doc = JsonDocument.Parse("{\"results\":[{\"gasUsed\":\"0x5208\",\"error\":\"execution reverted\",\"revert\":\"NotProfitable\"}],\"totalGasUsed\":21000}");
        CallBundleResult sim = RelayJson.ParseCallBundle(doc.RootElement).Value;
        Assert.False(sim.Succeeded);
        Assert.Equal("tx 0: execution reverted", sim.FailureReason());
        Assert.Equal(21_000UL, sim.Results[0].GasUsed);
    }
}
