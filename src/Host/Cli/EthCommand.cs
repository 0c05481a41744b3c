using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.Flashbots;
using LowLatency.Adapters.Ethereum.Rlp;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Host.Cli;

/// <summary>
/// The <c>eth</c> operator command group (like foundry's cast), thin over the library. Keys are read only
/// from an environment variable (--key-env) or a regular file (--key-file), never from the command line, and never
/// written to any output or error; every message is one line on stderr with anything that looks like a 32-byte
/// secret redacted (<see cref="SecretRedaction"/>), so a key pasted into the wrong argument or field is not echoed.
/// Exit codes: 0 ok, 1 the operation failed on its input data (bad data, a rejected or refused transaction, a failed
/// write), 2 usage error. Runs on the caller's thread; allocates (operator tooling).
/// </summary>
internal static class EthCommand
{
    private const string Usage = """
        usage: eth <command> [options]
          keccak <0xHEX | --text STRING>                     keccak256, 0x-hex
          address (--key-env VAR | --key-file PATH)          checksummed address of the key
          sign-tx (--key-env VAR | --key-file PATH) (--tx JSON | --ndjson) [--allow-chain-id-zero] [--allow-unprotected]
                                                             raw signed transaction(s), one 0x line each. Unknown fields,
                                                             fields the type ignores and gasLimit below intrinsic gas are
                                                             refused before signing; chainId 0 needs --allow-chain-id-zero,
                                                             legacy without chainId (replayable) --allow-unprotected
          decode-tx 0xRAW [--chain-id N [--allow-unprotected]] [--no-gas-check]
                                                             one JSON line: type, chainId, nonce, to, sender, hash, ...
                                                             (rejects what Cancun rejects; --chain-id also rejects other
                                                             chains and, unless allowed, legacy without a chain id)
          rlp-decode 0xHEX                                   JSON nested arrays of 0x strings
          abi-encode 'f(address,uint256)' ARGS...           0x selector + encoded arguments
          flashbots-header (--key-env VAR | --key-file PATH) --body-file FILE
                                                             X-Flashbots-Signature value for the file's exact bytes
        """;

    // Longest message written; a value quoted in a message is cut shorter (SecretRedaction.Excerpt).
    private const int MaxMessageChars = 512;

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
            var code = args[0] switch
            {
                "keccak" => Keccak(rest, context),
                "address" => AddressOf(rest, context),
                "sign-tx" => SignTx(rest, context),
                "decode-tx" => DecodeTx(rest, context),
                "rlp-decode" => RlpDecode(rest, context),
                "abi-encode" => AbiEncode(rest, context),
                "flashbots-header" => FlashbotsHeader(rest, context),
                _ => throw new UsageException("unknown command '" + SecretRedaction.Excerpt(args[0], 32) + "'"),
            };
            context.FlushOutput();
            return code;
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

