using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.FlashLoans;

namespace LowLatency.Adapters.Flashbots;

/// <summary>
/// The hot half of the pipeline: route → executor calldata → EIP-1559 transaction signed with the trading key, into
/// buffers allocated once. The nonce is the caller's (reserved from the nonce manager per bundle). After
/// <see cref="Build"/>, <see cref="RawTransaction"/> and <see cref="TransactionHash"/> hold the bundle's transaction
/// until the next build.
/// </summary>
public sealed class BundleFactory
{
    private readonly EthSigner _tradingKey;
    private readonly byte[] _calldata = new byte[ExecutorCalldata.LengthFor(FlashRoute.MaxHops)];
    private readonly byte[] _raw = new byte[Eip1559Writer.MaxLength(ExecutorCalldata.LengthFor(FlashRoute.MaxHops))];
    private readonly byte[] _hash = new byte[32];
    private int _rawLength;

    public BundleFactory(EthSigner tradingKey, Address executor, ulong chainId)
    {
        _tradingKey = tradingKey ?? throw new ArgumentNullException(nameof(tradingKey));
        Executor = executor;
        ChainId = chainId;
    }

    public Address Executor { get; }

    public ulong ChainId { get; }

    public Address Sender => _tradingKey.Address;

    public ReadOnlySpan<byte> RawTransaction => _raw.AsSpan(0, _rawLength);

    public ReadOnlySpan<byte> TransactionHash => _hash;

    /// <summary>Builds and signs; false (nothing written) when the route is empty or a value is out of range.</summary>
    public bool Build(FlashRoute route, UInt256 minProfit, uint builderBps, ulong nonce, ulong gasLimit, UInt256 maxFeePerGas, UInt256 maxPriorityFeePerGas)
    {
        _rawLength = 0;
        int length = ExecutorCalldata.Write(route, minProfit, builderBps, _calldata);
        if (length == 0)
        {
            return false;
        }

        var call = new Eip1559Call
        {
            ChainId = ChainId,
            Nonce = nonce,
            MaxPriorityFeePerGas = maxPriorityFeePerGas,
            MaxFeePerGas = maxFeePerGas,
            GasLimit = gasLimit,
            To = Executor,
        };
        _rawLength = Eip1559Writer.SignAndWrite(in call, _calldata.AsSpan(0, length), _tradingKey, _raw, _hash);
        return _rawLength != 0;
    }
}
