using System.Text;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Host.Diagnostics;

/// <summary>
/// Fixed-point values as decimal text for logs, the dashboard and the CLI. Kept out of HotPath because it allocates a
/// string; the hot path formats into spans with <see cref="FixedPoint.Format"/>.
/// </summary>
public static class FixedPointText
{
    /// <summary>raw / 10^decimals without trailing zeros ("0.3513", "-1.5", "0").</summary>
    public static string ToDecimalString(long raw, int decimals)
    {
        Span<byte> buffer = stackalloc byte[48];
        int written = FixedPoint.Format(raw, decimals, buffer);
        return Encoding.ASCII.GetString(buffer[..written]);
    }
}