        c.Emit(Hex.Encode(Keccak256.Hash(data)));
        return 0;
    }

    private static int AddressOf(string[] args, Context c)
    {
        var options = Options.Parse(args, [], allowKey: true);
        using var key = LoadKey(options, c);
        c.Emit(key.Address.ToChecksumString());
        return 0;
    }

    private static int SignTx(string[] args, Context c)
    {
        var options = Options.Parse(args, ["--tx"], allowKey: true, flags: ["--ndjson", "--allow-chain-id-zero", "--allow-unprotected"]);
        var policy = new SignPolicy(options.Flags.Contains("--allow-chain-id-zero"), options.Flags.Contains("--allow-unprotected"));
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
            c.Emit(SignOne(json, signer, key.Address, policy, "--tx"));
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
            c.Emit(SignOne(text, signer, key.Address, policy, "line " + line.ToString(CultureInfo.InvariantCulture)));
        }

        return 0;
    }

    private readonly record struct SignPolicy(bool AllowChainIdZero, bool AllowUnprotected);

    // A transaction to sign is an instruction: everything is checked before the key is used (TransactionJson.TryParseToSign,
    // TransactionSigner.Validate), and a refusal says which field and rule, never a value.
    private static string SignOne(string json, EthSigner signer, Address account, SignPolicy policy, string where)
    {
        Transaction tx;
        Address? from;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!TransactionJson.TryParseToSign(doc.RootElement, out var parsed, out from, out var error))
            {
                throw new CommandException(where + ": " + error.Message +
                                           (error.Kind == TxJsonErrorKind.KeyField ? "; keys are read only from --key-env VAR or --key-file PATH" : ""));
            }

            tx = parsed;
        }
        catch (JsonException ex)
        {
            throw new CommandException(where + ": not valid JSON (" + ex.Message + ")");
        }

        if (from is { } sender && sender != account)
        {
            throw new CommandException(where + ": field 'from' is " + sender.ToChecksumString() + " but the key's address is " + account.ToChecksumString());
        }

        if (tx.Type == TxType.Legacy && tx.ChainId is null && !policy.AllowUnprotected)
        {
            throw new CommandException(where + ": a legacy transaction without \"chainId\" is unprotected (pre-EIP-155) and replayable on every chain; " +
                                       "give \"chainId\", or pass --allow-unprotected to sign it anyway");
        }

        var rule = TransactionSigner.Validate(tx, policy.AllowChainIdZero);
        if (rule.IsError)
        {
            throw new CommandException(where + ": not signed: " + rule.Code switch
            {
                TxErrorCode.IntrinsicGasTooLow => IntrinsicGasMessage(tx),
                TxErrorCode.ChainIdZeroNotAllowed => rule.Message + "; --allow-chain-id-zero signs it anyway",
                TxErrorCode.ChainIdRequired => "a type-" + ((int)tx.Type).ToString(CultureInfo.InvariantCulture) + " transaction needs \"chainId\"",
                _ => rule.Message,
            });
        }

        return Hex.Encode(TransactionSigner.Sign(tx, signer, policy.AllowChainIdZero).EncodeSigned());
    }

    private static string IntrinsicGasMessage(Transaction tx) =>
        "gasLimit " + tx.GasLimit.ToString(CultureInfo.InvariantCulture) + " is below the intrinsic gas " +
        TransactionGas.IntrinsicGas(tx).ToString(CultureInfo.InvariantCulture) +
        " of this transaction (Cancun: 21000, 4/16 per zero/non-zero data byte, 32000 + 2 per init code word to create, 2400 per access list address, 1900 per key)";

    private static int DecodeTx(string[] args, Context c)
    {
        var options = Options.Parse(args, ["--chain-id"], allowKey: false, flags: ["--no-gas-check", "--allow-unprotected"], maxPositional: 1);
        if (options.Positional is not [var hex])
        {
            throw new UsageException("decode-tx takes one 0x-hex raw transaction (and optionally --chain-id N, --allow-unprotected, --no-gas-check)");
        }

        UInt256? chainId = null;
        var chainText = options.Get("--chain-id");
        if (chainText is not null)
        {
            if (!UInt256.TryParse(chainText, out var parsed))
            {
                throw new UsageException("--chain-id takes a chain id (decimal or 0x-hex), got '" + SecretRedaction.Excerpt(chainText, 32) + "'");
            }

            chainId = parsed;
        }

        var allowUnprotected = options.Flags.Contains("--allow-unprotected");
        if (allowUnprotected && chainId is null)
        {
            throw new UsageException("--allow-unprotected applies only with --chain-id N");
        }

        var raw = DecodeHexArgument(hex, "raw transaction");
        var rules = new TxRules(chainId, ValidateGas: !options.Flags.Contains("--no-gas-check"), RequireReplayProtection: chainId is not null && !allowUnprotected);
        if (!TransactionDecoder.TryDecode(raw, rules, out var tx, out var sender, out var error))
        {
            throw new CommandException("transaction rejected: " + DescribeRejection(raw, error, chainText));
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("type", (int)tx.Type);
            if (tx.ChainId is { } txChainId)
            {
                w.WriteString("chainId", txChainId.ToHexString());
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

        c.Emit(Encoding.UTF8.GetString(buffer.WrittenSpan));
        return 0;
    }

    // The decoder's verdict, with the numbers an operator needs (the decoded transaction is re-read for them).
    private static string DescribeRejection(byte[] raw, TxError error, string? chainText)
    {
        TransactionDecoder.TryDecodeUnchecked(raw, out var tx, out _);
        return error.Code switch
        {
            TxErrorCode.WrongChainId when tx?.ChainId is { } actual =>
                "it is for chain id " + actual.ToString() + ", not --chain-id " + SecretRedaction.Excerpt(chainText ?? "", 32),
            TxErrorCode.ReplayUnprotected =>
                "a legacy transaction without a chain id (pre-EIP-155) is replayable on every chain; --allow-unprotected accepts it",
            TxErrorCode.IntrinsicGasTooLow when tx is not null =>
                "gasLimit " + tx.GasLimit.ToString(CultureInfo.InvariantCulture) + " is below the intrinsic gas " +
                TransactionGas.IntrinsicGas(tx).ToString(CultureInfo.InvariantCulture) + " (--no-gas-check skips this check)",
            _ => error.Message,
        };
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

        c.Emit(Encoding.UTF8.GetString(buffer.WrittenSpan));
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

        c.Emit(Hex.Encode(calldata));
        return 0;
    }

    private static int FlashbotsHeader(string[] args, Context c)
    {
        var options = Options.Parse(args, ["--body-file"], allowKey: true);
        var path = options.Get("--body-file") ?? throw new UsageException("flashbots-header needs --body-file FILE");
        // A body may come from a pipe (--body-file /dev/stdin), so only directories are refused up front.
        var shown = "body file '" + SecretRedaction.Excerpt(path, 200) + "'";
        if (Directory.Exists(path))
        {
            throw new CommandException(shown + " is a directory");
        }

        byte[] body;
        try
        {
            body = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CommandException("cannot read " + shown + ": " + (ex is FileNotFoundException or DirectoryNotFoundException ? "it does not exist" : ex.Message));
        }

        using var key = LoadKey(options, c);
        c.Emit(FlashbotsAuth.CreateHeader(new EthSigner(key), body));
        return 0;
    }

    // The key's text is never echoed: errors name only the variable or file (redacted, in case a key was given as the name).
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
            var name = "environment variable '" + SecretRedaction.Excerpt(env, 64) + "'";
            var value = c.GetEnv(env);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new CommandException(name + " is not set or empty");
            }

            try
            {
                return PrivateKey.FromHex(value);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                throw new CommandException(name + " does not hold a valid private key (64 hex digits, in range)");
            }
        }

        // Regular files only, never blocking (a FIFO, socket, device or directory is named as such): SecretFile.
        return PrivateKey.TryFromFile(file!, out var key, out var error) ? key : throw new CommandException(error);
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
        public int UsageError(string message) => Report(message + " (eth --help lists the commands and options)", 2);

        public int Fail(string message) => Report(message, 1);

        /// <summary>One line of output; a failed write is an error (exit 1), not a crash and not silence.</summary>
        public void Emit(string line)
        {
            try
            {
                Out.WriteLine(line);
            }
            catch (IOException ex)
            {
                throw new CommandException("cannot write the output: " + ex.Message);
            }
        }

        public void FlushOutput()
        {
            try
            {
                Out.Flush();
            }
            catch (IOException ex)
            {
                throw new CommandException("cannot write the output: " + ex.Message);
            }
        }

        // Every message passes here: one line, secrets redacted, bounded.
        private int Report(string message, int code)
        {
            try
            {
                Err.WriteLine("eth: " + SecretRedaction.Excerpt(message, MaxMessageChars));
            }
            catch (IOException)
            {
                // stderr itself is gone: the exit code is the only report left.
            }

            return code;
        }
    }

    private sealed class Options
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

        public HashSet<string> Flags { get; } = new(StringComparer.Ordinal);

        public List<string> Positional { get; } = [];

        public string? Get(string name) => _values.GetValueOrDefault(name);

        public static Options Parse(string[] args, string[] valueOptions, bool allowKey, string[]? flags = null, int maxPositional = 0)
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
                else if (options.Positional.Count < maxPositional && !a.StartsWith("--", StringComparison.Ordinal))
                {
                    options.Positional.Add(a);
                }
                else
                {
                    // Do not echo unknown arguments: one could be a secret that redaction does not recognise.
                    throw new UsageException("unexpected argument #" + (i + 1).ToString(CultureInfo.InvariantCulture));
                }
            }

            return options;
        }
    }

    private sealed class UsageException(string message) : Exception(message);

    private sealed class CommandException(string message) : Exception(message);
}
