using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Amm;

/// <summary>
/// Uniswap V3's <c>TickMath</c>, bit for bit: sqrt(1.0001^tick) × 2^96 and its inverse. Pure, allocation-free, any thread.
/// </summary>
public static class TickMath
{
    /// <summary>The lowest tick (log base 1.0001 of 2^-128).</summary>
    public const int MinTick = -887272;

    /// <summary>The highest tick.</summary>
    public const int MaxTick = 887272;

    /// <summary>getSqrtRatioAtTick(MIN_TICK) = 4295128739.</summary>
    public static readonly UInt256 MinSqrtRatio = new(4295128739UL);

    /// <summary>getSqrtRatioAtTick(MAX_TICK) = 1461446703485210103287273052203988822378723970342.</summary>
    public static readonly UInt256 MaxSqrtRatio = new(0x5D951D5263988D26UL, 0xEFD1FC6A50648849UL, 0xFFFD8963UL);

    // sqrt(1.0001^-(2^i)) as Q128.128 for i = 0..19, high limb first: the contract's constants.
    private static ReadOnlySpan<ulong> Factors =>
    [
        0xFFFCB933BD6FAD37UL, 0xAA2D162D1A594001UL,
        0xFFF97272373D4132UL, 0x59A46990580E213AUL,
        0xFFF2E50F5F656932UL, 0xEF12357CF3C7FDCCUL,
        0xFFE5CACA7E10E4E6UL, 0x1C3624EAA0941CD0UL,
        0xFFCB9843D60F6159UL, 0xC9DB58835C926644UL,
        0xFF973B41FA98C081UL, 0x472E6896DFB254C0UL,
        0xFF2EA16466C96A38UL, 0x43EC78B326B52861UL,
        0xFE5DEE046A99A2A8UL, 0x11C461F1969C3053UL,
        0xFCBE86C7900A88AEUL, 0xDCFFC83B479AA3A4UL,
        0xF987A7253AC41317UL, 0x6F2B074CF7815E54UL,
        0xF3392B0822B70005UL, 0x940C7A398E4B70F3UL,
        0xE7159475A2C29B74UL, 0x43B29C7FA6E889D9UL,
        0xD097F3BDFD2022B8UL, 0x845AD8F792AA5825UL,
        0xA9F746462D870FDFUL, 0x8A65DC1F90E061E5UL,
        0x70D869A156D2A1B8UL, 0x90BB3DF62BAF32F7UL,
        0x31BE135F97D08FD9UL, 0x81231505542FCFA6UL,
        0x09AA508B5B7A84E1UL, 0xC677DE54F3E99BC9UL,
        0x005D6AF8DEDB8119UL, 0x6699C329225EE604UL,
        0x00002216E584F5FAUL, 0x1EA926041BEDFE98UL,
        0x00000000048A1703UL, 0x91F7DC42444E8FA2UL,
    ];

    // log_2 × 255738958999603826347141 (log base sqrt(1.0001) as 128.128), and the two error bounds of the contract.
    private static readonly Int256 s_logSqrt10001Factor = Int256.FromBits(UInt256.Parse("255738958999603826347141"));
    private static readonly Int256 s_tickLowOffset = Int256.FromBits(UInt256.Parse("3402992956809132418596140100660247210"));
    private static readonly Int256 s_tickHighOffset = Int256.FromBits(UInt256.Parse("291339464771989622907027621153398088495"));

    /// <summary>getSqrtRatioAtTick: false ('T') when |tick| &gt; MAX_TICK.</summary>
    public static bool TryGetSqrtRatioAtTick(int tick, out UInt256 sqrtPriceX96)
    {
        uint absTick = tick < 0 ? (uint)-(long)tick : (uint)tick;
        if (absTick > MaxTick)
        {
            sqrtPriceX96 = default;
            return false;
        }

        sqrtPriceX96 = SqrtRatioAtTick(absTick, tick > 0);
        return true;
    }

    /// <summary>getSqrtRatioAtTick for a tick the caller has already bounded to [MIN_TICK, MAX_TICK].</summary>
    internal static UInt256 SqrtRatioAtTick(uint absTick, bool positive)
    {
        ReadOnlySpan<ulong> factors = Factors;

        // The contract starts from 2^128 (one in Q128.128), which does not fit a UInt128: "one" is tracked apart,
        // and (2^128 × c) >> 128 is c.
        bool isOne = (absTick & 1) == 0;
        UInt128 ratio = isOne ? UInt128.Zero : new UInt128(factors[0], factors[1]);
        for (int i = 1; i < 20; i++)
        {
            if ((absTick & (1u << i)) != 0)
            {
                var factor = new UInt128(factors[2 * i], factors[(2 * i) + 1]);
                ratio = isOne ? factor : MultiplyHigh(ratio, factor);
                isOne = false;
            }
        }

        if (isOne)
        {
            return FullMath.Q96;
        }

        UInt256 wide = positive ? UInt256.MaxValue / ratio : ratio;

        // Q128.128 to Q128.96, rounding up so that getTickAtSqrtRatio of the result is always consistent.
        UInt256 shifted = wide >> 32;
        return (wide.U0 & 0xFFFF_FFFFUL) == 0 ? shifted : shifted + UInt256.One;
    }

    /// <summary>getTickAtSqrtRatio: the greatest tick whose ratio is at most the price; false ('R') outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO).</summary>
    public static bool TryGetTickAtSqrtRatio(UInt256 sqrtPriceX96, out int tick)
    {
        if (sqrtPriceX96 < MinSqrtRatio || sqrtPriceX96 >= MaxSqrtRatio)
        {
            tick = 0;
            return false;
        }

        tick = TickAtSqrtRatio(sqrtPriceX96);
        return true;
    }

    /// <summary>getTickAtSqrtRatio for a price the caller has already bounded.</summary>
    internal static int TickAtSqrtRatio(UInt256 sqrtPriceX96)
    {
        UInt256 ratio = sqrtPriceX96 << 32;
        int msb = ratio.BitLength - 1;

        // Normalise to 128 bits with the top bit at 127, as the contract's r.
        UInt256 normalised = msb >= 128 ? ratio >> (msb - 127) : ratio << (127 - msb);
        var r = (UInt128)normalised;
        Int128 log2 = (Int128)(msb - 128) << 64;

        // Fourteen squarings give the fractional bits 63..50 of log_2.
        for (int bit = 63; bit >= 50; bit--)
        {
            UInt256 square = UInt256.Multiply(r, r);

            // (r × r) >> 127 has at most 129 bits; f is its top bit.
            var high = new UInt128(square.U3, square.U2);
            ulong f = square.U3 >> 63;
            log2 |= (Int128)f << bit;
            r = f != 0 ? high : (high << 1) | (square.U1 >> 63);
        }

        Int256 logSqrt10001 = (Int256)log2 * s_logSqrt10001Factor;
        int tickLow = (int)(long)((logSqrt10001 - s_tickLowOffset) >> 128);
        int tickHigh = (int)(long)((logSqrt10001 + s_tickHighOffset) >> 128);
        if (tickLow == tickHigh)
        {
            return tickLow;
        }

        return SqrtRatioAtTick((uint)Math.Abs(tickHigh), tickHigh > 0) <= sqrtPriceX96 ? tickHigh : tickLow;
    }

    /// <summary>The high 128 bits of a × b (the contract's <c>(ratio * c) &gt;&gt; 128</c>).</summary>
    private static UInt128 MultiplyHigh(UInt128 a, UInt128 b)
    {
        UInt256 product = UInt256.Multiply(a, b);
        return new UInt128(product.U3, product.U2);
    }
}
