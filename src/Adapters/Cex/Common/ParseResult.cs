namespace LowLatency.Adapters.Cex.Common;

/// <summary>Outcome of parsing one venue frame.</summary>
public enum ParseResult : byte
{
    /// <summary>A book/top message is in the scratch, ready to publish.</summary>
    Message = 0,

    /// <summary>A frame we recognise but do not consume (trades, candles, subscription acks, heartbeats). Counted, not an error.</summary>
    Ignored = 1,

    /// <summary>The frame was rejected (see <see cref="ParseError"/>); nothing must be published. Counted.</summary>
    Rejected = 2,
}

/// <summary>Why a frame was rejected. One counter per value in <see cref="ParseCounters"/>.</summary>
public enum ParseError : byte
{
    None = 0,

    /// <summary>Not valid JSON.</summary>
    MalformedJson,

    /// <summary>JSON that ends before its structure is closed.</summary>
    TruncatedJson,

    /// <summary>A field of the right name has the wrong JSON type or shape (e.g. a level that is not [price, qty]).</summary>
    WrongShape,

    /// <summary>A field this message type does not have.</summary>
    UnknownField,

    /// <summary>A required field is absent.</summary>
    MissingField,

    /// <summary>The same field twice.</summary>
    DuplicateField,

    /// <summary>An event type we do not know at all.</summary>
    UnknownEvent,

    /// <summary>A symbol not in the venue's symbol table.</summary>
    UnknownSymbol,

    /// <summary>A price or quantity that is not a plain decimal (NaN, Infinity, exponent, escapes, empty).</summary>
    NotANumber,

    /// <summary>A negative price or quantity.</summary>
    Negative,

    /// <summary>A price or quantity beyond the fixed-point range.</summary>
    Overflow,

    /// <summary>More decimals than the instrument's scale (would be silently rounded).</summary>
    TooPrecise,

    /// <summary>A zero price.</summary>
    ZeroPrice,

    /// <summary>A sequence id that is not a non-negative integer, or first id &gt; last id.</summary>
    BadUpdateId,

    /// <summary>Best bid ≥ best ask in a top or snapshot, or levels out of order in a snapshot.</summary>
    Crossed,

    /// <summary>More levels than the parser's preallocated scratch holds.</summary>
    TooManyLevels,

    /// <summary>A REST response whose URL does not carry the expected query (e.g. no <c>symbol=</c>).</summary>
    BadUrl,
}
