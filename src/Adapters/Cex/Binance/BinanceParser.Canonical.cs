using System.Runtime.CompilerServices;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Binance;

/// <summary>
/// The fast path: depth diffs and REST snapshots exactly as Binance writes them (no whitespace, no escapes, only the
/// fields of the message type, each once, numbers in their shortest form), read with a byte scanner instead of
/// <see cref="System.Text.Json.Utf8JsonReader"/>. It accepts a strict subset of what the reader path accepts and produces
/// the same message; anything else (any rejection, unknown field, odd spacing) it hands back untouched, with the scratch
/// reset, to the reader path, which alone rejects and counts. So behaviour is the reader path's, by construction.
/// </summary>
public sealed partial class BinanceParser
{
    /// <summary>A depth payload <c>{"e":"depthUpdate",...}</c> spanning all of <paramref name="json"/>; false: not handled.</summary>
    private bool TryParseCanonicalDepth(ReadOnlySpan<byte> json, BookMessage output)
    {
        if (ScanDepth(json, output))
        {
            return true;
        }

        output.Reset();
        return false;
    }

    /// <summary>A REST snapshot body spanning all of <paramref name="body"/> for a known instrument; false: not handled.</summary>
    private bool TryParseCanonicalSnapshot(ReadOnlySpan<byte> body, InstrumentId instrument, InstrumentSpec spec, BookMessage output)
    {
        if (ScanSnapshot(body, instrument, spec, output))
        {
            return true;
        }

        output.Reset();
        return false;
    }

    private bool ScanDepth(ReadOnlySpan<byte> p, BookMessage output)
    {
        int expected = _market == BinanceMarket.Spot ? SpotDepthFields : FuturesDepthFields;
        int seen = 0;
        long eventTime = 0;
        long firstId = 0;
        long lastId = 0;
        long prevId = 0;
        InstrumentSpec? spec = null;
        int pos = 1;
        if (!At(p, 0, (byte)'{'))
        {
            return false;
        }

        while (true)
        {
            if (!TryScanName(p, ref pos, out ReadOnlySpan<byte> name))
            {
                return false;
            }

            int field = FieldOf(name);
            if ((field & expected & ~seen) == 0)
            {
                return false; // unknown, not of a depth diff, or repeated
            }

            seen |= field;
            bool ok;
            switch (field)
            {
                case FieldEventType:
                    ok = p[pos..].StartsWith("\"depthUpdate\""u8);
                    pos += 13;
                    break;
                case FieldEventTime:
                    ok = TryScanInteger(p, ref pos, out eventTime) && eventTime <= MaxMillis;
                    break;
                case FieldTradeTime:
                    ok = TryScanInteger(p, ref pos, out long tradeTime) && tradeTime <= MaxMillis;
                    break;
                case FieldSymbol:
                    ok = TryScanSymbol(p, ref pos, output, out spec);
                    break;
                case FieldFirstId:
                    ok = TryScanInteger(p, ref pos, out firstId);
                    break;
                case FieldLastId:
                    ok = TryScanInteger(p, ref pos, out lastId);
                    break;
                case FieldPrevId:
                    ok = TryScanInteger(p, ref pos, out prevId);
                    break;
                default: // FieldBids, FieldAsks: the scale must be known by now
                    ok = spec is not null && TryScanLevels(p, ref pos, field == FieldBids ? Side.Bid : Side.Ask, spec, output);
                    break;
            }

            if (!ok)
            {
                return false;
            }

            if (At(p, pos, (byte)'}'))
            {
                break;
            }

            if (!At(p, pos, (byte)','))
            {
                return false;
            }

            pos++;
        }

        if (pos != p.Length - 1 || seen != expected || firstId > lastId || (_market == BinanceMarket.Futures && prevId > lastId))
        {
            return false;
        }

        output.Kind = TickKind.Delta;
        output.FirstUpdateId = firstId;
        output.LastUpdateId = lastId;
        output.ExchangeTimeNs = eventTime * 1_000_000;
        if (_market == BinanceMarket.Futures)
        {
            output.PrevUpdateId = prevId;
            output.Flags = TickFlags.HasPrevUpdateId;
        }

        return true;
    }

