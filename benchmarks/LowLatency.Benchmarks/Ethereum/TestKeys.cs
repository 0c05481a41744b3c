namespace LowLatency.Benchmarks.Ethereum;

/// <summary>
/// The signing key of the benchmarks: the publicly known example key of the Web3 secret-storage docs (it also appears
/// in ethers' test vectors). It holds nothing and must never hold anything; real keys come only from the environment.
/// </summary>
internal static class TestKeys
{
    public const string PublicExampleKeyHex = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
}
