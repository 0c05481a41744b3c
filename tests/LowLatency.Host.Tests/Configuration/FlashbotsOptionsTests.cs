using LowLatency.Adapters.Flashbots;
using LowLatency.Host.Configuration;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Host.Tests.Configuration;

public sealed class FlashbotsOptionsTests
{
    private static string? NoEnvironment(string name) => null;

    private static (EngineOptions Options, IReadOnlyList<string> Errors) Load(string json)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            return EngineOptionsLoader.Load(path, NoEnvironment);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_defaults_are_valid_and_become_the_pipelines_settings()
    {
        var options = new EngineOptions();
        Assert.Empty(options.Validate());
        BundleOptions bundle = options.Flashbots.ToBundleOptions();
        Assert.Equal(3, bundle.TargetBlocks);
        Assert.Equal(UInt256.One, bundle.MinProfitWei);
        Assert.Equal(1_000u, bundle.BuilderBps);
        RelayEndpoint relay = Assert.Single(options.Flashbots.Endpoints());
        Assert.Equal("flashbots", relay.Name);
        Assert.Equal(new Uri("https://relay.flashbots.net"), relay.Url);
    }

    [Fact]
    public void Relays_target_blocks_least_profit_builder_share_and_confirmation_are_read_from_the_settings_file()
    {
        (EngineOptions options, IReadOnlyList<string> errors) = Load("""
            { "flashbots": { "relays": [ { "name": "flashbots", "url": "https://relay.flashbots.net" },
                                         { "name": "titan", "url": "https://rpc.titanbuilder.xyz" } ],
                             "targetBlocks": 5, "minProfitWei": "0x2386f26fc10000", "builderBps": 9000, "confirmBlocks": 2 } }
            """);
        Assert.Empty(errors);
        BundleOptions bundle = options.Flashbots.ToBundleOptions();
        Assert.Equal(5, bundle.TargetBlocks);
        Assert.Equal((UInt256)10_000_000_000_000_000UL, bundle.MinProfitWei);
        Assert.Equal(9_000u, bundle.BuilderBps);
        Assert.Equal(2, bundle.ConfirmBlocks);
        Assert.Equal(["flashbots", "titan"], options.Flashbots.Endpoints().Select(e => e.Name));
    }

    [Fact]
    public void Every_bad_value_is_reported_at_start_up_naming_its_setting_and_never_quoting_a_url()
    {
        (_, IReadOnlyList<string> errors) = Load("""
            { "flashbots": { "relays": [ { "name": "a", "url": "https://relay.example/key-0123456789abcdef" },
                                         { "name": "A", "url": "ftp://x" }, { "name": "", "url": "not a url" }, null ],
                             "targetBlocks": 0, "minProfitWei": "-5", "builderBps": 10001, "confirmBlocks": 65 } }
            """);
        Assert.Equal(
        [
            "flashbots.relays[1].name: 'A' is used by another relay",
            "flashbots.relays[1].url: must be an absolute http or https URL",
            "flashbots.relays[2].name: must not be empty",
            "flashbots.relays[2].url: must be an absolute http or https URL",
            "flashbots.relays[3]: must not be null",
            "flashbots.targetBlocks: 0 must be in [1, 25]",
            "flashbots.minProfitWei: must be a whole number of wei above 0, as a string (\"10000000000000000\" or \"0x2386f26fc10000\")",
            "flashbots.builderBps: 10001 must be in [0, 10000] (basis points of the gross profit)",
            "flashbots.confirmBlocks: 65 must be in [0, 64]",
        ], errors);
        Assert.DoesNotContain(errors, e => e.Contains("key-0123", StringComparison.Ordinal));
    }

    [Fact]
    public void No_relay_or_a_null_section_is_an_error()
    {
        Assert.Contains("flashbots.relays: needs at least one relay", Assert.Single(Load("""{ "flashbots": { "relays": [] } }""").Errors), StringComparison.Ordinal);
        Assert.Equal("flashbots: must not be null (leave it out for the defaults)", Assert.Single(Load("""{ "flashbots": null }""").Errors));
        Assert.Contains("minProfitWei: must be a whole number", Assert.Single(Load("""{ "flashbots": { "minProfitWei": "0" } }""").Errors), StringComparison.Ordinal);
    }
}
