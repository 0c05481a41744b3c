using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Host.Cli;
using LowLatency.HotPath.Primitives;
using LowLatency.Adapters.Ethereum.Rlp;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Testing.Anvil;

namespace LowLatency.Host.Tests.Cli;

/// <summary>The <c>eth</c> tools under hostile or careless input: pasted keys, wrong fields, wrong networks.</summary>
public sealed class EthCommandHardeningTests
{
    private const string KeyVar = "LL_TEST_ETH_KEY";

    // A real-looking key pasted where it does not belong (not the signing key, so its hex can never be legitimate output).
    private const string Pasted = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    private const string To = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private static readonly string s_devKey = AnvilFixture.DevKeys[0].PrivateKey;
    private static readonly string s_devAddress = AnvilFixture.DevKeys[0].Address;

    private static (int Code, string Out, string Err) Run(string[] args, string stdin = "")
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = EthCommand.Run(args, stdout, stderr, new StringReader(stdin), name => name == KeyVar ? s_devKey : null);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static (int Code, string Out, string Err) Sign(string json, params string[] flags) =>
        Run(["sign-tx", "--key-env", KeyVar, "--tx", json, .. flags]);

    /// <summary>One line on stderr, starting with the command group, and nothing on stdout.</summary>
    private static string AssertOneErrorLine((int Code, string Out, string Err) r, int expectedCode)
    {
        Assert.True(r.Code == expectedCode, $"exit {r.Code}, stderr: {r.Err}");
        Assert.Equal("", r.Out);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.Err);
        Assert.StartsWith("eth: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", lines[0], StringComparison.Ordinal);
        return lines[0];
    }

    private static void AssertNoPastedKey((int Code, string Out, string Err) r) =>
        Assert.DoesNotContain(Pasted[2..], r.Out + r.Err, StringComparison.OrdinalIgnoreCase);

    private static string Tx(string fields) =>
        "{\"type\":2,\"chainId\":1,\"nonce\":0,\"to\":\"" + To + "\",\"gasLimit\":21000,\"maxFeePerGas\":10,\"maxPriorityFeePerGas\":1" + fields + "}";

    public static TheoryData<string[], string> PastedKeyArguments() => new()
    {
        { ["abi-encode", "f(address)", Pasted], "" },
        { ["abi-encode", "f(uint8)", Pasted], "" },
        { ["abi-encode", "f(bytes4)", Pasted], "" },
        { ["abi-encode", Pasted, "1"], "" },
        { ["abi-encode", "f(uint256)", Pasted + "00"], "" },
        { [Pasted], "" },
        { [Pasted[2..]], "" },
        { ["address", "--key-env", Pasted], "" },
        { ["address", "--key-file", Pasted], "" },
        { ["address", "--key-env", KeyVar, Pasted], "" },
        { ["flashbots-header", "--key-env", KeyVar, "--body-file", Pasted], "" },
        { ["decode-tx", Pasted], "" },
        { ["decode-tx", Pasted + "zz"], "" },
        { ["decode-tx", "0x02c0", "--chain-id", Pasted], "" },
        { ["decode-tx", "--chain-id", "1", Pasted], "" },
        { ["rlp-decode", Pasted + "0"], "" },
        { ["rlp-decode", Pasted], "" },
        { ["keccak", Pasted + "0"], "" },
        { ["keccak", "--text", Pasted, Pasted], "" },
        { ["sign-tx", "--key-env", KeyVar, "--tx", Pasted], "" },
        { ["sign-tx", "--key-env", KeyVar, "--tx", "{\"nonce\":" + Pasted + "}"], "" },
        { ["sign-tx", "--key-env", KeyVar, "--ndjson"], Pasted + "\n" },
        { ["sign-tx", "--key-env", KeyVar, "--ndjson"], Tx(",\"value\":\"" + Pasted + "00\"") + "\n" },
    };

    [Theory]
    [MemberData(nameof(PastedKeyArguments))]
    public void A_key_pasted_into_an_argument_is_never_echoed(string[] args, string stdin)
    {
        var r = Run(args, stdin);
        Assert.True(r.Code is 1 or 2, r.Err);
        AssertOneErrorLine(r, r.Code);
        AssertNoPastedKey(r);
    }

    public static TheoryData<string> PastedKeyFields() =>
    [
        "{\"type\":2,\"chainId\":1,\"nonce\":\"" + Pasted + "1\"}",
        "{\"type\":2,\"chainId\":1,\"nonce\":\"" + Pasted + "\"}",
        "{\"type\":2,\"chainId\":1,\"gasLimit\":\"" + Pasted + "\"}",
        "{\"type\":2,\"chainId\":1,\"gas\":\"" + Pasted + "\"}",
        "{\"type\":2,\"chainId\":1,\"to\":\"" + Pasted + "\"}",
        "{\"type\":2,\"chainId\":\"" + Pasted + "00\"}",
        "{\"type\":\"" + Pasted + "\"}",
        Tx(",\"value\":\"" + Pasted + "00\""),
        Tx(",\"value\":\"-" + Pasted + "\""),
        Tx(",\"data\":\"" + Pasted + "0\""),
        Tx(",\"data\":\"" + Pasted + "zz\""),
        Tx(",\"accessList\":[[\"" + Pasted + "\",[]]]"),
        Tx(",\"accessList\":[{\"address\":\"" + To + "\",\"storageKeys\":[\"" + Pasted + "00\"]}]"),
        Tx(",\"accessList\":[{\"address\":\"" + Pasted + "\",\"storageKeys\":[]}]"),
        Tx(",\"from\":\"" + Pasted + "\""),
        Tx(",\"privateKey\":\"" + Pasted + "\""),
        Tx(",\"secret\":\"" + Pasted + "\""),
        Tx(",\"note\":\"" + Pasted + "\""),
        Tx(",\"" + Pasted + "\":1"),
        Tx(",\"" + Pasted[2..] + "\":\"x\""),
        "{\"type\":2,\"chainId\":1,\"maxFeePerGas\":\"" + Pasted + "00\"}",
        "{\"type\":0,\"chainId\":1,\"gasPrice\":[\"" + Pasted + "\"]}",
    ];

    [Theory]
    [MemberData(nameof(PastedKeyFields))]
    public void A_key_pasted_into_a_transaction_field_is_never_echoed(string json)
    {
        foreach (var r in new[] { Sign(json), Run(["sign-tx", "--key-env", KeyVar, "--ndjson"], json + "\n") })
        {
            AssertOneErrorLine(r, 1);
            AssertNoPastedKey(r);
        }
    }

    [Fact]
    public void Redaction_keeps_the_rest_of_the_message()
    {
        var abi = AssertOneErrorLine(Run(["abi-encode", "f(address)", Pasted]), 1);
        Assert.Contains("argument 1", abi, StringComparison.Ordinal);
        Assert.Contains(SecretRedaction.Marker, abi, StringComparison.Ordinal);

        var command = AssertOneErrorLine(Run([Pasted]), 2);
        Assert.Contains("unknown command", command, StringComparison.Ordinal);

        var field = AssertOneErrorLine(Sign(Tx(",\"" + Pasted + "\":1")), 1);
        Assert.Contains("unknown field", field, StringComparison.Ordinal);
        Assert.Contains(SecretRedaction.Marker, field, StringComparison.Ordinal);

        // A very long value is not echoed whole either.
        var longName = new string('q', 5000);
        var truncated = AssertOneErrorLine(Run([longName]), 2);
        Assert.True(truncated.Length < 300, truncated);
    }

    // ------------------------------------------------------------------ item 17: --key-file reads regular files only

    [Fact]
    public void Key_file_that_is_a_directory_is_a_clear_error()
    {
        var dir = Directory.CreateTempSubdirectory("ll-keydir-").FullName;
        try
        {
            var line = AssertOneErrorLine(Run(["address", "--key-file", dir]), 1);
            Assert.Contains("directory", line, StringComparison.Ordinal);
            Assert.Contains("not a regular file", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public async Task Key_file_that_is_a_fifo_is_refused_without_blocking()
    {
        Assert.True(OperatingSystem.IsLinux(), "FIFO semantics are tested on Linux");
        var dir = Directory.CreateTempSubdirectory("ll-keyfifo-").FullName;
        var fifo = Path.Combine(dir, "key");
        try
        {
            Mkfifo(fifo);
            var link = Path.Combine(dir, "link");
            File.CreateSymbolicLink(link, fifo);
            foreach (var path in new[] { fifo, link })
            {
                // A blocking open never returns: the guard turns a hang into a failure (and releases the reader).
                var run = Task.Run(() => Run(["address", "--key-file", path]));
                if (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))) != run)
                {
                    await using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
                    {
                    }

                    Assert.Fail("--key-file blocked on a FIFO");
                }

                var line = AssertOneErrorLine(await run, 1);
                Assert.Contains("FIFO", line, StringComparison.Ordinal);
                Assert.Contains("not a regular file", line, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Key_file_that_is_a_device_or_socket_is_refused()
    {
        Assert.True(OperatingSystem.IsLinux(), "device and socket files are tested on Linux");
        foreach (var device in new[] { "/dev/null", "/dev/zero", "/dev/urandom" })
        {
            var line = AssertOneErrorLine(Run(["address", "--key-file", device]), 1);
            Assert.Contains("character device", line, StringComparison.Ordinal);
        }

        var dir = Directory.CreateTempSubdirectory("ll-keysock-").FullName;
        var socketPath = Path.Combine(dir, "s");
        try
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
            socket.Listen();
            var line = AssertOneErrorLine(Run(["address", "--key-file", socketPath]), 1);
            Assert.Contains("socket", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Key_file_size_is_capped_and_symlinks_to_regular_files_work()
    {
        var dir = Directory.CreateTempSubdirectory("ll-keysize-").FullName;
        try
        {
            var big = Path.Combine(dir, "big");
            File.WriteAllText(big, s_devKey + "\n" + new string(' ', SecretFile.MaxBytes));
            var line = AssertOneErrorLine(Run(["address", "--key-file", big]), 1);
            Assert.Contains(SecretFile.MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
            Assert.DoesNotContain(s_devKey[2..], line, StringComparison.OrdinalIgnoreCase);

            var empty = Path.Combine(dir, "empty");
            File.WriteAllText(empty, "");
            Assert.Contains("valid private key", AssertOneErrorLine(Run(["address", "--key-file", empty]), 1), StringComparison.Ordinal);

            var missing = AssertOneErrorLine(Run(["address", "--key-file", Path.Combine(dir, "nope")]), 1);
            Assert.Contains("does not exist", missing, StringComparison.Ordinal);

            // Secrets mounts (Kubernetes, Docker) are symlinks to regular files; whitespace around the key is fine.
            var real = Path.Combine(dir, "real");
            File.WriteAllText(real, "  " + s_devKey + "\r\n");
            var link = Path.Combine(dir, "link");
            File.CreateSymbolicLink(link, real);
            var ok = Run(["address", "--key-file", link]);
            Assert.True(ok.Code == 0, ok.Err);
            Assert.Equal(s_devAddress, ok.Out.Trim());

            // Exactly at the cap is still read.
            File.WriteAllText(real, s_devKey + new string('\n', SecretFile.MaxBytes - s_devKey.Length));
            Assert.Equal(SecretFile.MaxBytes, new FileInfo(real).Length);
            Assert.Equal(0, Run(["address", "--key-file", real]).Code);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Mkfifo(string path)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    // ------------------------------------------------------------------ item 18: a transaction to sign is an instruction

    [Theory]
    [InlineData("privateKey")]
    [InlineData("private_key")]
    [InlineData("key")]
    [InlineData("secret")]
    [InlineData("signerKey")]
    [InlineData("mnemonic")]
    public void Sign_tx_refuses_a_key_inside_the_transaction(string field)
    {
        var r = Sign(Tx(",\"" + field + "\":\"" + Pasted + "\""));
        var line = AssertOneErrorLine(r, 1);
        Assert.Contains("'" + field + "'", line, StringComparison.Ordinal);
        Assert.Contains("--key-env", line, StringComparison.Ordinal);
        Assert.Contains("--key-file", line, StringComparison.Ordinal);
        AssertNoPastedKey(r);
    }

    [Theory]
    [InlineData(",\"foo\":1", "'foo'")]
    [InlineData(",\"v\":\"0x1b\"", "'v'")]
    [InlineData(",\"hash\":\"0x00\"", "'hash'")]
    [InlineData(",\"Nonce\":1", "'Nonce'")]
    public void Sign_tx_refuses_unknown_fields_naming_them(string extra, string named)
    {
        var line = AssertOneErrorLine(Sign(Tx(extra)), 1);
        Assert.Contains("unknown field", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_tx_refuses_unknown_field_names_it_cannot_show()
    {
        var line = AssertOneErrorLine(Sign(Tx(",\"" + new string('z', 2000) + "\":1")), 1);
        Assert.Contains("unknown field", line, StringComparison.Ordinal);
        Assert.True(line.Length < 300, line);
    }

    [Theory]
    [InlineData("{\"type\":2,\"chainId\":1,\"gasLimit\":21000,\"to\":\"" + To + "\",\"maxFeePerGas\":2,\"gasPrice\":1}", "gasPrice")]
    [InlineData("{\"type\":0,\"chainId\":1,\"gasLimit\":21000,\"to\":\"" + To + "\",\"gasPrice\":2,\"maxFeePerGas\":1}", "maxFeePerGas")]
    [InlineData("{\"type\":1,\"chainId\":1,\"gasLimit\":21000,\"to\":\"" + To + "\",\"gasPrice\":2,\"maxPriorityFeePerGas\":1}", "maxPriorityFeePerGas")]
    [InlineData("{\"type\":0,\"chainId\":1,\"gasLimit\":23400,\"to\":\"" + To + "\",\"gasPrice\":2,\"accessList\":[]}", "accessList")]
    [InlineData("{\"chainId\":1,\"gasLimit\":23400,\"to\":\"" + To + "\",\"gasPrice\":2,\"accessList\":[]}", "accessList")]
    public void Sign_tx_refuses_fields_its_type_would_ignore(string json, string field)
    {
        var line = AssertOneErrorLine(Sign(json), 1);
        Assert.Contains("'" + field + "'", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(",\"to\":\"" + To + "\"", "'to'")]
    [InlineData(",\"gas\":21000", "'gasLimit'")]
    [InlineData(",\"input\":\"0x\",\"data\":\"0x\"", "'data'")]
    public void Sign_tx_refuses_a_field_given_twice(string extra, string named)
    {
        var line = AssertOneErrorLine(Sign(Tx(extra)), 1);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(",\"to\":5", "'to'")]
    [InlineData(",\"data\":5", "'data'")]
    [InlineData(",\"accessList\":{}", "'accessList'")]
    [InlineData(",\"accessList\":[{\"address\":\"" + To + "\",\"storageKeys\":[5]}]", "accessList")]
    [InlineData(",\"accessList\":[{\"address\":\"" + To + "\",\"storageKeys\":[],\"extra\":1}]", "'extra'")]
    [InlineData(",\"accessList\":[{\"address\":5,\"storageKeys\":[]}]", "accessList")]
    [InlineData(",\"value\":true", "'value'")]
    [InlineData(",\"value\":1.5", "'value'")]
    [InlineData(",\"value\":-1", "'value'")]
    public void Sign_tx_names_the_field_of_a_wrong_type(string extra, string named)
    {
        var line = AssertOneErrorLine(Sign(Tx(extra)), 1);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gasLimit")]
    [InlineData("gas")]
    [InlineData("nonce")]
    public void Sign_tx_names_the_64_bit_field_that_overflows(string field)
    {
        var json = "{\"type\":2,\"chainId\":1,\"to\":\"" + To + "\",\"maxFeePerGas\":1,\"" + field + "\":\"0x10000000000000000\"}";
        var line = AssertOneErrorLine(Sign(json), 1);
        Assert.Contains("'" + field + "'", line, StringComparison.Ordinal);
        Assert.Contains("64 bits", line, StringComparison.Ordinal);
        Assert.DoesNotContain("UInt256", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_tx_refuses_the_largest_nonce_eip2681()
    {
        var line = AssertOneErrorLine(Sign(Tx(",\"nonce\":\"0xffffffffffffffff\"").Replace("\"nonce\":0,", "", StringComparison.Ordinal)), 1);
        Assert.Contains("nonce", line, StringComparison.Ordinal);
        Assert.Equal(0, Sign(Tx(",\"nonce\":\"0xfffffffffffffffe\"").Replace("\"nonce\":0,", "", StringComparison.Ordinal)).Code);
    }

    [Fact]
    public void Sign_tx_accepts_from_only_when_it_is_the_key()
    {
        Assert.Equal(0, Sign(Tx(",\"from\":\"" + s_devAddress + "\"")).Code);
        Assert.Equal(0, Sign(Tx(",\"from\":\"" + s_devAddress.ToLowerInvariant() + "\"")).Code);
        var line = AssertOneErrorLine(Sign(Tx(",\"from\":\"" + To + "\"")), 1);
        Assert.Contains("from", line, StringComparison.Ordinal);
        Assert.Contains(To, line, StringComparison.Ordinal);
        Assert.Contains(s_devAddress, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_tx_checks_intrinsic_gas_before_signing()
    {
        // 100 KB of non-zero calldata at 21000 gas: 21000 + 100000 * 16 needed.
        var data = "0x" + string.Concat(Enumerable.Repeat("ff", 100_000));
        var r = Sign(Tx(",\"data\":\"" + data + "\""));
        var line = AssertOneErrorLine(r, 1);
        Assert.Contains("intrinsic gas", line, StringComparison.Ordinal);
        Assert.Contains("21000", line, StringComparison.Ordinal);
        Assert.Contains("1621000", line, StringComparison.Ordinal);

        // Exactly enough is signed, and our own decoder (Cancun rules) accepts the result.
        var enough = Sign(Tx(",\"data\":\"" + data + "\"").Replace("\"gasLimit\":21000", "\"gasLimit\":1621000", StringComparison.Ordinal));
        Assert.True(enough.Code == 0, enough.Err);
        Assert.Equal(0, Run(["decode-tx", enough.Out.Trim()]).Code);
        Assert.Contains("1620999", AssertOneErrorLine(Sign(Tx(",\"data\":\"" + data + "\"").Replace("\"gasLimit\":21000", "\"gasLimit\":1620999", StringComparison.Ordinal)), 1), StringComparison.Ordinal);

        // Zero bytes cost 4, creation 32000 + 2 per init code word, access lists 2400 per address and 1900 per key.
        (string Json, ulong Needed)[] cases =
        [
            (Tx(",\"data\":\"0x0000\""), 21008),
            (Tx("").Replace(",\"to\":\"" + To + "\"", "", StringComparison.Ordinal), 53000),
            (Tx(",\"data\":\"0x00\"").Replace(",\"to\":\"" + To + "\"", "", StringComparison.Ordinal), 53006),
            (Tx(",\"accessList\":[{\"address\":\"" + To + "\",\"storageKeys\":[\"0x" + new string('0', 64) + "\"]}]"), 25300),
        ];
        foreach ((string json, ulong needed) in cases)
        {
            var refused = AssertOneErrorLine(Sign(json), 1);
            Assert.Contains(needed.ToString(System.Globalization.CultureInfo.InvariantCulture), refused, StringComparison.Ordinal);
            var exact = Sign(json.Replace("\"gasLimit\":21000", "\"gasLimit\":" + needed.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            Assert.True(exact.Code == 0, exact.Err);
        }
    }

    [Fact]
    public void Sign_tx_applies_the_other_cancun_rules_before_signing()
    {
        Assert.Contains("maxPriorityFeePerGas", AssertOneErrorLine(Sign(Tx("").Replace("\"maxPriorityFeePerGas\":1", "\"maxPriorityFeePerGas\":11", StringComparison.Ordinal)), 1), StringComparison.Ordinal);
        var initCode = "0x" + new string('1', 2 * 49_153);
        var tooLarge = Tx(",\"data\":\"" + initCode + "\"").Replace(",\"to\":\"" + To + "\"", "", StringComparison.Ordinal).Replace("\"gasLimit\":21000", "\"gasLimit\":10000000", StringComparison.Ordinal);
        Assert.Contains("49152", AssertOneErrorLine(Sign(tooLarge), 1), StringComparison.Ordinal);
        var overflow = Tx("").Replace("\"maxFeePerGas\":10", "\"maxFeePerGas\":\"0x" + new string('f', 64) + "\"", StringComparison.Ordinal);
        Assert.Contains("overflow", AssertOneErrorLine(Sign(overflow), 1), StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_tx_chain_id_messages_name_the_flags()
    {
        var zero = AssertOneErrorLine(Sign(Tx("").Replace("\"chainId\":1", "\"chainId\":0", StringComparison.Ordinal)), 1);
        Assert.Contains("--allow-chain-id-zero", zero, StringComparison.Ordinal);
        Assert.DoesNotContain("allowChainIdZero", zero, StringComparison.Ordinal);
        Assert.Equal(0, Sign(Tx("").Replace("\"chainId\":1", "\"chainId\":0", StringComparison.Ordinal), "--allow-chain-id-zero").Code);

        var typedWithout = AssertOneErrorLine(Sign(Tx("").Replace("\"chainId\":1,", "", StringComparison.Ordinal)), 1);
        Assert.Contains("chainId", typedWithout, StringComparison.Ordinal);

        // A legacy transaction without chainId is unprotected (replayable on every chain): asked for explicitly.
        const string legacy = "{\"type\":0,\"nonce\":0,\"to\":\"" + To + "\",\"gasLimit\":21000,\"gasPrice\":1}";
        var unprotected = AssertOneErrorLine(Sign(legacy), 1);
        Assert.Contains("--allow-unprotected", unprotected, StringComparison.Ordinal);
        var signed = Sign(legacy, "--allow-unprotected");
        Assert.True(signed.Code == 0, signed.Err);
        using var doc = JsonDocument.Parse(Run(["decode-tx", signed.Out.Trim()]).Out);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("chainId").ValueKind);

        // A chain id whose EIP-155 v does not fit in 256 bits is an error, not a crash.
        var huge = AssertOneErrorLine(Sign("{\"type\":0,\"chainId\":\"0x8000000000000000000000000000000000000000000000000000000000000000\",\"to\":\"" + To + "\",\"gasLimit\":21000,\"gasPrice\":1}"), 1);
        Assert.Contains("chainId", huge, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_tx_ndjson_stops_at_the_first_refused_line_and_names_it()
    {
        var good = Tx("");
        var r = Run(["sign-tx", "--key-env", KeyVar, "--ndjson"], good + "\n" + Tx(",\"privateKey\":\"" + Pasted + "\"") + "\n" + good + "\n");
        Assert.Equal(1, r.Code);
        Assert.Single(r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("line 2", r.Err, StringComparison.Ordinal);
        AssertNoPastedKey(r);
    }

    // ------------------------------------------------------------------ item 19: decode-tx --chain-id

    private static string SignedFor(string chainId)
    {
        var r = Sign(Tx("").Replace("\"chainId\":1", "\"chainId\":" + chainId, StringComparison.Ordinal), "--allow-chain-id-zero");
        Assert.True(r.Code == 0, r.Err);
        return r.Out.Trim();
    }

    [Fact]
    public void Decode_tx_chain_id_rejects_other_networks()
    {
        var mainnet = SignedFor("1");
        var anvil = SignedFor("31337");
        Assert.Equal(0, Run(["decode-tx", mainnet, "--chain-id", "1"]).Code);
        Assert.Equal(0, Run(["decode-tx", "--chain-id", "0x7a69", anvil]).Code);
        var wrong = AssertOneErrorLine(Run(["decode-tx", anvil, "--chain-id", "1"]), 1);
        Assert.Contains("31337", wrong, StringComparison.Ordinal);
        Assert.Contains("--chain-id 1", wrong, StringComparison.Ordinal);
        AssertOneErrorLine(Run(["decode-tx", SignedFor("0"), "--chain-id", "1"]), 1);

        foreach (var bad in new[] { "x", "-1", "", "1.5", "0x" + new string('f', 65) })
        {
            Assert.Contains("--chain-id", AssertOneErrorLine(Run(["decode-tx", mainnet, "--chain-id", bad]), 2), StringComparison.Ordinal);
        }

        AssertOneErrorLine(Run(["decode-tx", mainnet, "--chain-id"]), 2);
        AssertOneErrorLine(Run(["decode-tx", mainnet, "--chain-id", "1", "--chain-id", "1"]), 2);
    }

    [Fact]
    public void Decode_tx_chain_id_refuses_unprotected_legacy_unless_allowed()
    {
        var signed = Sign("{\"type\":0,\"nonce\":0,\"to\":\"" + To + "\",\"gasLimit\":21000,\"gasPrice\":1}", "--allow-unprotected").Out.Trim();
        Assert.Equal(0, Run(["decode-tx", signed]).Code); // no network asked: the protocol accepts it
        var refused = AssertOneErrorLine(Run(["decode-tx", signed, "--chain-id", "1"]), 1);
        Assert.Contains("--allow-unprotected", refused, StringComparison.Ordinal);
        Assert.Equal(0, Run(["decode-tx", signed, "--chain-id", "1", "--allow-unprotected"]).Code);
        AssertOneErrorLine(Run(["decode-tx", signed, "--allow-unprotected"]), 2); // meaningless without --chain-id
    }

    [Fact]
    public void Decode_tx_messages_use_the_json_field_names()
    {
        // gasLimit of 9 bytes: too large for its 64-bit field.
        var tx = new Transaction { Type = TxType.DynamicFee, ChainId = UInt256.One, GasLimit = 21000, MaxFeePerGas = 10, To = Address.Parse(To) };
        using var key = PrivateKey.FromHex(s_devKey);
        var signed = TransactionSigner.Sign(tx, new EthSigner(key)).EncodeSigned();
        Assert.True(RlpCodec.TryDecode(signed.AsSpan(1), out var item, out _));
        var fields = item!.Items.ToArray();
        fields[4] = RlpItem.String([1, 0, 0, 0, 0, 0, 0, 0x52, 0x08]); // gasLimit
        var raw = Hex.Encode([2, .. RlpCodec.Encode(RlpItem.List(fields))]);
        var line = AssertOneErrorLine(Run(["decode-tx", raw]), 1);
        Assert.Contains("gasLimit", line, StringComparison.Ordinal);
        Assert.DoesNotContain("GasLimit", line, StringComparison.Ordinal);
        var lowGas = new Transaction { Type = TxType.DynamicFee, ChainId = UInt256.One, GasLimit = 20999, MaxFeePerGas = 10, To = Address.Parse(To) };
        var low = AssertOneErrorLine(Run(["decode-tx", Hex.Encode(TransactionSigner.Sign(lowGas, new EthSigner(key)).EncodeSigned())]), 1);
        Assert.Contains("20999", low, StringComparison.Ordinal);
        Assert.Contains("21000", low, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ robustness: mutated inputs never throw

    [Fact]
    public void Mutated_transaction_json_never_throws_and_never_echoes_the_key()
    {
        var random = new Random(17);
        string[] templates =
        [
            Tx(",\"value\":\"0xde0b6b3a7640000\",\"data\":\"0x" + Pasted[2..] + "\""),
            "{\"type\":1,\"chainId\":\"0x1\",\"nonce\":\"7\",\"gasLimit\":\"0x" + Pasted[2..] + "\",\"gasPrice\":\"" + Pasted + "\",\"accessList\":[[\"" + To + "\",[\"" + Pasted + "\"]]]}",
            "{\"type\":0,\"chainId\":1,\"to\":\"" + To + "\",\"gasLimit\":21000,\"gasPrice\":1,\"value\":\"" + Pasted + "\"}",
        ];
        const string alphabet = "{}[]\",:0x1fF-.e \\nul";
        for (var i = 0; i < 3000; i++)
        {
            var chars = templates[i % templates.Length].ToCharArray();
            var edits = 1 + random.Next(3);
            var text = new string(chars);
            for (var e = 0; e < edits; e++)
            {
                var at = random.Next(text.Length);
                text = random.Next(3) switch
                {
                    0 => text.Remove(at, 1),
                    1 => text.Insert(at, alphabet[random.Next(alphabet.Length)].ToString()),
                    _ => text[..at] + alphabet[random.Next(alphabet.Length)] + text[(at + 1)..],
                };
            }

            var r = Sign(text, "--allow-chain-id-zero", "--allow-unprotected");
            Assert.True(r.Code is 0 or 1, text + "\n" + r.Err);
            if (r.Code == 1)
            {
                AssertOneErrorLine(r, 1);
                Assert.DoesNotContain(Pasted[2..], r.Err, StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
