using System.Reflection;
using System.Text.Json;
using LowLatency.Adapters.Ethereum;

namespace LowLatency.Adapters.FlashLoans;

/// <summary>The FlashArbExecutor compiled by this build (contracts/FlashArbExecutor.sol, solc-js from npm), embedded.</summary>
public sealed class ExecutorArtifact
{
    private static readonly Lazy<ExecutorArtifact> s_executor = new(() => Load("FlashArbExecutor"));
    private static readonly Lazy<ExecutorArtifact> s_devLiquidity = new(() => Load("DevLiquidity"));

    private ExecutorArtifact(string name, string solcVersion, byte[] creationCode, byte[] runtimeCode, string abiJson)
    {
        Name = name;
        SolcVersion = solcVersion;
        CreationCode = creationCode;
        RuntimeCode = runtimeCode;
        AbiJson = abiJson;
    }

    public static ExecutorArtifact Executor => s_executor.Value;

    /// <summary>The development-only V3 liquidity helper (contracts/DevLiquidity.sol) for local chains.</summary>
    public static ExecutorArtifact DevLiquidity => s_devLiquidity.Value;

    public string Name { get; }

    public string SolcVersion { get; }

    public byte[] CreationCode { get; }

    public byte[] RuntimeCode { get; }

    public string AbiJson { get; }

    private static ExecutorArtifact Load(string name)
    {
        using Stream stream = typeof(ExecutorArtifact).Assembly.GetManifestResourceStream("contracts.json")
            ?? throw new InvalidOperationException("contracts.json is not embedded: the build did not compile contracts/");
        using JsonDocument doc = JsonDocument.Parse(stream);
        JsonElement contract = doc.RootElement.GetProperty(name);
        return new ExecutorArtifact(
            name,
            doc.RootElement.GetProperty("solc").GetString()!,
            Hex.Decode(contract.GetProperty("bytecode").GetString()!),
            Hex.Decode(contract.GetProperty("deployedBytecode").GetString()!),
            contract.GetProperty("abi").GetRawText());
    }
}
