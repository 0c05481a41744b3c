using System.Globalization;
using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Aggregators;

/// <summary>
/// Pool state from a file (<c>quote --pool-state FILE</c>), when no node is at hand: <c>{"block":N,"pools":[…]}</c>,
/// each pool by its configured <c>address</c>; V3 <c>sqrtPriceX96</c>, <c>tick</c>, <c>liquidity</c>, optional
/// <c>ticks</c> (<c>[[tick,"liquidityNet"],…]</c>) and <c>knownWords</c> (<c>[from,to]</c>: the bitmap words those
/// ticks cover; default every word, i.e. the listed ticks are all there are); V2 <c>reserve0</c>, <c>reserve1</c>.
/// Big numbers are decimal strings. Unknown fields are skipped. Every problem is a line naming the pool and field, never
/// an exception; a pool with a problem is left without state. Cold path.
/// </summary>
public static class PoolStateFile
{
    public const int MaxBytes = 16 << 20;

    /// <summary>Loads the file into <paramref name="pricer"/>'s tracker; returns the problems (empty when every pool loaded).</summary>
    public static List<string> Load(string path, OwnPoolPricer pricer)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(pricer);
        var errors = new List<string>();
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                errors.Add($"'{path}' does not exist");
                return errors;
            }

            if (info.Length > MaxBytes)
            {
                errors.Add($"'{path}' is larger than {MaxBytes} bytes");
                return errors;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"'{path}' cannot be read ({e.GetType().Name.Replace("Exception", "", StringComparison.Ordinal)})");
            return errors;
        }

        Parse(bytes, pricer, errors);
        return errors;
    }

    /// <summary>Parses file content into the tracker, adding each problem to <paramref name="errors"/>.</summary>
    public static void Parse(ReadOnlySpan<byte> json, OwnPoolPricer pricer, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(pricer);
        ArgumentNullException.ThrowIfNull(errors);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            errors.Add($"not valid JSON (line {(e.LineNumber ?? 0) + 1})");
            return;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("pools", out JsonElement pools) || pools.ValueKind != JsonValueKind.Array)
            {
                errors.Add("expected an object with a \"pools\" array");
                return;
            }

            ulong block = root.TryGetProperty("block", out JsonElement b) && b.ValueKind == JsonValueKind.Number && b.TryGetUInt64(out ulong n) ? n : 0;
            int at = 0;
            foreach (JsonElement pool in pools.EnumerateArray())
            {
                string? error = LoadPool(pool, block, pricer);
                if (error is not null)
                {
                    errors.Add($"pools[{at.ToString(CultureInfo.InvariantCulture)}]: {error}");
                }

                at++;
            }

            pricer.Loaded(block);
        }
    }

    private static string? LoadPool(JsonElement pool, ulong block, OwnPoolPricer pricer)
    {
        if (pool.ValueKind != JsonValueKind.Object || !pool.TryGetProperty("address", out JsonElement a) || a.ValueKind != JsonValueKind.String
            || !Address.TryParse(a.GetString(), out Address address))
        {
            return "address: missing or not an address";
        }

        if (!pricer.Tracker.TryGetIndex(address, out int index))
        {
            return $"address: {SecretRedaction.Excerpt(a.GetString()!)} is not a configured pool";
        }

        if (!pricer.Tracker.IsV3(index))
        {
            return Big(pool, "reserve0", out UInt256 r0) ?? Big(pool, "reserve1", out UInt256 r1) ?? LoadV2(pricer, index, block, r0, r1);
        }

        if (Big(pool, "sqrtPriceX96", out UInt256 sqrtPrice) is { } e1)
        {
            return e1;
        }

        if (Big(pool, "liquidity", out UInt256 liquidity) is { } e2)
        {
            return e2;
        }

        if (liquidity > (UInt256)UInt128.MaxValue)
        {
            return "liquidity: above uint128";
        }

        if (!pool.TryGetProperty("tick", out JsonElement t) || t.ValueKind != JsonValueKind.Number || !t.TryGetInt32(out int tick))
        {
            return "tick: missing or not an integer";
        }

        var ticks = new List<int>();
        var infos = new List<V3TickInfo>();
        if (pool.TryGetProperty("ticks", out JsonElement list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                return "ticks: must be an array of [tick, \"liquidityNet\"]";
            }

            foreach (JsonElement entry in list.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2 || !entry[0].TryGetInt32(out int at)
                    || entry[1].ValueKind != JsonValueKind.String || !Int256.TryParse(entry[1].GetString(), out Int256 wide)
                    || !Int256.TryToInt128(wide, out Int128 net) || net == Int128.MinValue)
                {
                    return "ticks: each entry must be [tick, \"liquidityNet\"] with an int128 net";
                }

                // Swaps read only liquidityNet; an initialized tick needs a non-zero gross, which |net| (or 1) is.
                ticks.Add(at);
                infos.Add(new V3TickInfo(net == 0 ? UInt128.One : (UInt128)Int128.Abs(net), net));
            }
        }

        short from = short.MinValue, to = short.MaxValue;
        if (pool.TryGetProperty("knownWords", out JsonElement words))
        {
            if (words.ValueKind != JsonValueKind.Array || words.GetArrayLength() != 2 || !words[0].TryGetInt16(out from) || !words[1].TryGetInt16(out to) || from > to)
            {
                return "knownWords: must be [fromWord, toWord] (int16, from <= to)";
            }
        }

        var state = new V3PoolState { SqrtPriceX96 = sqrtPrice, Tick = tick, Liquidity = (UInt128)liquidity };
        V3Status status = pricer.Tracker.LoadV3Snapshot(index, block, state, [.. ticks], [.. infos], from, to);
        return status == V3Status.Ok ? null : "the state is not a valid V3 state: " + V3StatusText.RevertReason(status);
    }

    private static string? LoadV2(OwnPoolPricer pricer, int index, ulong block, UInt256 reserve0, UInt256 reserve1)
    {
        pricer.Tracker.LoadV2Snapshot(index, block, reserve0, reserve1);
        return null;
    }

    private static string? Big(JsonElement pool, string name, out UInt256 value)
    {
        value = default;
        return pool.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String && UInt256.TryParse(e.GetString(), out value)
            ? null
            : name + ": missing or not an unsigned integer string";
    }
}
