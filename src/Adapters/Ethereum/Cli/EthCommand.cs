using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.Flashbots;
using LowLatency.Adapters.Ethereum.Rlp;
using LowLatency.Adapters.Ethereum.Transactions;

namespace LowLatency.Adapters.Ethereum.Cli;

/// <summary>
/// The <c>eth</c> operator command group (like foundry's cast), thin over the library. Keys are read only
/// from an environment variable (--key-env) or a file (--key-file), never from the command line, and never
/// written to any output or error. Exit codes: 0 ok, 1 the operation failed (bad input data, rejected
/// transaction), 2 usage error. Runs on the caller's thread; allocates (operator tooling).
/// </summary>
public static class EthCommand
{
    private const string Usage = """
        usage: eth <command> [options]
          keccak <0xHEX | --text STRING>                     keccak256, 0x-hex
          address (--key-env VAR | --key-file PATH)          checksummed address of the key
          sign-tx (--key-env VAR | --key-file PATH) (--tx JSON | --ndjson) [--allow-chain-id-zero]
                                                             raw signed transaction(s), one 0x line each; chainId 0
                                                             (replayable) needs --allow-chain-id-zero
          decode-tx 0xRAW [--no-gas-check]                   one JSON line: type, chainId, nonce, to, sender, hash, ...
                                                             (rejects what Cancun rejects; --no-gas-check skips intrinsic gas)
          rlp-decode 0xHEX                                   JSON nested arrays of 0x strings
          abi-encode 'f(address,uint256)' ARGS...           0x selector + encoded arguments
          flashbots-header (--key-env VAR | --key-file PATH) --body-file FILE
                                                             X-Flashbots-Signature value for the file's exact bytes
        """;

