using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Paper;

/// <summary>One paper venue: its fees and the one-way latency an order takes to reach its matching engine.</summary>
public sealed record PaperVenueSpec(VenueId Id, string Name, double TakerFee, double MakerFee, long LatencyNs);

/// <summary>A tradable pair on the paper venues: base and quote asset names and the instrument's fixed-point scales.</summary>
public sealed record PaperInstrumentSpec(InstrumentId Id, string Base, string Quote, int PriceDecimals, int QuantityDecimals);

/// <summary>Taker (crosses now, walks depth) or passive (rests at its limit and waits its turn in the queue).</summary>
public enum PaperOrderKind : byte
{
    Market,
    Limit,
    PostOnly,
}

/// <summary>Where a paper order stands.</summary>
public enum PaperOrderStatus : byte
{
    /// <summary>Sent; still travelling (its venue's latency).</summary>
    InFlight,
    Resting,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
}

/// <summary>Why a paper order was rejected or left unfilled: values the caller reconciles, never exceptions.</summary>
public enum PaperReject : byte
{
    None,
    InsufficientBalance,
    UnknownVenue,
    UnknownInstrument,
    InvalidQuantity,
    NoLiquidity,
    DuplicateClientOrderId,
    WouldCross,
    UnknownOrder,

    /// <summary>The venue refused the order on arrival (an injected <see cref="PaperFaultKind.Reject"/>).</summary>
    VenueRejected,

    /// <summary>The venue could not be reached (an injected disconnect): the order never got there.</summary>
    VenueDisconnected,

    /// <summary>The venue filled part of the order and cancelled the rest (an injected <see cref="PaperFaultKind.Partial"/>).</summary>
    VenueCancelled,
}

/// <summary>An order as sent by a strategy. <see cref="LimitPrice"/> is ignored for market orders.</summary>
public readonly record struct PaperOrderRequest(
    string ClientOrderId,
    int Strategy,
    VenueId Venue,
    InstrumentId Instrument,
    Side Side,
    PaperOrderKind Kind,
    Quantity Quantity,
    Price LimitPrice);

/// <summary>
/// One fill. <see cref="Side"/> is our side (<see cref="HotPath.Primitives.Side.Bid"/> = we bought). Quote amounts and
/// fees are in the quote asset.
/// </summary>
public readonly record struct PaperFill(
    string ClientOrderId,
    int Strategy,
    VenueId Venue,
    InstrumentId Instrument,
    Side Side,
    double Price,
    double Quantity,
    double Fee,
    bool Maker,
    long TimeNs);

/// <summary>The state of an order, copied out.</summary>
public readonly record struct PaperOrderState(
    string ClientOrderId,
    PaperOrderStatus Status,
    double FilledQuantity,
    double RemainingQuantity,
    double AveragePrice,
    PaperReject Reason);
