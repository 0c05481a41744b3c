namespace LowLatency.Adapters.Ethereum.Rlp;

/// <summary>Why RLP input was rejected. Every non-canonical form ethereum/tests rejects has its own value.</summary>
public enum RlpError
{
    None = 0,

    /// <summary>The input ended before the item's header or payload did.</summary>
    UnexpectedEnd,

    /// <summary>A single byte below 0x80 was wrapped in a string header (0x81 0x00..0x7f).</summary>
    NonCanonicalSingleByte,

    /// <summary>The long form was used for a payload shorter than 56 bytes.</summary>
    NonCanonicalLongLength,

    /// <summary>A long-form length started with a zero byte.</summary>
    LeadingZeroInLength,

    /// <summary>A declared length does not fit in a 32-bit int.</summary>
    LengthOverflow,

    /// <summary>Bytes remain after the top-level item or inside a list after its last item.</summary>
    TrailingBytes,

    /// <summary>A string was expected but a list was found.</summary>
    ExpectedString,

    /// <summary>A list was expected but a string was found.</summary>
    ExpectedList,

    /// <summary>An integer had a leading zero byte (including 0x00 for zero).</summary>
    LeadingZeroInInteger,

    /// <summary>An integer does not fit the target type.</summary>
    IntegerTooLarge,

    /// <summary>A fixed-size field (address, hash) had the wrong length.</summary>
    WrongLength,

    /// <summary>Lists nested deeper than the decoder allows.</summary>
    TooDeep,
}

/// <summary>Human-readable text for <see cref="RlpError"/>.</summary>
public static class RlpErrorText
{
    public static string Describe(this RlpError error) => error switch
    {
        RlpError.None => "no error",
        RlpError.UnexpectedEnd => "RLP input ends before the declared length",
        RlpError.NonCanonicalSingleByte => "non-canonical RLP: a single byte < 0x80 must encode as itself",
        RlpError.NonCanonicalLongLength => "non-canonical RLP: long length form used for fewer than 56 bytes",
        RlpError.LeadingZeroInLength => "non-canonical RLP: leading zero in a length",
        RlpError.LengthOverflow => "RLP length too large",
        RlpError.TrailingBytes => "trailing bytes after the RLP item",
        RlpError.ExpectedString => "RLP string expected, found a list",
        RlpError.ExpectedList => "RLP list expected, found a string",
        RlpError.LeadingZeroInInteger => "non-canonical RLP integer: leading zero byte",
        RlpError.IntegerTooLarge => "RLP integer too large for its field",
        RlpError.WrongLength => "RLP field has the wrong length",
        RlpError.TooDeep => "RLP lists nested too deeply",
        _ => error.ToString(),
    };
}