    /// <summary>Runs one command. Never throws for bad input; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin, Func<string, string?> getEnv)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(getEnv);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        var rest = args.AsSpan(1).ToArray();
        var context = new Context(stdout, stderr, stdin, getEnv);
        try
        {
            return args[0] switch
            {
                "keccak" => Keccak(rest, context),
                "address" => AddressOf(rest, context),
                "sign-tx" => SignTx(rest, context),
                "decode-tx" => DecodeTx(rest, context),
                "rlp-decode" => RlpDecode(rest, context),
                "abi-encode" => AbiEncode(rest, context),
                "flashbots-header" => FlashbotsHeader(rest, context),
                _ => context.UsageError("unknown command '" + args[0] + "'"),
            };
        }
        catch (UsageException ex)
        {
            return context.UsageError(ex.Message);
        }
        catch (CommandException ex)
        {
            return context.Fail(ex.Message);
        }
    }

    private static int Keccak(string[] args, Context c)
    {
        byte[] data;
        if (args is ["--text", var text])
        {
            data = Encoding.UTF8.GetBytes(text);
        }
        else if (args is [var hex] && !hex.StartsWith("--", StringComparison.Ordinal))
        {
            data = DecodeHexArgument(hex, "input");
        }
        else
        {
            throw new UsageException("keccak takes one 0x-hex argument or --text STRING");
        }

        c.Out.WriteLine(Hex.Encode(Keccak256.Hash(data)));
        return 0;
    }

    private static int AddressOf(string[] args, Context c)
    {
        var options = Options.Parse(args, [], allowKey: true);
        using var key = LoadKey(options, c);
        c.Out.WriteLine(key.Address.ToChecksumString());
        return 0;
    }

    private static int SignTx(string[] args, Context c)
    {
        var options = Options.Parse(args, ["--tx"], allowKey: true, flags: ["--ndjson", "--allow-chain-id-zero"]);
        var allowChainIdZero = options.Flags.Contains("--allow-chain-id-zero");
        var json = options.Get("--tx");
        var ndjson = options.Flags.Contains("--ndjson");
        if ((json is null) == !ndjson)
        {
            throw new UsageException("sign-tx needs exactly one of --tx JSON or --ndjson");
        }

        using var key = LoadKey(options, c);
        var signer = new EthSigner(key);
        if (json != null)
        {
            c.Out.WriteLine(SignOne(json, signer, allowChainIdZero, "--tx"));
            return 0;
        }

        var line = 0;
        while (c.In.ReadLine() is { } text)
        {
            line++;
            if (text.Trim().Length == 0)
            {
                continue;
            }

            // Stop at the first bad line so output lines keep matching input lines.
            c.Out.WriteLine(SignOne(text, signer, allowChainIdZero, "line " + line.ToString(CultureInfo.InvariantCulture)));
        }

        return 0;
    }

    private static string SignOne(string json, EthSigner signer, bool allowChainIdZero, string where)
    {
        Transaction tx;
        try
        {
            using var doc = JsonDocument.Parse(json);
            tx = TransactionJson.FromJson(doc.RootElement);
        }
        catch (JsonException ex)
        {
            throw new CommandException(where + ": not valid JSON: " + ex.Message);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or InvalidOperationException or ArgumentException)
        {
            throw new CommandException(where + ": " + ex.Message);
        }

        try
        {
            return Hex.Encode(TransactionSigner.Sign(tx, signer, allowChainIdZero).EncodeSigned());
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new CommandException(where + ": cannot sign: " + ex.Message);
        }
    }

    private static int DecodeTx(string[] args, Context c)
    {
        var noGasCheck = args.Contains("--no-gas-check");
        var positional = args.Where(a => a != "--no-gas-check").ToArray();
        if (positional is not [var hex] || hex.StartsWith("--", StringComparison.Ordinal))
        {
            throw new UsageException("decode-tx takes one 0x-hex raw transaction (and optionally --no-gas-check)");
        }

        var raw = DecodeHexArgument(hex, "raw transaction");
        var rules = TxRules.Default with { ValidateGas = !noGasCheck };
        if (!TransactionDecoder.TryDecode(raw, rules, out var tx, out var sender, out var error))
        {
            throw new CommandException("transaction rejected: " + error.Message);
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("type", (int)tx.Type);
            if (tx.ChainId is { } chainId)
            {
                w.WriteString("chainId", chainId.ToHexString());
            }
            else
            {
                w.WriteNull("chainId");
            }

            w.WriteNumber("nonce", tx.Nonce);
            if (tx.To is { } to)
            {
                w.WriteString("to", to.ToChecksumString());
            }
            else
            {
                w.WriteNull("to");
            }

            w.WriteString("sender", sender.ToChecksumString());
            w.WriteString("hash", tx.GetHashHex());
            w.WriteString("value", tx.Value.ToHexString());
            w.WriteString("gasLimit", ((UInt256)tx.GasLimit).ToHexString());
            if (tx.Type == TxType.DynamicFee)
            {
                w.WriteString("maxPriorityFeePerGas", tx.MaxPriorityFeePerGas.ToHexString());
                w.WriteString("maxFeePerGas", tx.MaxFeePerGas.ToHexString());
            }
            else
            {
                w.WriteString("gasPrice", tx.GasPrice.ToHexString());
            }

            w.WriteString("data", Hex.Encode(tx.Data.Span));
            if (tx.Type != TxType.Legacy)
            {
                w.WriteStartArray("accessList");
                Span<byte> word = stackalloc byte[32];
                foreach (var entry in tx.AccessList)
                {
                    w.WriteStartObject();
                    w.WriteString("address", entry.Address.ToChecksumString());
                    w.WriteStartArray("storageKeys");
                    foreach (var k in entry.StorageKeys)
                    {
                        k.ToBigEndian(word);
                        w.WriteStringValue(Hex.Encode(word));
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            var signature = tx.Signature!.Value;
            w.WriteNumber("yParity", signature.YParity);
            w.WriteString("v", tx.V.ToHexString());
            w.WriteString("r", signature.R.ToHexString());
            w.WriteString("s", signature.S.ToHexString());
            w.WriteEndObject();
        }

        c.Out.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
        return 0;
    }

    private static int RlpDecode(string[] args, Context c)
    {
        if (args is not [var hex] || hex.StartsWith("--", StringComparison.Ordinal))
        {
            throw new UsageException("rlp-decode takes one 0x-hex argument");
        }

        var data = DecodeHexArgument(hex, "RLP");
        if (!RlpCodec.TryDecode(data, out var item, out var error))
        {
            throw new CommandException("invalid RLP: " + error.Describe());
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            WriteRlp(w, item!);
        }

        c.Out.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
        return 0;
    }

    private static void WriteRlp(Utf8JsonWriter w, RlpItem item)
    {
        if (!item.IsList)
        {
            w.WriteStringValue(Hex.Encode(item.Bytes.Span));
            return;
        }

        w.WriteStartArray();
        foreach (var child in item.Items)
        {
            WriteRlp(w, child);
        }

        w.WriteEndArray();
    }

    private static int AbiEncode(string[] args, Context c)
    {
        if (args.Length == 0)
        {
            throw new UsageException("abi-encode takes a signature and its arguments");
        }

        if (!AbiFunction.TryParse(args[0], out var function, out var error))
        {
            throw new CommandException("invalid signature: " + error);
        }

        var types = function.Inputs.Components;
        if (args.Length - 1 != types.Count)
        {
            throw new CommandException(function.Signature + " takes " + types.Count.ToString(CultureInfo.InvariantCulture) +
                                       " arguments, got " + (args.Length - 1).ToString(CultureInfo.InvariantCulture));
        }

        var values = new AbiValue[types.Count];
        for (var i = 0; i < types.Count; i++)
        {
            if (!AbiText.TryParse(types[i], args[i + 1], out var value, out error))
            {
                throw new CommandException("argument " + (i + 1).ToString(CultureInfo.InvariantCulture) + ": " + error);
            }

            values[i] = value;
        }

        if (!function.TryEncodeCall(values, out var calldata, out error))
        {
            throw new CommandException(error!);
        }

        c.Out.WriteLine(Hex.Encode(calldata));
        return 0;
    }

    private static int FlashbotsHeader(string[] args, Context c)
    {
        var options = Options.Parse(args, ["--body-file"], allowKey: true);
        var path = options.Get("--body-file") ?? throw new UsageException("flashbots-header needs --body-file FILE");
        byte[] body;
        try
        {
            body = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CommandException("cannot read body file '" + path + "': " + ex.Message);
        }

        using var key = LoadKey(options, c);
        c.Out.WriteLine(FlashbotsAuth.CreateHeader(new EthSigner(key), body));
        return 0;
    }

    // The key's text is never echoed: errors name only the variable or file.
    private static PrivateKey LoadKey(Options options, Context c)
    {
        var env = options.Get("--key-env");
        var file = options.Get("--key-file");
        if ((env is null) == (file is null))
        {
            throw new UsageException("give exactly one of --key-env VAR or --key-file PATH");
        }

        if (env != null)
        {
            var value = c.GetEnv(env);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new CommandException("environment variable '" + env + "' is not set or empty");
            }

            try
            {
                return PrivateKey.FromHex(value);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                throw new CommandException("environment variable '" + env + "' does not hold a valid private key (64 hex digits, in range)");
            }
        }

        char[] text;
        try
        {
            text = File.ReadAllText(file!).ToCharArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CommandException("cannot read key file '" + file + "': " + ex.GetType().Name);
        }

        try
        {
            var firstLine = text.AsSpan();
            var newline = firstLine.IndexOfAny('\r', '\n');
            return PrivateKey.FromHex(newline >= 0 ? firstLine[..newline] : firstLine);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new CommandException("key file '" + file + "' does not hold a valid private key (64 hex digits, in range)");
        }
        finally
        {
            Array.Clear(text);
        }
    }

    private static byte[] DecodeHexArgument(string hex, string what)
    {
        if (!Hex.HasPrefix(hex))
        {
            throw new CommandException(what + " must be 0x-prefixed hex");
        }

        var length = Hex.GetDecodedLength(hex);
        var bytes = new byte[Math.Max(length, 0)];
        if (length < 0 || !Hex.TryDecode(hex, bytes, out _))
        {
            throw new CommandException(what + " is not valid hex (odd length or a non-hex character)");
        }

        return bytes;
    }

    private sealed record Context(TextWriter Out, TextWriter Err, TextReader In, Func<string, string?> GetEnv)
    {
        public int UsageError(string message)
        {
            Err.WriteLine("eth: " + message);
            Err.WriteLine(Usage);
            return 2;
        }

        public int Fail(string message)
        {
            Err.WriteLine("eth: " + message);
            return 1;
        }
    }

    private sealed class Options
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

        public HashSet<string> Flags { get; } = new(StringComparer.Ordinal);

        public string? Get(string name) => _values.GetValueOrDefault(name);

        public static Options Parse(string[] args, string[] valueOptions, bool allowKey, string[]? flags = null)
        {
            var options = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                var a = args[i];
                if (a is "--key" or "--private-key" or "--pk")
                {
                    // Never echo what follows: it would be a key.
                    throw new UsageException("keys are read only from --key-env VAR or --key-file PATH, never from the command line");
                }

                var takesValue = valueOptions.Contains(a) || (allowKey && a is "--key-env" or "--key-file");
                if (takesValue)
                {
                    if (i + 1 >= args.Length)
                    {
                        throw new UsageException(a + " needs a value");
                    }

                    if (!options._values.TryAdd(a, args[++i]))
                    {
                        throw new UsageException(a + " given twice");
                    }
                }
                else if (flags != null && flags.Contains(a))
                {
                    options.Flags.Add(a);
                }
                else
                {
                    // Do not echo unknown arguments: one could be a pasted key.
                    throw new UsageException("unexpected argument #" + (i + 1).ToString(CultureInfo.InvariantCulture));
                }
            }

            return options;
        }
    }

    private sealed class UsageException(string message) : Exception(message);

    private sealed class CommandException(string message) : Exception(message);
}
