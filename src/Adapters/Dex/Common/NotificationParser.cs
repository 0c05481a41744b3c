using System.Text.Json;

namespace LowLatency.Adapters.Dex.Common;

/// <summary>
/// Parses eth_subscription notifications (<c>logs</c> and <c>newHeads</c>) straight from the frame's bytes with
/// <see cref="Utf8JsonReader"/> into a <see cref="DexLog"/> / <see cref="HeadInfo"/>: no JsonDocument, no strings, no
/// allocation. Unknown fields are skipped; a missing or mistyped field we need is <see cref="DecodeStatus.Malformed"/>.
/// </summary>
public static class NotificationParser
{
    private const int MaxDataBytes = 1024; // the largest event we decode has 160 bytes of data

    /// <summary>A whole <c>{"method":"eth_subscription","params":{"result":{log}}}</c> frame.</summary>
    public static DecodeStatus ParseLogNotification(ReadOnlySpan<byte> frame, out DexLog log)
    {
        log = default;
        try
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 16 });
            return MoveToResult(ref reader) ? ParseLogObject(ref reader, out log) : DecodeStatus.Malformed;
        }
        catch (JsonException)
        {
            // Utf8JsonReader reports broken JSON only by throwing; this is the edge where bytes become values.
            log = default;
            return DecodeStatus.Malformed;
        }
    }

    /// <summary>A whole newHeads notification frame.</summary>
    public static DecodeStatus ParseHeadNotification(ReadOnlySpan<byte> frame, out HeadInfo head)
    {
        head = default;
        try
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 16 });
            return MoveToResult(ref reader) ? ParseHeadObject(ref reader, out head) : DecodeStatus.Malformed;
        }
        catch (JsonException)
        {
            head = default;
            return DecodeStatus.Malformed;
        }
    }

    /// <summary>One log object (the reader on its StartObject), as in eth_getLogs answers and notifications.</summary>
    public static DecodeStatus ParseLogObject(ref Utf8JsonReader reader, out DexLog log)
    {
        log = default;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return DecodeStatus.Malformed;
        }

        Span<byte> topics = stackalloc byte[4 * 32];
        Span<byte> data = stackalloc byte[MaxDataBytes];
        Span<byte> fixedBytes = stackalloc byte[32];
        int topicBytes = -1, dataBytes = -1;
        bool haveAddress = false, haveBlock = false, haveIndex = false, haveHash = false, dataTooLong = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("address"u8))
            {
                haveAddress = ReadFixed(ref reader, fixedBytes[..20]);
                if (haveAddress)
                {
                    log.Pool = new Address(fixedBytes[..20]);
                }
            }
            else if (reader.ValueTextEquals("topics"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    return DecodeStatus.Malformed;
                }

                topicBytes = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || topicBytes == topics.Length ||
                        !HexUtf8.TryDecode(reader.ValueSpan, topics.Slice(topicBytes, 32), out int n) || n != 32)
                    {
                        return DecodeStatus.Malformed;
                    }

                    topicBytes += 32;
                }
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                {
                    return DecodeStatus.Malformed;
                }

                if (reader.ValueSpan.Length > 2 + 2 * MaxDataBytes)
                {
                    dataTooLong = true; // malformed if the topic is ours, unknown otherwise
                }
                else if (!HexUtf8.TryDecode(reader.ValueSpan, data, out dataBytes))
                {
                    return DecodeStatus.Malformed;
                }
            }
            else if (reader.ValueTextEquals("blockNumber"u8))
            {
                haveBlock = ReadQuantity(ref reader, out log.BlockNumber);
            }
            else if (reader.ValueTextEquals("logIndex"u8))
            {
                haveIndex = ReadQuantity(ref reader, out ulong index) && index <= uint.MaxValue;
                log.LogIndex = (uint)index;
            }
            else if (reader.ValueTextEquals("transactionIndex"u8))
            {
                if (ReadQuantity(ref reader, out ulong tx) && tx <= uint.MaxValue)
                {
                    log.TransactionIndex = (uint)tx;
                }
            }
            else if (reader.ValueTextEquals("blockHash"u8))
            {
                haveHash = ReadFixed(ref reader, fixedBytes);
                if (haveHash)
                {
                    log.BlockHash = Hash32.FromBytes(fixedBytes);
                }
            }
            else if (reader.ValueTextEquals("removed"u8))
            {
                if (!reader.Read() || reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return DecodeStatus.Malformed;
                }

                log.Removed = reader.TokenType == JsonTokenType.True;
            }
            else
            {
                // Unknown or unneeded field (transactionHash, blockTimestamp, …): skipped.
                if (!reader.Read())
                {
                    return DecodeStatus.Malformed;
                }

                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || !haveAddress || !haveBlock || !haveIndex || !haveHash || topicBytes < 0 || (dataBytes < 0 && !dataTooLong))
        {
            return DecodeStatus.Malformed;
        }

        DecodeStatus status = DexLogDecoder.Decode(topics[..topicBytes], dataTooLong ? default : data[..dataBytes], ref log);
        if (status == DecodeStatus.Ok && dataTooLong && log.Kind != DexEventKind.NoState)
        {
            return DecodeStatus.Malformed;
        }

        return status;
    }

    /// <summary>One block header object (the reader on its StartObject).</summary>
    public static DecodeStatus ParseHeadObject(ref Utf8JsonReader reader, out HeadInfo head)
    {
        head = default;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return DecodeStatus.Malformed;
        }

        bool haveNumber = false, haveHash = false, haveParent = false;
        Span<byte> fixedBytes = stackalloc byte[32];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("number"u8))
            {
                haveNumber = ReadQuantity(ref reader, out head.Number);
            }
            else if (reader.ValueTextEquals("hash"u8))
            {
                haveHash = ReadFixed(ref reader, fixedBytes);
                head.Hash = haveHash ? Hash32.FromBytes(fixedBytes) : default;
            }
            else if (reader.ValueTextEquals("parentHash"u8))
            {
                haveParent = ReadFixed(ref reader, fixedBytes);
                head.ParentHash = haveParent ? Hash32.FromBytes(fixedBytes) : default;
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                _ = ReadQuantity(ref reader, out head.Timestamp);
            }
            else if (reader.ValueTextEquals("baseFeePerGas"u8))
            {
                if (!reader.Read())
                {
                    return DecodeStatus.Malformed;
                }

                if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && HexUtf8.TryParseQuantity(reader.ValueSpan, out UInt256 fee))
                {
                    head.BaseFeePerGas = fee;
                    head.HasBaseFee = true;
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    return DecodeStatus.Malformed;
                }
            }
            else
            {
                if (!reader.Read())
                {
                    return DecodeStatus.Malformed;
                }

                reader.Skip();
            }
        }

        return reader.TokenType == JsonTokenType.EndObject && haveNumber && haveHash && haveParent ? DecodeStatus.Ok : DecodeStatus.Malformed;
    }

    /// <summary>Moves to <c>params.result</c>'s first token of an eth_subscription frame.</summary>
    private static bool MoveToResult(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("params"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isResult = reader.ValueTextEquals("result"u8);
                    if (!reader.Read())
                    {
                        return false;
                    }

                    if (isResult)
                    {
                        return true;
                    }

                    reader.Skip();
                }

                return false;
            }

            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
        }

        return false;
    }

    private static bool ReadQuantity(ref Utf8JsonReader reader, out ulong value)
    {
        value = 0;
        return reader.Read() && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && HexUtf8.TryParseQuantity(reader.ValueSpan, out value);
    }

    private static bool ReadFixed(ref Utf8JsonReader reader, scoped Span<byte> buffer) =>
        reader.Read() && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped &&
        HexUtf8.TryDecode(reader.ValueSpan, buffer, out int n) && n == buffer.Length;
}
