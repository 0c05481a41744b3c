using System.Text;

namespace LowLatency.Adapters.Ethereum.Abi;

/// <summary>
/// An event parsed once from its signature, e.g. "Transfer(address indexed from,address indexed to,uint256 value)".
/// Topic 0 is keccak256 of the canonical signature; indexed static parameters are decoded from topics, indexed
/// dynamic ones are only available as their keccak256 hash (returned as bytes32); the rest come from data.
/// Anonymous events are not supported. Immutable; thread-safe; decoding allocates.
/// </summary>
public sealed class AbiEvent
{
    private readonly byte[] _topic0;
    private readonly AbiType _dataTuple;

    private AbiEvent(string name, AbiType parameters)
    {
        Name = name;
        Parameters = parameters;
        Signature = name + parameters.CanonicalName;
        _topic0 = Keccak256.Hash(Encoding.ASCII.GetBytes(Signature));
        var data = new List<AbiType>();
        for (var i = 0; i < parameters.Components.Count; i++)
        {
            if (!parameters.ComponentIndexed[i])
            {
                data.Add(parameters.Components[i]);
            }
        }

        _dataTuple = AbiType.Tuple([.. data]);
    }

    public string Name { get; }

    /// <summary>All parameters as a tuple; <see cref="AbiType.ComponentIndexed"/> marks topics.</summary>
    public AbiType Parameters { get; }

    public string Signature { get; }

    /// <summary>keccak256 of <see cref="Signature"/>.</summary>
    public ReadOnlySpan<byte> Topic0 => _topic0;

    public static AbiEvent Parse(string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var parser = new AbiSignatureParser(signature);
        var name = parser.ReadIdentifier();
        if (name == "event")
        {
            name = parser.ReadIdentifier();
        }

        var parameters = name.Length == 0 ? null : parser.ParseParameterList(0);
        parser.SkipSpaces();
        if (parameters is null || !parser.AtEnd)
        {
            parser.Fail("invalid event signature");
            throw new FormatException(parser.Error);
        }

        return new AbiEvent(name, parameters);
    }

    /// <summary>
    /// Decodes a log of this event into values in parameter order. False when topic 0 differs, the topic
    /// count is wrong, or a value is malformed.
    /// </summary>
    public bool TryDecodeLog(IReadOnlyList<byte[]> topics, ReadOnlySpan<byte> data, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyList<AbiValue>? values, out string? error)
    {
        ArgumentNullException.ThrowIfNull(topics);
        values = null;
        var indexedCount = Parameters.ComponentIndexed.Count(x => x);
        if (topics.Count != indexedCount + 1)
        {
            error = Signature + " has " + (indexedCount + 1) + " topics, log has " + topics.Count;
            return false;
        }

        if (topics[0] is not { Length: 32 } t0 || !t0.AsSpan().SequenceEqual(_topic0))
        {
            error = "topic 0 is not " + Signature;
            return false;
        }

        if (!AbiCodec.TryDecodeSequence(_dataTuple, data, out var dataValues, out error))
        {
            return false;
        }

        var result = new AbiValue[Parameters.Components.Count];
        int topic = 1, dataIndex = 0;
        for (var i = 0; i < result.Length; i++)
        {
            var type = Parameters.Components[i];
            if (!Parameters.ComponentIndexed[i])
            {
                result[i] = dataValues.Items[dataIndex++];
                continue;
            }

            var topicBytes = topics[topic++];
            if (topicBytes is not { Length: 32 })
            {
                error = "topic is not 32 bytes";
                return false;
            }

            if (type.IsDynamic || type.Kind is AbiKind.Tuple or AbiKind.FixedArray)
            {
                // Only the hash of the value is logged.
                result[i] = AbiValue.FixedBytes(topicBytes);
            }
            else if (!AbiCodec.TryDecode(type, topicBytes, out var v, out error))
            {
                return false;
            }
            else
            {
                result[i] = v;
            }
        }

        values = result;
        error = null;
        return true;
    }

    public override string ToString() => Signature;
}
