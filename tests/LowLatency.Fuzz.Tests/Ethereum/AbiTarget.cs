using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Fuzz.Tests.Engine;

namespace LowLatency.Fuzz.Tests.Ethereum;

/// <summary>
/// ABI decoding: the input is a type (first line, text) and the data (the rest, bytes). The type goes through
/// <see cref="AbiType.TryParse"/> and, as a function's parameters, <see cref="AbiFunction.TryParse"/>; the data through
/// <see cref="AbiCodec.TryDecode"/> (and <see cref="AbiCodec.TryDecodeSequence"/> for tuples). Errors are values; a decoded
/// value encodes again and decodes back to itself. Data mutations work on 32-byte words (offsets, lengths, sign and
/// padding bits) as well as bytes; type mutations swap in another vector's type or edit the text.
/// </summary>
internal sealed class AbiTarget : FuzzTarget
{
    private static readonly Lazy<List<byte[]>> s_corpus = new(Load);
    private static readonly UInt256[] s_words =
    [
        UInt256.Zero, UInt256.One, new(2), new(0x1f), new(0x20), new(0x21), new(0x40), new(0x60), new(0x80), new(0xa0), new(0xffff),
        new(int.MaxValue), new(1UL << 31), new(uint.MaxValue), new(1UL << 32), new(long.MaxValue), new(ulong.MaxValue),
        UInt256.One << 64, UInt256.One << 128, UInt256.One << 160, UInt256.One << 255, UInt256.MaxValue, UInt256.MaxValue - UInt256.One,
        UInt256.MaxValue >> 1, (UInt256.One << 255) - UInt256.One,
    ];

    public override string Name => "abi";

    public override IReadOnlyList<byte[]> Corpus => s_corpus.Value;

    public override bool IsText => false;

    public override byte[] NextInput(FuzzRandom rng, List<string> log)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(log);
        byte[] seed = rng.Pick(Corpus);
        int newline = Array.IndexOf(seed, (byte)'\n');
        byte[] type = seed[..newline];
        byte[] data = seed[(newline + 1)..];
        switch (rng.Next(8))
        {
            case 0:
                log.Add("abi-other-type");
                byte[] other = rng.Pick(Corpus);
                type = other[..Array.IndexOf(other, (byte)'\n')];
                break;
            case 1:
                log.Add("abi-type-text");
                type = Mutator.Mutate(rng, type, [type], json: false, log);
                break;
            case 2:
                return base.NextInput(rng, log);
            default:
                break;
        }

        int words = rng.Next(1, 4);
        for (int i = 0; i < words && data.Length >= 32; i++)
        {
            data = WordOp(rng, data, log);
        }

        if (rng.OneIn(4))
        {
            data = Mutator.Mutate(rng, data, [data], json: false, log);
        }

        return [.. type, (byte)'\n', .. data];
    }

    public override void Check(byte[] input)
    {
        int newline = Array.IndexOf(input, (byte)'\n');
        string typeText = Encoding.UTF8.GetString(newline < 0 ? input : input.AsSpan(0, newline));
        ReadOnlySpan<byte> data = newline < 0 ? default : input.AsSpan(newline + 1);
        bool parsed = AbiType.TryParse(typeText, out AbiType? type, out string? typeError);
        Invariant.That(parsed ? type is not null : !string.IsNullOrEmpty(typeError), "abi: type parse result and error disagree");
        _ = AbiFunction.TryParse("f(" + typeText + ")", out _, out _);
        if (!parsed)
        {
            Outcome("type rejected");
            return;
        }

        bool decoded = AbiCodec.TryDecode(type!, data, out AbiValue? value, out string? error);
        Invariant.That(decoded ? value is not null : !string.IsNullOrEmpty(error), "abi: decode result and error disagree");
        Outcome(decoded ? "decoded" : "data rejected");
        if (decoded)
        {
            // Offsets may be shared, but a decoder that lets them multiply the data is a decoding bomb (c^depth values).
            Invariant.That(CountValues(value!) <= MaxValues(data.Length), "abi: decoded far more values than the data has words (offsets reused)");
            RoundTrip(type!, value!, sequence: false);
        }

        if (type!.Kind == AbiKind.Tuple && AbiCodec.TryDecodeSequence(type, data, out AbiValue? tuple, out _))
        {
            RoundTrip(type, tuple!, sequence: true);
        }
    }

    /// <summary>What an honest encoding can hold: a word per value, times the deepest nesting of word-less tuples.</summary>
    public static long MaxValues(int dataLength) => (long)AbiType.MaxDepth * ((dataLength / 32) + 2);

    private static long CountValues(AbiValue value)
    {
        long n = 1;
        foreach (AbiValue item in value.Items)
        {
            n += CountValues(item);
        }

        return n;
    }

    private static void RoundTrip(AbiType type, AbiValue value, bool sequence)
    {
        _ = value.ToString();
        Invariant.That(AbiCodec.TryEncode(type, value, out byte[] encoded, out string? error), "abi: a decoded value does not encode: " + error);
        if (sequence)
        {
            // abi.encode of a tuple with a dynamic part starts with its offset; the body follows it.
            encoded = type.IsDynamic ? encoded[32..] : encoded;
        }

        bool again = sequence ? AbiCodec.TryDecodeSequence(type, encoded, out AbiValue? back, out error) : AbiCodec.TryDecode(type, encoded, out back, out error);
        Invariant.That(again && value.Equals(back), "abi: decode(encode(decoded)) differs: " + error);
    }

    private static byte[] WordOp(FuzzRandom rng, byte[] data, List<string> log)
    {
        byte[] copy = (byte[])data.Clone();
        int word = rng.Next(data.Length / 32) * 32;
        UInt256 value = rng.Next(4) switch
        {
            0 => new UInt256((ulong)data.Length),
            1 => new UInt256((ulong)word),
            2 => new UInt256((ulong)Math.Max(0, data.Length - 32 - rng.Next(64))),
            _ => rng.Pick(s_words),
        };
        log.Add("abi-word");
        value.ToBigEndian(copy.AsSpan(word, 32));
        return copy;
    }

    private static List<byte[]> Load()
    {
        using JsonDocument doc = EthCorpus.Load("ethers-testcases", "ethers__abi__shared.json.gz");
        var corpus = new List<byte[]>();
        foreach (JsonElement vector in doc.RootElement.EnumerateArray())
        {
            if (EthCorpus.FromHex(vector.GetProperty("encoded").GetString()) is { } data)
            {
                corpus.Add([.. Encoding.UTF8.GetBytes(vector.GetProperty("type").GetString()!), (byte)'\n', .. data]);
            }
        }

        return corpus;
    }
}
