using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LowLatency.HotPath.Primitives;

/// <summary>A venue (exchange or chain DEX) as a small integer assigned at start-up. Ring events hold ids, never strings.</summary>
public readonly record struct VenueId(byte Value)
{
    /// <summary>How many distinct venues the id space holds (0 … 255).</summary>
    public const int MaxCount = byte.MaxValue + 1;

    /// <summary>
    /// The id of the venue at <paramref name="index"/> (0-based, in assignment order). Throws, naming the limit, when the
    /// index does not fit, so an id never wraps. Start-up; allocation-free unless it throws.
    /// </summary>
    public static VenueId FromIndex(int index) =>
        (uint)index < MaxCount ? new VenueId((byte)index) : ThrowLimit<VenueId>(index + 1L, MaxCount, "venues");

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    [DoesNotReturn]
    internal static T ThrowLimit<T>(long count, int max, string what) =>
        throw new ArgumentOutOfRangeException(nameof(count), count, IdLimits.Message(count, max, what));
}

/// <summary>An instrument (e.g. BTC/USDT) as a small integer assigned at start-up; the same id on every venue that lists it.</summary>
public readonly record struct InstrumentId(ushort Value)
{
    /// <summary>How many distinct instruments the id space holds (0 … 65,535).</summary>
    public const int MaxCount = ushort.MaxValue + 1;

    /// <summary>
    /// The id of the instrument at <paramref name="index"/> (0-based, in assignment order). Throws, naming the limit, when
    /// the index does not fit, so an id never wraps. Start-up; allocation-free unless it throws.
    /// </summary>
    public static InstrumentId FromIndex(int index) =>
        (uint)index < MaxCount ? new InstrumentId((ushort)index) : VenueId.ThrowLimit<InstrumentId>(index + 1L, MaxCount, "instruments");

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The wording of every id-space limit, so each one reads the same wherever it is hit.</summary>
public static class IdLimits
{
    /// <summary>"40,000 instruments; the engine holds at most 32,767 books" style text. Start-up only; allocates.</summary>
    public static string Message(long count, int max, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {what}; the engine holds at most {max:N0} {what}");
}

/// <summary>Which side of a book a level belongs to.</summary>
public enum Side : byte
{
    Bid = 0,
    Ask = 1,
}
