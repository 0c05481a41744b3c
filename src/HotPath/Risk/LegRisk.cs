using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Risk;

/// <summary>What to do with a leg left unhedged when its partner failed or timed out.</summary>
public enum LegPolicy : byte
{
    /// <summary>Always trade the residual back out on the venue it was filled on.</summary>
    Unwind,

    /// <summary>Keep the residual while the unhedged exposure stays within its asset and venue limits; unwind otherwise.</summary>
    HoldWithinLimits,
}

/// <summary>Where a leg of a two-leg trade stands.</summary>
public enum LegStatus : byte
{
    Pending,
    Working,
    Filled,
    Failed,
    TimedOut,
}

/// <summary>The next step the executor must take for a pair, as a value.</summary>
public enum PairStep : byte
{
    /// <summary>Nothing to do yet: a leg is still working.</summary>
    Wait,

    /// <summary>A leg failed while the other is still working: cancel the other leg (<see cref="PairInstruction.Leg"/>).</summary>
    CancelOther,

    /// <summary>Both legs are done and matched: the trade is hedged.</summary>
    Hedged,

    /// <summary>Send <see cref="PairInstruction.Quantity"/> on <see cref="PairInstruction.Side"/> at <see cref="PairInstruction.Venue"/> to flatten the residual.</summary>
    Unwind,

    /// <summary>The residual is kept: it is within the unhedged limits and the policy allows holding.</summary>
    Held,

    /// <summary>Neither leg filled anything: nothing to unwind.</summary>
    NothingFilled,
}

/// <summary>The coordinator's answer after an event.</summary>
public readonly record struct PairInstruction(PairStep Step, int Leg, VenueId Venue, Side Side, double Quantity);

/// <summary>
/// Unhedged exposure per asset and per venue, in quote units (USD), with limits. Updated as residuals are held and
/// released; the leg coordinator asks it whether a residual may be held. Execution thread; allocation-free after
/// construction.
/// </summary>
public sealed class UnhedgedExposure
{
    private readonly double[] _asset;
    private readonly double[] _venue;

    public UnhedgedExposure(int assets, int venues, double maxPerAssetUsd, double maxPerVenueUsd)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(assets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(venues, 1);
        _asset = new double[assets];
        _venue = new double[venues];
        MaxPerAssetUsd = maxPerAssetUsd;
        MaxPerVenueUsd = maxPerVenueUsd;
    }

    public double MaxPerAssetUsd { get; }

    public double MaxPerVenueUsd { get; }

    /// <summary>Absolute unhedged notional held on <paramref name="asset"/>.</summary>
    public double AssetUsd(InstrumentId asset) => asset.Value < _asset.Length ? _asset[asset.Value] : 0;

    /// <summary>Absolute unhedged notional held on <paramref name="venue"/>.</summary>
    public double VenueUsd(VenueId venue) => venue.Value < _venue.Length ? _venue[venue.Value] : 0;

    /// <summary>Whether <paramref name="usd"/> more may be held on this asset and venue.</summary>
    public bool Fits(InstrumentId asset, VenueId venue, double usd) =>
        asset.Value < _asset.Length && venue.Value < _venue.Length
        && _asset[asset.Value] + usd <= MaxPerAssetUsd && _venue[venue.Value] + usd <= MaxPerVenueUsd;

    /// <summary>Records a held residual (positive) or its release (negative).</summary>
    public void Add(InstrumentId asset, VenueId venue, double usd)
    {
        if (asset.Value < _asset.Length && venue.Value < _venue.Length)
        {
            _asset[asset.Value] = Math.Max(0, _asset[asset.Value] + usd);
            _venue[venue.Value] = Math.Max(0, _venue[venue.Value] + usd);
        }
    }
}

/// <summary>
/// One two-leg trade (leg 0 buys on one venue, leg 1 sells on another, the same quantity): tracks each leg's fills and
/// end, and says what to do next. A leg that fails or times out gets its partner cancelled; once both are done, a
/// quantity mismatch is unwound on the venue that over-filled, or held within <see cref="UnhedgedExposure"/> limits
/// when the policy allows. Fills are capped at each leg's quantity, so a duplicate or late fill can never make a
/// position bigger than was asked for. Execution thread; allocation-free.
/// </summary>
public sealed class LegCoordinator
{
    private readonly LegPolicy _policy;
    private readonly UnhedgedExposure _exposure;
    private InstrumentId _asset;
    private VenueId _buyVenue;
    private VenueId _sellVenue;
    private double _quantity;
    private double _price;
    private LegStatus _buy;
    private LegStatus _sell;
    private double _bought;
    private double _sold;
    private bool _settled;

