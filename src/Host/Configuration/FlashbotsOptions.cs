using System.Globalization;
using LowLatency.Adapters.Flashbots;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Host.Configuration;

/// <summary>One Flashbots-style relay or builder endpoint (<c>flashbots.relays[]</c>).</summary>
public sealed record FlashbotsRelaySettings
{
    /// <summary>Name used in logs and per-relay statistics; unique.</summary>
    public string? Name { get; init; }

    /// <summary>The relay's JSON-RPC endpoint, http or https.</summary>
    public string? Url { get; init; }
}

/// <summary>
/// The bundle pipeline's settings (<c>"flashbots": {...}</c>): the relays fanned out to, target blocks N+1 … N+k, the
/// least profit after gas and the builder payment, the builder's share and the confirmation depth.
/// </summary>
public sealed record FlashbotsOptions
{
    public const int MaxTargetBlocks = 25;
    public const int MaxConfirmBlocks = 64;

    /// <summary>Default: the Flashbots relay alone.</summary>
    public IReadOnlyList<FlashbotsRelaySettings> Relays { get; init; } = [new() { Name = "flashbots", Url = "https://relay.flashbots.net" }];

    /// <summary>k: the bundle is sent for N+1 … N+k, one block at a time.</summary>
    public int TargetBlocks { get; init; } = 3;

    /// <summary>Least profit after gas and the builder payment, wei of WETH, as a decimal or 0x string (wei exceed JSON's safe integers).</summary>
    public string MinProfitWei { get; init; } = "1";

    /// <summary>The builder's share of the gross profit in basis points, paid to block.coinbase by the executor.</summary>
    public int BuilderBps { get; init; } = 1_000;

    /// <summary>
    /// Blocks on top of an inclusion before it counts (a reorg that removes it makes it a miss); 0: at once. Left out:
    /// the chain's default (<see cref="DefaultConfirmBlocks"/>).
    /// </summary>
    public int? ConfirmBlocks { get; init; }

    /// <summary>
    /// The safe default per chain (src/Adapters/Flashbots/README.md says why): Ethereum 2 (post-Merge reorgs are one
    /// block deep in practice, two covers them without waiting for finality), Polygon PoS 3 (its reorgs have been
    /// deeper), rollups 1 (the sequencer orders; an unsafe-head reorg is rare and shallow), any other chain 2.
    /// </summary>
    public static int DefaultConfirmBlocks(ulong chainId) => chainId switch
    {
        1 => 2,
        137 => 3,
        10 or 8453 or 42161 => 1,
        _ => 2,
    };

    /// <summary>Every problem, each naming its setting (<paramref name="at"/> is the JSON path, <c>flashbots</c>).</summary>
    public IEnumerable<string> Validate(string at)
    {
        if (Relays is null || Relays.Count == 0)
        {
            yield return at + ".relays: needs at least one relay ({\"name\": ..., \"url\": ...})";
        }
        else
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < Relays.Count; i++)
            {
                string where = string.Create(CultureInfo.InvariantCulture, $"{at}.relays[{i}]");
                FlashbotsRelaySettings? relay = Relays[i];
                if (relay is null)
                {
                    yield return where + ": must not be null";
                    continue;
                }

                if (string.IsNullOrWhiteSpace(relay.Name))
                {
                    yield return where + ".name: must not be empty";
                }
                else if (!names.Add(relay.Name))
                {
                    yield return $"{where}.name: '{relay.Name}' is used by another relay";
                }

                // The URL is not quoted: relay URLs can carry an API key.
                if (!Uri.TryCreate(relay.Url, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
                {
                    yield return where + ".url: must be an absolute http or https URL";
                }
            }
        }

        if (TargetBlocks is < 1 or > MaxTargetBlocks)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{at}.targetBlocks: {TargetBlocks} must be in [1, {MaxTargetBlocks}]");
        }

        if (!UInt256.TryParse(MinProfitWei, out UInt256 minProfit) || minProfit.IsZero)
        {
            yield return at + ".minProfitWei: must be a whole number of wei above 0, as a string (\"10000000000000000\" or \"0x2386f26fc10000\")";
        }

        if (BuilderBps is < 0 or > 10_000)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{at}.builderBps: {BuilderBps} must be in [0, 10000] (basis points of the gross profit)");
        }

        if (ConfirmBlocks is < 0 or > MaxConfirmBlocks)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{at}.confirmBlocks: {ConfirmBlocks} must be in [0, {MaxConfirmBlocks}]");
        }
    }

    /// <summary>The relays as the pipeline's endpoints (valid options only).</summary>
    public IReadOnlyList<RelayEndpoint> Endpoints()
    {
        var endpoints = new RelayEndpoint[Relays.Count];
        for (int i = 0; i < endpoints.Length; i++)
        {
            endpoints[i] = new RelayEndpoint(Relays[i].Name!, new Uri(Relays[i].Url!));
        }

        return endpoints;
    }

    /// <summary>
    /// The pipeline's settings from these (valid options only) for the chain <paramref name="chainId"/> the bundles go
    /// to (Flashbots: Ethereum, 1); the rest keep the pipeline's defaults.
    /// </summary>
    public BundleOptions ToBundleOptions(ulong chainId = 1)
    {
        _ = UInt256.TryParse(MinProfitWei, out UInt256 minProfit);
        return new BundleOptions
        {
            TargetBlocks = TargetBlocks,
            MinProfitWei = minProfit,
            BuilderBps = (uint)BuilderBps,
            ConfirmBlocks = ConfirmBlocks ?? DefaultConfirmBlocks(chainId),
        };
    }
}

public sealed partial record EngineOptions
{
    /// <summary>Flash-loan bundles: relays, target blocks, least profit, builder share (FlashbotsOptions.cs).</summary>
    public FlashbotsOptions Flashbots { get; init; } = new();

    /// <summary>Gas units per flash-loan path leg the venue graph costs with (FlashLoanGasOptions.cs).</summary>
    public FlashLoanGasOptions FlashLoanGas { get; init; } = new();

    private void ValidateFlashLoans(List<string> errors)
    {
        if (Flashbots is null)
        {
            errors.Add("flashbots: must not be null (leave it out for the defaults)");
        }
        else
        {
            errors.AddRange(Flashbots.Validate("flashbots"));
        }

        if (FlashLoanGas is null)
        {
            errors.Add("flashLoanGas: must not be null (leave it out for the defaults)");
        }
        else
        {
            errors.AddRange(FlashLoanGas.Validate("flashLoanGas"));
        }
    }
}
