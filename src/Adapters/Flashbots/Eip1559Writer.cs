using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Rlp;

namespace LowLatency.Adapters.Flashbots;

/// <summary>The fields of a contract call as an EIP-1559 transaction (no value transfer, empty access list).</summary>
public struct Eip1559Call
{
    public ulong ChainId;
    public ulong Nonce;
    public UInt256 MaxPriorityFeePerGas;
    public UInt256 MaxFeePerGas;
    public ulong GasLimit;
    public Address To;
}

/// <summary>
/// Signs and encodes an EIP-1559 call straight into a caller's buffer: the same bytes as
/// <c>TransactionSigner.SignAndEncode</c> (tested), without the <c>Transaction</c> object, so the hot path allocates
/// nothing. Layout: 0x02 ‖ rlp([chainId, nonce, tip, maxFee, gas, to, 0, data, [], yParity, r, s]).
/// </summary>
public static class Eip1559Writer
{
    public static int MaxLength(int dataLength) => 1 + 9 + (9 * 33) + RlpCodec.LengthOfBytes(dataLength) + 64;

    /// <summary>Signs with <paramref name="signer"/>, writes the network encoding and its hash; returns the length (0 if it does not fit).</summary>
    public static int SignAndWrite(in Eip1559Call call, ReadOnlySpan<byte> data, EthSigner signer, Span<byte> dest, Span<byte> txHash32)
    {
        if (dest.Length < MaxLength(data.Length))
        {
            return 0;
        }

        int fields = FieldsLength(in call, data);
        dest[0] = 2;
        var writer = new RlpWriter(dest[1..]);
        writer.WriteListHeader(fields);
        WriteFields(ref writer, in call, data);
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(dest[..(1 + writer.Position)], hash);

        Span<byte> rs = stackalloc byte[64];
        signer.SignHash(hash, rs, out int recoveryId);
        UInt256 r = UInt256.FromBigEndian(rs[..32]);
        UInt256 s = UInt256.FromBigEndian(rs[32..]);
        int signed = fields + RlpCodec.LengthOfUInt64((ulong)recoveryId) + RlpCodec.LengthOfUInt256(r) + RlpCodec.LengthOfUInt256(s);
        writer = new RlpWriter(dest[1..]);
        writer.WriteListHeader(signed);
        WriteFields(ref writer, in call, data);
        writer.WriteUInt64((ulong)recoveryId);
        writer.WriteUInt256(r);
        writer.WriteUInt256(s);
        int length = 1 + writer.Position;
        Keccak256.Hash(dest[..length], txHash32);
        return length;
    }

    private static int FieldsLength(in Eip1559Call call, ReadOnlySpan<byte> data) =>
        RlpCodec.LengthOfUInt64(call.ChainId) + RlpCodec.LengthOfUInt64(call.Nonce) + RlpCodec.LengthOfUInt256(call.MaxPriorityFeePerGas) +
        RlpCodec.LengthOfUInt256(call.MaxFeePerGas) + RlpCodec.LengthOfUInt64(call.GasLimit) + RlpCodec.LengthOfAddress + 1 +
        RlpCodec.LengthOfBytes(data) + 1;

    private static void WriteFields(ref RlpWriter writer, in Eip1559Call call, ReadOnlySpan<byte> data)
    {
        writer.WriteUInt64(call.ChainId);
        writer.WriteUInt64(call.Nonce);
        writer.WriteUInt256(call.MaxPriorityFeePerGas);
        writer.WriteUInt256(call.MaxFeePerGas);
        writer.WriteUInt64(call.GasLimit);
        writer.WriteAddress(call.To);
        writer.WriteUInt64(0);
        writer.WriteBytes(data);
        writer.WriteListHeader(0);
    }
}
