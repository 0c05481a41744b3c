using System.Globalization;

namespace LowLatency.Adapters.Cex.Execution;

/// <summary>Which of a venue's order rules an order breaks.</summary>
public enum RuleBreach : byte
{
    None,

    /// <summary>The price is not a multiple of the tick (Binance PRICE_FILTER, Bybit 170134, OKX 51000 px).</summary>
    Tick,

    /// <summary>The quantity is not a multiple of the lot step (Binance LOT_SIZE, Bybit 170137, OKX 51121).</summary>
    Step,

    /// <summary>Below the least quantity (Binance LOT_SIZE minQty, Bybit 170136, OKX 51020, Kraken ordermin).</summary>
    MinQuantity,

    /// <summary>Price × quantity below the least order value (Binance NOTIONAL, Bybit 170140, Kraken costmin, Coinbase quote_min_size).</summary>
    MinNotional,
}

/// <summary>
/// A venue's order rules for one symbol, as its public instrument endpoint gives them (a rule the venue does not have is
/// 0): the price tick, the quantity step, the least quantity and the least order value in the quote asset. Orders are
/// shaped to them before they leave (<see cref="Shape"/>), so a venue never refuses one of ours for a filter. The base
/// and quote assets are named as the venue's balances name them (Kraken's XXBT/ZUSD), "" where the venue did not say.
/// </summary>
public sealed record SymbolRules(decimal TickSize, decimal StepSize, decimal MinQuantity, decimal MinNotional, string BaseAsset = "", string QuoteAsset = "")
{
    /// <summary>The rules, or null when one is negative.</summary>
    public static SymbolRules? TryCreate(decimal tickSize, decimal stepSize, decimal minQuantity, decimal minNotional, string? baseAsset = null, string? quoteAsset = null) =>
        tickSize >= 0 && stepSize >= 0 && minQuantity >= 0 && minNotional >= 0
            ? new SymbolRules(tickSize, stepSize, minQuantity, minNotional, baseAsset ?? "", quoteAsset ?? "")
            : null;

    /// <summary>The first rule an order at <paramref name="price"/> for <paramref name="quantity"/> breaks (what the venue would refuse).</summary>
    public RuleBreach Check(decimal quantity, decimal price) =>
        TickSize > 0 && price % TickSize != 0 ? RuleBreach.Tick
        : StepSize > 0 && quantity % StepSize != 0 ? RuleBreach.Step
        : quantity < MinQuantity ? RuleBreach.MinQuantity
        : quantity * price < MinNotional ? RuleBreach.MinNotional
        : RuleBreach.None;

    /// <summary>The largest multiple of the step not above <paramref name="quantity"/> (the quantity itself when there is no step).</summary>
    public decimal FloorQuantity(decimal quantity) => StepSize > 0 ? decimal.Floor(quantity / StepSize) * StepSize : quantity;

    /// <summary>
    /// An order on the venue's grid: the quantity down to the step, the price to the tick on the side that never trades
    /// worse than asked (a buy down, a sell up; the limit is the trade's protection). A result below the least quantity
    /// or value is refused here, with the numbers, as <see cref="ExecError.MinNotional"/>; a price that rounds to 0 as
    /// <see cref="ExecError.PriceFilter"/>. Nothing is sent for a refused order.
    /// </summary>
    public ExecResult<OrderRequest> Shape(OrderRequest order)
    {
        ArgumentNullException.ThrowIfNull(order);
        decimal quantity = FloorQuantity(order.Quantity);
        decimal price = TickSize > 0
            ? (order.Buy ? decimal.Floor(order.Price / TickSize) : decimal.Ceiling(order.Price / TickSize)) * TickSize
            : order.Price;
        if (!(price > 0))
        {
            return ExecResult<OrderRequest>.Fail(ExecError.PriceFilter, Text($"price {order.Price} is below the tick {TickSize}"));
        }

        if (!(quantity > 0) || quantity < MinQuantity)
        {
            return ExecResult<OrderRequest>.Fail(ExecError.MinNotional,
                Text($"quantity {order.Quantity} is {quantity} on the lot step {StepSize}, below the least quantity {Math.Max(MinQuantity, StepSize)}"));
        }

        if (quantity * price < MinNotional)
        {
            return ExecResult<OrderRequest>.Fail(ExecError.MinNotional, Text($"order value {quantity * price} ({quantity} at {price}) is below the least value {MinNotional}"));
        }

        return ExecResult<OrderRequest>.Success(order with { Quantity = quantity, Price = price });
    }

    /// <summary>
    /// The value without the trailing zeros of its scale (30000.00000000 → 30000): venues read the decimals they are sent
    /// as the order's precision, and a message reads better without them.
    /// </summary>
    public static decimal WithoutTrailingZeros(decimal value) => value / 1.0000000000000000000000000000m;

    /// <summary>"BTC/USDT tick 0.01, step 0.00001, min quantity 0.00001, min value 5".</summary>
    public override string ToString() =>
        Text($"{(BaseAsset.Length > 0 || QuoteAsset.Length > 0 ? BaseAsset + "/" + QuoteAsset + " " : "")}tick {TickSize}, step {StepSize}, min quantity {MinQuantity}, min value {MinNotional}");

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
