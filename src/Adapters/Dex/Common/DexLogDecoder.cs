using System.Buffers.Binary;
using System.Text;

namespace LowLatency.Adapters.Dex.Common;

/// <summary>Why a log was not decoded.</summary>
public enum DecodeStatus : byte
{
    Ok = 0,

    /// <summary>Its first topic is no event of the pools we follow.</summary>
    UnknownTopic,

    /// <summary>A known event with the wrong topic count, data length, or a word outside its type.</summary>
    Malformed,
}

/// <summary>
/// Decodes Uniswap V2/V3 pool logs from their topics and data (the ABI words) into a <see cref="DexLog"/>. Every word
/// is range-checked against its Solidity type (int24, uint128, uint160, uint112), so a malformed log is refused, never
/// truncated into a plausible value. Allocation-free.
/// </summary>
public static class DexLogDecoder
{
    public static readonly byte[] V3SwapTopic = Topic("Swap(address,address,int256,int256,uint160,uint128,int24)");
    public static readonly byte[] V3MintTopic = Topic("Mint(address,address,int24,int24,uint128,uint256,uint256)");
    public static readonly byte[] V3BurnTopic = Topic("Burn(address,int24,int24,uint128,uint256,uint256)");
    public static readonly byte[] V3InitializeTopic = Topic("Initialize(uint160,int24)");
    public static readonly byte[] V2SyncTopic = Topic("Sync(uint112,uint112)");

    // Known events that change nothing the tracker keeps: skipped without counting as unknown.
    private static readonly byte[][] s_noState =
    [
        Topic("Collect(address,address,int24,int24,uint128,uint128)"),
        Topic("CollectProtocol(address,address,uint128,uint128)"),
        Topic("Flash(address,address,uint256,uint256,uint256,uint256)"),
        Topic("IncreaseObservationCardinalityNext(uint16,uint16)"),
        Topic("SetFeeProtocol(uint8,uint8,uint8,uint8)"),
        Topic("Swap(address,uint256,uint256,uint256,uint256,address)"),
        Topic("Mint(address,uint256,uint256)"),
        Topic("Burn(address,uint256,uint256,address)"),
        Topic("Transfer(address,address,uint256)"),
        Topic("Approval(address,address,uint256)"),
    ];

    /// <summary>
    /// Decodes the event part of <paramref name="log"/> (kind and fields; the position fields are the caller's) from
    /// <paramref name="topics"/> (32 bytes each, concatenated) and <paramref name="data"/>.
    /// </summary>
    public static DecodeStatus Decode(ReadOnlySpan<byte> topics, ReadOnlySpan<byte> data, ref DexLog log)
    {
        if (topics.Length < 32 || topics.Length % 32 != 0 || topics.Length > 4 * 32)
        {
            return topics.Length == 0 ? DecodeStatus.UnknownTopic : DecodeStatus.Malformed;
        }

        ReadOnlySpan<byte> t0 = topics[..32];
        int topicCount = topics.Length / 32;
        if (t0.SequenceEqual(V3SwapTopic))
        {
            if (topicCount != 3 || data.Length != 5 * 32 ||
                !TryInt256(data, 0, out log.Amount0) || !TryInt256(data, 1, out log.Amount1) ||
                !TryUnsigned(data, 2, 160, out log.SqrtPriceX96) || !TryUInt128(data, 3, out log.Liquidity) ||
                !TryInt24(data.Slice(4 * 32, 32), out log.Tick))
            {
                return DecodeStatus.Malformed;
            }

            log.Kind = DexEventKind.V3Swap;
            return DecodeStatus.Ok;
        }

        if (t0.SequenceEqual(V3MintTopic) || t0.SequenceEqual(V3BurnTopic))
        {
            bool mint = t0[0] == V3MintTopic[0] && t0.SequenceEqual(V3MintTopic);
            int words = mint ? 4 : 3;
            int first = mint ? 1 : 0; // Mint's data starts with the sender address
            if (topicCount != 4 || data.Length != words * 32 ||
                (mint && !TryUnsigned(data, 0, 160, out _)) ||
                !TryInt24(topics.Slice(2 * 32, 32), out log.TickLower) || !TryInt24(topics.Slice(3 * 32, 32), out log.TickUpper) ||
                !TryUInt128(data, first, out log.Liquidity) ||
                !TryUnsigned(data, first + 1, 256, out UInt256 a0) || !TryUnsigned(data, first + 2, 256, out UInt256 a1) ||
                !Int256.TryFromUInt256(a0, out log.Amount0) || !Int256.TryFromUInt256(a1, out log.Amount1))
            {
                return DecodeStatus.Malformed;
            }

            log.Kind = mint ? DexEventKind.V3Mint : DexEventKind.V3Burn;
            return DecodeStatus.Ok;
        }

        if (t0.SequenceEqual(V2SyncTopic))
        {
            if (topicCount != 1 || data.Length != 64 || !TryUnsigned(data, 0, 112, out log.Reserve0) || !TryUnsigned(data, 1, 112, out log.Reserve1))
            {
                return DecodeStatus.Malformed;
            }

            log.Kind = DexEventKind.V2Sync;
            return DecodeStatus.Ok;
        }

        if (t0.SequenceEqual(V3InitializeTopic))
        {
            if (topicCount != 1 || data.Length != 64 || !TryUnsigned(data, 0, 160, out log.SqrtPriceX96) || !TryInt24(data.Slice(32, 32), out log.Tick))
            {
                return DecodeStatus.Malformed;
            }

            log.Kind = DexEventKind.V3Initialize;
            return DecodeStatus.Ok;
        }

        foreach (byte[] known in s_noState)
        {
            if (t0.SequenceEqual(known))
            {
                log.Kind = DexEventKind.NoState;
                return DecodeStatus.Ok;
            }
        }

        return DecodeStatus.UnknownTopic;
    }

    private static byte[] Topic(string signature) => Keccak256.Hash(Encoding.ASCII.GetBytes(signature));

    private static bool TryUnsigned(ReadOnlySpan<byte> data, int word, int bits, out UInt256 value)
    {
        ReadOnlySpan<byte> w = data.Slice(word * 32, 32);
        int zeroBytes = (256 - bits) / 8;
        if (w[..zeroBytes].IndexOfAnyExcept((byte)0) >= 0)
        {
            value = default;
            return false;
        }

        value = UInt256.FromBigEndian(w);
        return true;
    }

    private static bool TryUInt128(ReadOnlySpan<byte> data, int word, out UInt128 value)
    {
        if (!TryUnsigned(data, word, 128, out UInt256 v))
        {
            value = default;
            return false;
        }

        value = (UInt128)v;
        return true;
    }

    private static bool TryInt256(ReadOnlySpan<byte> data, int word, out Int256 value)
    {
        value = Int256.FromBits(UInt256.FromBigEndian(data.Slice(word * 32, 32)));
        return true;
    }

    /// <summary>An ABI int24 word: the low 3 bytes, sign-extended through the other 29 exactly.</summary>
    private static bool TryInt24(ReadOnlySpan<byte> w, out int value)
    {
        int raw = (w[29] << 16) | (w[30] << 8) | w[31];
        value = (raw & 0x80_0000) != 0 ? raw - 0x100_0000 : raw;
        byte fill = value < 0 ? (byte)0xff : (byte)0;
        return w[..29].IndexOfAnyExcept(fill) < 0;
    }

    /// <summary>First 8 bytes of a topic, for logs.</summary>
    internal static ulong TopicPrefix(ReadOnlySpan<byte> topic) => topic.Length >= 8 ? BinaryPrimitives.ReadUInt64BigEndian(topic) : 0;
}
