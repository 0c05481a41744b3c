using System.Buffers;

namespace LowLatency.Adapters.Ethereum.Abi;

/// <summary>
/// A function parsed once from its signature ("transfer(address,uint256)", optionally with names and an
/// output list: "balanceOf(address owner) returns (uint256)" or "balanceOf(address)(uint256)").
/// Immutable; thread-safe. Encoding allocates (cold path); <see cref="Selector"/> is precomputed.
/// </summary>
public sealed class AbiFunction
{
    private readonly byte[] _selector;

    private AbiFunction(string name, AbiType inputs, AbiType outputs)
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        Signature = name + inputs.CanonicalName;
        _selector = Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(Signature))[..4];
    }

    public string Name { get; }

    /// <summary>The arguments as a tuple type.</summary>
    public AbiType Inputs { get; }

    /// <summary>The return values as a tuple type (empty when not given).</summary>
    public AbiType Outputs { get; }

    /// <summary>The canonical signature hashed for the selector ("transfer(address,uint256)").</summary>
    public string Signature { get; }

    /// <summary>The first 4 bytes of keccak256(<see cref="Signature"/>).</summary>
    public ReadOnlySpan<byte> Selector => _selector;

    public static AbiFunction Parse(string signature)
    {
        if (!TryParse(signature, out var function, out var error))
        {
            throw new FormatException(error);
        }

        return function;
    }

    public static bool TryParse(string? signature, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AbiFunction? function, out string? error)
    {
        function = null;
        if (string.IsNullOrWhiteSpace(signature))
        {
            error = "empty signature";
            return false;
        }

        var parser = new AbiSignatureParser(signature);
        var name = parser.ReadIdentifier();
        if (name == "function")
        {
            name = parser.ReadIdentifier();
        }

        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            error = "signature must start with a function name: '" + signature + "'";
            return false;
        }

        var inputs = parser.ParseParameterList(0);
        AbiType? outputs = AbiType.Tuple();
        if (inputs != null)
        {
            // Optional modifiers ("external view"), then "returns (...)" or a bare "(...)" output list.
            while (true)
            {
                parser.SkipSpaces();
                if (parser.AtEnd)
                {
                    break;
                }

                if (parser.TryConsume('('))
                {
                    parser.Unread();
                    outputs = parser.ParseParameterList(0);
                    break;
                }

                var word = parser.ReadIdentifier();
                if (word is not ("returns" or "external" or "public" or "view" or "pure" or "payable" or "nonpayable"))
                {
                    parser.Fail("unexpected '" + word + "'");
                    outputs = null;
                    break;
                }
            }

            parser.SkipSpaces();
            if (outputs != null && !parser.AtEnd)
            {
                parser.Fail("unexpected text after the signature");
            }
        }

        error = parser.Error;
        if (error != null || inputs is null || outputs is null)
        {
            error ??= "invalid signature";
            return false;
        }

        function = new AbiFunction(name, inputs, outputs);
        return true;
    }

    /// <summary>Selector + encoded arguments; false with a message when the arguments do not fit.</summary>
    public bool TryEncodeCall(IReadOnlyList<AbiValue> arguments, out byte[] calldata, out string? error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        calldata = [];
        if (arguments.Count != Inputs.Components.Count)
        {
            error = Name + " takes " + Inputs.Components.Count + " arguments, got " + arguments.Count;
            return false;
        }

        var buffer = new ArrayBufferWriter<byte>(4 + Inputs.HeadSize + 64);
        buffer.Write(_selector);
        error = AbiCodec.EncodeSequence(Inputs.Components, arguments, buffer, Name);
        if (error != null)
        {
            return false;
        }

        calldata = buffer.WrittenSpan.ToArray();
        return true;
    }

    /// <summary>Selector + encoded arguments; throws <see cref="ArgumentException"/> when they do not fit.</summary>
    public byte[] EncodeCall(params AbiValue[] arguments) =>
        TryEncodeCall(arguments, out var calldata, out var error) ? calldata : throw new ArgumentException(error, nameof(arguments));

    /// <summary>Decodes calldata made for this function (checks the selector).</summary>
    public bool TryDecodeCall(ReadOnlySpan<byte> calldata, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyList<AbiValue>? arguments, out string? error)
    {
        arguments = null;
        if (calldata.Length < 4 || !calldata[..4].SequenceEqual(_selector))
        {
            error = "calldata does not start with the selector of " + Signature;
            return false;
        }

        return TryDecodeTuple(Inputs, calldata[4..], out arguments, out error);
    }

    /// <summary>Decodes the bytes returned by eth_call into the output values.</summary>
    public bool TryDecodeOutput(ReadOnlySpan<byte> returnData, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyList<AbiValue>? outputs, out string? error) =>
        TryDecodeTuple(Outputs, returnData, out outputs, out error);

    public override string ToString() => Signature;

    internal static bool TryDecodeTuple(AbiType tuple, ReadOnlySpan<byte> data, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyList<AbiValue>? values, out string? error)
    {
        values = null;
        if (!AbiCodec.TryDecodeSequence(tuple, data, out var value, out error))
        {
            return false;
        }

        values = value.Items;
        return true;
    }
}
