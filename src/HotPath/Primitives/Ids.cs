namespace LowLatency.HotPath.Primitives;

/// <summary>A venue (exchange or chain DEX) as a small integer assigned at start-up. Ring events hold ids, never strings.</summary>
public readonly record struct VenueId(byte Value)
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>An instrument (e.g. BTC/USDT) as a small integer assigned at start-up; the same id on every venue that lists it.</summary>
public readonly record struct InstrumentId(ushort Value)
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Which side of a book a level belongs to.</summary>
public enum Side : byte
{
    Bid = 0,
    Ask = 1,
}
