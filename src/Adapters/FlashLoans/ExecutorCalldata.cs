using System.Buffers.Binary;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Abi;

namespace LowLatency.Adapters.FlashLoans;

/// <summary>
/// Calldata for <c>FlashArbExecutor.execute(address asset, uint256 amount, uint256 minProfit, uint256 builderBps,
/// bytes legs)</c>, written word by word into the caller's buffer (no allocation). Each leg is four words:
/// [pool | kind &lt;&lt; 160 | zeroForOne &lt;&lt; 168], tokenIn, amountIn, amountOut.
/// </summary>
public static class ExecutorCalldata
{
    public const int LegBytes = 128;

    public static readonly AbiFunction Execute = AbiFunction.Parse("execute(address,uint256,uint256,uint256,bytes)");

    public static readonly AbiFunction Rescue = AbiFunction.Parse("rescue(address,address,uint256)");

    public static int LengthFor(int hopCount) => 4 + (6 * 32) + (hopCount * LegBytes);

    /// <summary>Writes the call; returns its length, or 0 when the route is empty or the buffer too small.</summary>
    public static int Write(FlashRoute route, UInt256 minProfit, uint builderBps, Span<byte> dest)
    {
        int hops = route.HopCount;
        int length = LengthFor(hops);
        if (hops == 0 || dest.Length < length || builderBps > 10_000)
        {
            return 0;
        }

        Execute.Selector.CopyTo(dest);
        Span<byte> w = dest[4..length];
        AbiWord.WriteAddress(w, route.Asset);
        AbiWord.WriteUInt256(w[32..], route.Amount);
        AbiWord.WriteUInt256(w[64..], minProfit);
        AbiWord.WriteUInt256(w[96..], builderBps);
        AbiWord.WriteUInt256(w[128..], 5 * 32);
        AbiWord.WriteUInt256(w[160..], (ulong)(hops * LegBytes));
        Span<byte> legs = w[192..];
        for (int i = 0; i < hops; i++)
        {
            ref readonly RouteHop hop = ref route[i];
            Span<byte> leg = legs.Slice(i * LegBytes, LegBytes);
            leg[..32].Clear();
            leg[10] = hop.ZeroForOne ? (byte)1 : (byte)0;
            leg[11] = (byte)hop.Kind;
            hop.Pool.CopyTo(leg[12..32]);
            AbiWord.WriteAddress(leg[32..], hop.TokenIn);
            AbiWord.WriteUInt256(leg[64..], hop.AmountIn);
            AbiWord.WriteUInt256(leg[96..], hop.ExpectedOut);
        }

        return length;
    }

    /// <summary>Reads the selector of a call (for logs and the loopback relay's checks).</summary>
    public static uint SelectorOf(ReadOnlySpan<byte> calldata) => calldata.Length < 4 ? 0 : BinaryPrimitives.ReadUInt32BigEndian(calldata);
}
