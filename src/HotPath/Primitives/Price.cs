using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Primitives;

/// <summary>
/// A price as a scaled integer: <see cref="Raw"/> = price × 10^<see cref="InstrumentSpec.PriceDecimals"/> of its instrument.
/// Comparable across venues for one instrument. Zero means "no price".
/// </summary>
public readonly record struct Price(long Raw) : IComparable<Price>
{
    public static Price None => default;

    public bool IsSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Raw > 0;
    }

    public int CompareTo(Price other) => Raw.CompareTo(other.Raw);

    public static bool operator <(Price left, Price right) => left.Raw < right.Raw;

    public static bool operator >(Price left, Price right) => left.Raw > right.Raw;

    public static bool operator <=(Price left, Price right) => left.Raw <= right.Raw;

    public static bool operator >=(Price left, Price right) => left.Raw >= right.Raw;
}

/// <summary>A quantity as a scaled integer: <see cref="Raw"/> = qty × 10^<see cref="InstrumentSpec.QuantityDecimals"/>. Zero deletes a level.</summary>
public readonly record struct Quantity(long Raw) : IComparable<Quantity>
{
    public bool IsZero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Raw == 0;
    }

    public int CompareTo(Quantity other) => Raw.CompareTo(other.Raw);

    public static bool operator <(Quantity left, Quantity right) => left.Raw < right.Raw;

    public static bool operator >(Quantity left, Quantity right) => left.Raw > right.Raw;

    public static bool operator <=(Quantity left, Quantity right) => left.Raw <= right.Raw;

    public static bool operator >=(Quantity left, Quantity right) => left.Raw >= right.Raw;
}

/// <summary>Static description of an instrument: its id, a display name and its fixed-point scales.</summary>
public sealed record InstrumentSpec(InstrumentId Id, string Name, int PriceDecimals, int QuantityDecimals);