    private bool ScanSnapshot(ReadOnlySpan<byte> p, InstrumentId instrument, InstrumentSpec spec, BookMessage output)
    {
        int expected = SnapLastId | SnapBids | SnapAsks | (_market == BinanceMarket.Futures ? SnapEventTime | SnapTradeTime : 0);
        int seen = 0;
        long lastId = 0;
        long eventTime = 0;
        int pos = 1;
        if (!At(p, 0, (byte)'{'))
        {
            return false;
        }

        while (true)
        {
            if (!TryScanName(p, ref pos, out ReadOnlySpan<byte> name))
            {
                return false;
            }

            int field = SnapshotFieldOf(name);
            if ((field & expected & ~seen) == 0)
            {
                return false;
            }

            seen |= field;
            bool ok = field switch
            {
                SnapLastId => TryScanInteger(p, ref pos, out lastId),
                SnapEventTime => TryScanInteger(p, ref pos, out eventTime) && eventTime <= MaxMillis,
                SnapTradeTime => TryScanInteger(p, ref pos, out long tradeTime) && tradeTime <= MaxMillis,
                _ => TryScanLevels(p, ref pos, field == SnapBids ? Side.Bid : Side.Ask, spec, output),
            };
            if (!ok)
            {
                return false;
            }

            if (At(p, pos, (byte)'}'))
            {
                break;
            }

            if (!At(p, pos, (byte)','))
            {
                return false;
            }

            pos++;
        }

        if (pos != p.Length - 1 || seen != expected || !output.IsOrderedAndUncrossed())
        {
            return false;
        }

        output.Kind = TickKind.Snapshot;
        output.Instrument = instrument;
        output.FirstUpdateId = lastId;
        output.LastUpdateId = lastId;
        output.ExchangeTimeNs = eventTime * 1_000_000;
        return true;
    }

    /// <summary><c>"name":</c> at <paramref name="pos"/>; leaves <paramref name="pos"/> on the value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryScanName(ReadOnlySpan<byte> p, ref int pos, out ReadOnlySpan<byte> name)
    {
        name = default;
        if (!At(p, pos, (byte)'"'))
        {
            return false;
        }

        int start = pos + 1;
        int length = p[start..].IndexOfAny((byte)'"', (byte)'\\');
        if (length < 0 || p[start + length] != (byte)'"' || !At(p, start + length + 1, (byte)':'))
        {
            return false;
        }

        name = p.Slice(start, length);
        pos = start + length + 2;
        return true;
    }

    /// <summary>A JSON integer in shortest form (no sign, no leading zero, at most 18 digits): what TryGetInt64 reads as ≥ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryScanInteger(ReadOnlySpan<byte> p, ref int pos, out long value)
    {
        value = 0;
        int start = pos;
        while ((uint)pos < (uint)p.Length)
        {
            uint d = (uint)p[pos] - '0';
            if (d > 9)
            {
                break;
            }

            if (pos - start == 18)
            {
                return false;
            }

            value = (value * 10) + d;
            pos++;
        }

        int digits = pos - start;
        return digits == 1 || (digits > 1 && p[start] != (byte)'0');
    }

    /// <summary>The symbol string (printable ASCII, no escapes) of a known instrument; writes the instrument.</summary>
    private bool TryScanSymbol(ReadOnlySpan<byte> p, ref int pos, BookMessage output, out InstrumentSpec? spec)
    {
        spec = null;
        if (!At(p, pos, (byte)'"'))
        {
            return false;
        }

        int start = pos + 1;
        int length = p[start..].IndexOf((byte)'"');
        if (length < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> symbol = p.Slice(start, length);
        if (symbol.IndexOfAnyExceptInRange((byte)'!', (byte)'~') >= 0 || symbol.IndexOf((byte)'\\') >= 0
            || !_symbols.TryGet(symbol, out InstrumentId instrument) || instrument.Value >= Specs.Length || Specs[instrument.Value] is not { } found)
        {
            return false;
        }

        output.Instrument = instrument;
        spec = found;
        pos = start + length + 1;
        return true;
    }

    /// <summary><c>[["price","qty"],...]</c> at <paramref name="pos"/> into one side of the message; prices &gt; 0.</summary>
    private static bool TryScanLevels(ReadOnlySpan<byte> p, ref int pos, Side side, InstrumentSpec spec, BookMessage output)
    {
        if (!At(p, pos, (byte)'['))
        {
            return false;
        }

        pos++;
        if (At(p, pos, (byte)']'))
        {
            pos++;
            return true;
        }

        int priceDecimals = spec.PriceDecimals;
        int quantityDecimals = spec.QuantityDecimals;
        while (true)
        {
            if (!At(p, pos + 1, (byte)'"') || p[pos] != (byte)'[')
            {
                return false;
            }

            pos += 2;
            if (!FixedPoint.TryParseUntil(p[pos..], (byte)'"', priceDecimals, out long price, out int length) || price <= 0)
            {
                return false;
            }

            pos += length + 1;
            if (!At(p, pos + 1, (byte)'"') || p[pos] != (byte)',')
            {
                return false;
            }

            pos += 2;
            if (!FixedPoint.TryParseUntil(p[pos..], (byte)'"', quantityDecimals, out long quantity, out length))
            {
                return false;
            }

            pos += length + 1;
            if (!At(p, pos + 1, (byte)',') && !At(p, pos + 1, (byte)']'))
            {
                return false;
            }

            if (p[pos] != (byte)']' || !output.TryAdd(side, new Price(price), new Quantity(quantity)))
            {
                return false;
            }

            pos += 2;
            if (p[pos - 1] == (byte)']')
            {
                return true;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool At(ReadOnlySpan<byte> p, int pos, byte c) => (uint)pos < (uint)p.Length && p[pos] == c;
}