    public LegCoordinator(LegPolicy policy, UnhedgedExposure exposure)
    {
        ArgumentNullException.ThrowIfNull(exposure);
        _policy = policy;
        _exposure = exposure;
    }

    public LegStatus BuyLeg => _buy;

    public LegStatus SellLeg => _sell;

    /// <summary>Base bought minus base sold so far (positive: long on the buy venue).</summary>
    public double Residual => _bought - _sold;

    /// <summary>Starts a new pair; both legs are sent (working).</summary>
    public void Start(InstrumentId asset, VenueId buyVenue, VenueId sellVenue, double quantity, double referencePrice)
    {
        (_asset, _buyVenue, _sellVenue, _quantity, _price) = (asset, buyVenue, sellVenue, quantity, referencePrice);
        (_buy, _sell, _bought, _sold, _settled) = (LegStatus.Working, LegStatus.Working, 0, 0, false);
    }

    /// <summary>A fill on <paramref name="leg"/> (0 buy, 1 sell); <paramref name="complete"/> when the venue says the order is done.</summary>
    public PairInstruction OnFill(int leg, double quantity, bool complete)
    {
        if (!(quantity > 0) || !double.IsFinite(quantity))
        {
            return Next();
        }

        if (leg == 0 && _buy == LegStatus.Working)
        {
            _bought = Math.Min(_quantity, _bought + quantity);
            _buy = complete || _bought >= _quantity ? LegStatus.Filled : LegStatus.Working;
        }
        else if (leg == 1 && _sell == LegStatus.Working)
        {
            _sold = Math.Min(_quantity, _sold + quantity);
            _sell = complete || _sold >= _quantity ? LegStatus.Filled : LegStatus.Working;
        }

        return Next();
    }

    /// <summary>The venue rejected, or the executor gave up on, <paramref name="leg"/>; its fills so far stand.</summary>
    public PairInstruction OnFailed(int leg) => End(leg, LegStatus.Failed);

    /// <summary><paramref name="leg"/> was not confirmed within its window (cancelled); its fills so far stand.</summary>
    public PairInstruction OnTimedOut(int leg) => End(leg, LegStatus.TimedOut);

    /// <summary>The unwind of a residual was done (or the held residual was closed later): frees its exposure.</summary>
    public void OnResidualClosed(double usd) => _exposure.Add(_asset, _bought >= _sold ? _buyVenue : _sellVenue, -usd);

    private PairInstruction End(int leg, LegStatus status)
    {
        if (leg == 0 && _buy == LegStatus.Working)
        {
            _buy = status;
        }
        else if (leg == 1 && _sell == LegStatus.Working)
        {
            _sell = status;
        }

        return Next();
    }

    private PairInstruction Next()
    {
        bool buyDone = _buy != LegStatus.Working;
        bool sellDone = _sell != LegStatus.Working;
        if (!buyDone || !sellDone)
        {
            bool buyBad = _buy is LegStatus.Failed or LegStatus.TimedOut;
            bool sellBad = _sell is LegStatus.Failed or LegStatus.TimedOut;
            return buyBad && !sellDone ? new(PairStep.CancelOther, 1, _sellVenue, Side.Ask, 0)
                : sellBad && !buyDone ? new(PairStep.CancelOther, 0, _buyVenue, Side.Bid, 0)
                : new(PairStep.Wait, -1, default, default, 0);
        }

        double residual = _bought - _sold;
        if (Math.Abs(residual) <= _quantity * 1e-9)
        {
            return _bought == 0 ? new(PairStep.NothingFilled, -1, default, default, 0) : new(PairStep.Hedged, -1, default, default, 0);
        }

        // Long on the buy venue: sell it back there. Short on the sell venue: buy it back there.
        VenueId venue = residual > 0 ? _buyVenue : _sellVenue;
        double usd = Math.Abs(residual) * _price;
        if (_policy == LegPolicy.HoldWithinLimits && (_settled || _exposure.Fits(_asset, venue, usd)))
        {
            if (!_settled)
            {
                _exposure.Add(_asset, venue, usd);
                _settled = true;
            }

            return new(PairStep.Held, residual > 0 ? 0 : 1, venue, residual > 0 ? Side.Ask : Side.Bid, Math.Abs(residual));
        }

        return new(PairStep.Unwind, residual > 0 ? 0 : 1, venue, residual > 0 ? Side.Ask : Side.Bid, Math.Abs(residual));
    }
}
