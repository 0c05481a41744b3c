namespace LowLatency.Adapters.Ethereum.Tests.Signing;

public class PrivateKeyTests
{
    private const string KeyHex = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    [Fact]
    public void Derives_address_and_never_prints_the_key()
    {
        using PrivateKey key = PrivateKey.FromHex("0x" + KeyHex);
        Assert.Equal("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", key.Address.ToString());
        string text = key.ToString();
        Assert.Equal("PrivateKey(0x2c75…redacted)", text);
        Assert.DoesNotContain(KeyHex[..8], text, StringComparison.OrdinalIgnoreCase);
        var signer = new EthSigner(key);
        Assert.DoesNotContain(KeyHex[..8], signer.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Dispose_zeroes_and_blocks_access()
    {
        var key = PrivateKey.FromHex(KeyHex);
        Assert.Equal(Hex.Decode(KeyHex), key.Secret.ToArray());
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Secret.Length);
    }

    [Theory]
    [InlineData("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f3623")] // 31 bytes
    [InlineData("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231g")] // not hex
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000000")] // zero
    [InlineData("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")] // n
    public void Bad_keys_fail_without_echoing_the_input(string hex)
    {
        Exception ex = Assert.ThrowsAny<Exception>(() => PrivateKey.FromHex(hex));
        Assert.True(ex is FormatException or ArgumentException);
        Assert.DoesNotContain(hex[2..12], ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void From_environment_and_file()
    {
        string variable = "LL_ETH1_TEST_KEY_" + Environment.ProcessId;
        Environment.SetEnvironmentVariable(variable, KeyHex);
        try
        {
            using PrivateKey fromEnv = PrivateKey.FromEnvironment(variable);
            Assert.Equal("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", fromEnv.Address.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        InvalidOperationException missing = Assert.Throws<InvalidOperationException>(() => PrivateKey.FromEnvironment(variable));
        Assert.Contains(variable, missing.Message, StringComparison.Ordinal);

        string path = Path.Combine(Path.GetTempPath(), $"eth1-key-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "0x" + KeyHex + "\n");
        try
        {
            using PrivateKey fromFile = PrivateKey.FromFile(path);
            Assert.Equal("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", fromFile.Address.ToString());
            File.WriteAllText(path, "0x" + KeyHex[..60]);
            FormatException bad = Assert.Throws<FormatException>(() => PrivateKey.FromFile(path));
            Assert.DoesNotContain(KeyHex[..20], bad.Message, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task From_file_reads_only_small_regular_files_and_never_blocks()
    {
        Assert.True(OperatingSystem.IsLinux(), "file types are tested on Linux");
        string dir = Directory.CreateTempSubdirectory("ll-pk-").FullName;
        try
        {
            IOException directory = Assert.Throws<IOException>(() => PrivateKey.FromFile(dir));
            Assert.Contains("directory", directory.Message, StringComparison.Ordinal);

            IOException device = Assert.Throws<IOException>(() => PrivateKey.FromFile("/dev/zero"));
            Assert.Contains("character device", device.Message, StringComparison.Ordinal);

            string big = Path.Combine(dir, "big");
            File.WriteAllText(big, KeyHex + new string('\n', SecretFile.MaxBytes));
            IOException tooBig = Assert.Throws<IOException>(() => PrivateKey.FromFile(big));
            Assert.Contains("larger than", tooBig.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(KeyHex[..20], tooBig.Message, StringComparison.OrdinalIgnoreCase);

            string fifo = Path.Combine(dir, "fifo");
            using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            {
                await mkfifo.WaitForExitAsync();
                Assert.Equal(0, mkfifo.ExitCode);
            }

            // A blocking open never returns: the guard turns a hang into a failure (and releases the reader).
            Task<Exception> read = Task.Run(() => Record.Exception(() => PrivateKey.FromFile(fifo)));
            if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(60))) != read)
            {
                await using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
                {
                }

                Assert.Fail("PrivateKey.FromFile blocked on a FIFO");
            }

            IOException pipe = Assert.IsType<IOException>(await read);
            Assert.Contains("FIFO", pipe.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Signer_sign_recover_round_trip_both_backends()
    {
        var rng = new Random(5);
        byte[] keyBytes = new byte[32];
        Span<byte> pub = stackalloc byte[65];
        Span<byte> rs = stackalloc byte[64];
        foreach (ISecp256k1 backend in new[] { Secp256k1.Create(), Secp256k1.CreateBouncyCastle() })
        {
            for (int i = 0; i < 30; i++)
            {
                rng.NextBytes(keyBytes);
                using PrivateKey key = PrivateKey.FromBytes(keyBytes, backend);
                var signer = new EthSigner(key, backend);
                byte[] message = new byte[rng.Next(0, 300)];
                rng.NextBytes(message);
                EcdsaSignature sig = signer.SignPersonalMessage(message);
                Assert.True(sig.IsLowS);
                Assert.True(sig.V is 27 or 28);
                sig.WriteCompact(rs);
                Assert.True(backend.TryRecover(Eip191.HashPersonalMessage(message), rs, sig.YParity, pub));
                Assert.Equal(key.Address, Address.FromPublicKey(pub));
            }
        }
    }
}
