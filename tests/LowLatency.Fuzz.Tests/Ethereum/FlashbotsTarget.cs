using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Ethereum.Flashbots;
using LowLatency.Fuzz.Tests.Engine;
using LowLatency.Testing;

namespace LowLatency.Fuzz.Tests.Ethereum;

/// <summary>
/// <c>X-Flashbots-Signature</c> checks: the input is the header value (first line) and the body (the rest), through
/// <see cref="FlashbotsAuth.TryVerify"/> with libsecp256k1 and (every accepted header, a quarter of the others) with
/// BouncyCastle, which must agree. False for anything
/// malformed, never an exception; an accepted header names the signer it recovers, and the same header does not verify
/// another body.
/// </summary>
internal sealed class FlashbotsTarget : FuzzTarget
{
    private static readonly ISecp256k1 s_native = Secp256k1.Create();
    private static readonly ISecp256k1 s_bouncy = Secp256k1.CreateBouncyCastle();
    private static readonly Lazy<List<byte[]>> s_corpus = new(BuildCorpus);

    public override string Name => "flashbots";

    public override IReadOnlyList<byte[]> Corpus => s_corpus.Value;

    public override byte[] NextInput(FuzzRandom rng, List<string> log)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(log);
        if (!rng.OneIn(3))
        {
            return base.NextInput(rng, log);
        }

        // Header-shaped edits: the case of a digit, one hex digit, v, or the length.
        byte[] input = (byte[])rng.Pick(Corpus).Clone();
        int end = Array.IndexOf(input, (byte)'\n');
        int at = rng.Next(Math.Max(1, end));
        switch (rng.Next(4))
        {
            case 0:
                log.Add("header-case");
                input[at] = (byte)(char.IsAsciiLetterLower((char)input[at]) ? char.ToUpperInvariant((char)input[at]) : char.ToLowerInvariant((char)input[at]));
                break;
            case 1:
                log.Add("header-hex-digit");
                input[at] = rng.Pick("0123456789abcdefABCDEFxg:"u8.ToArray());
                break;
            case 2 when end >= 2:
                log.Add("header-v");
                input[end - 2] = rng.Pick("0123"u8.ToArray());
                input[end - 1] = rng.Pick("0bcdf"u8.ToArray());
                break;
            default:
                log.Add("header-length");
                return rng.OneIn(2) ? Mutator.Replace(input, at, 1, []) : Mutator.Replace(input, at, 0, [input[at]]);
        }

        return input;
    }

    public override void Check(byte[] input)
    {
        int newline = Array.IndexOf(input, (byte)'\n');
        string header = Encoding.UTF8.GetString(newline < 0 ? input : input.AsSpan(0, newline));
        ReadOnlySpan<byte> body = newline < 0 ? default : input.AsSpan(newline + 1);
        bool native = FlashbotsAuth.TryVerify(header, body, out Address signer, s_native);
        Address bouncySigner = signer;
        if (native || input.Length % 4 == 0)
        {
            // BouncyCastle costs ten native recoveries: every accepted header, and a quarter of the rest.
            bool bouncy = FlashbotsAuth.TryVerify(header, body, out bouncySigner, s_bouncy);
            Invariant.Equal(native, bouncy, "flashbots: libsecp256k1 and BouncyCastle disagree on a header");
        }

        Outcome(native ? "verified" : "refused");
        if (!native)
        {
            return;
        }

        Invariant.That(signer == bouncySigner && Address.TryParse(header[..42], out Address claimed) && claimed == signer, "flashbots: accepted a header whose address is not the signer");
        Invariant.That(!FlashbotsAuth.TryVerify(header, [.. body, (byte)' '], out _, s_native), "flashbots: a header verified a body it did not sign");
    }

    private static List<byte[]> BuildCorpus()
    {
        var corpus = new List<byte[]>();
        using JsonDocument vectors = EthCorpus.Load("flashbots", "x_flashbots_signature_vectors.json");
        string? key = null;
        foreach (JsonElement v in vectors.RootElement.GetProperty("vectors").EnumerateArray())
        {
            string header = v.TryGetProperty("expectedHeader", out JsonElement h) ? h.GetString()! : v.GetProperty("header").GetString()!;
            corpus.Add(Encoding.UTF8.GetBytes(header + "\n" + v.GetProperty("body").GetString()));
            if (v.GetProperty("privateKey").ValueKind == JsonValueKind.String)
            {
                key = v.GetProperty("privateKey").GetString();
            }
        }

        // The go-utils test key (public, from the vectors) signing the Flashbots docs' request bodies.
        using var privateKey = PrivateKey.FromHex(key!);
        var signer = new EthSigner(privateKey);
        using JsonDocument docs = JsonDocument.Parse(File.ReadAllBytes(SharedData.File("flashbots", "flashbots_docs_rpc_examples.json")));
        foreach (JsonElement example in docs.RootElement.GetProperty("examples").EnumerateArray())
        {
            byte[] body = Encoding.UTF8.GetBytes(example.GetProperty("text").GetString()!);
            corpus.Add([.. Encoding.ASCII.GetBytes(FlashbotsAuth.CreateHeader(signer, body)), (byte)'\n', .. body]);
        }

        return corpus;
    }
}
