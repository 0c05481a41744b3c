using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Paper;

/// <summary>What a venue does to one order instead of matching it normally.</summary>
public enum PaperFaultKind : byte
{
    None,

    /// <summary>The venue rejects the order when it arrives (<see cref="PaperReject.VenueRejected"/>).</summary>
    Reject,

    /// <summary>The venue never answers: the order stays in flight until a cancel reaches the venue.</summary>
    Timeout,

    /// <summary>The venue fills only <see cref="PaperFault.FillFraction"/> of the order and cancels the rest.</summary>
    Partial,
}

/// <summary>A fault planned for one order.</summary>
public readonly record struct PaperFault(PaperFaultKind Kind, double FillFraction = 0);

/// <summary>
/// Failures a paper venue plays on purpose, so that leg risk can be exercised: per order (by client order id) a reject,
/// a silence (timeout) or a partial fill, and per venue a disconnect window in which nothing reaches the venue (orders
/// and cancels sent, or arriving, inside it are refused with <see cref="PaperReject.VenueDisconnected"/>). Execution
/// thread only, like the exchange.
/// </summary>
public sealed class PaperFaults
{
    private readonly Dictionary<string, PaperFault> _orders = new(StringComparer.Ordinal);
    private readonly List<(byte Venue, long FromNs, long ToNs)> _disconnects = [];

    /// <summary>Plans <paramref name="fault"/> for the order sent under <paramref name="clientOrderId"/>.</summary>
    public void Order(string clientOrderId, PaperFault fault) => _orders[clientOrderId] = fault;

    /// <summary><paramref name="venue"/> is unreachable from <paramref name="fromNs"/> until <paramref name="toNs"/> (exclusive).</summary>
    public void Disconnect(VenueId venue, long fromNs, long toNs = long.MaxValue) => _disconnects.Add((venue.Value, fromNs, toNs));

    /// <summary>The fault planned for an order (None when none).</summary>
    public PaperFault For(string clientOrderId) => _orders.GetValueOrDefault(clientOrderId);

    /// <summary>Whether <paramref name="venue"/> is unreachable at <paramref name="nowNs"/>.</summary>
    public bool IsDisconnected(VenueId venue, long nowNs)
    {
        foreach ((byte v, long from, long to) in _disconnects)
        {
            if (v == venue.Value && nowNs >= from && nowNs < to)
            {
                return true;
            }
        }

        return false;
    }
}
