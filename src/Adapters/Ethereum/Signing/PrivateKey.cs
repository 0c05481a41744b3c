using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// A secp256k1 private key held in a pinned array that is zeroed on <see cref="Dispose"/>. The key never appears
/// in <see cref="ToString"/>, exceptions or logs: messages name only the source (variable or file), never the
/// value. Create at start-up (allocates); <see cref="Secret"/> is read by signers on any thread.
/// </summary>
public sealed class PrivateKey : IDisposable
{
    private readonly byte[] _key;
    private bool _disposed;

    private PrivateKey(ReadOnlySpan<byte> key32, ISecp256k1 backend)
    {
        _key = GC.AllocateArray<byte>(32, pinned: true);
        key32.CopyTo(_key);
        Span<byte> publicKey = stackalloc byte[65];
        if (!backend.TryGetPublicKey(_key, publicKey))
        {
            CryptographicZero();
            throw new ArgumentException("Private key is out of range (must be 1 ≤ k < n).");
        }

        Address = Address.FromPublicKey(publicKey);
    }

    /// <summary>The account address of this key.</summary>
    public Address Address { get; }

    /// <summary>The raw 32 key bytes, for signers only. Throws after <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Secret
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    /// <summary>Creates a key from 32 raw bytes (copied).</summary>
    public static PrivateKey FromBytes(ReadOnlySpan<byte> key32, ISecp256k1? backend = null)
    {
        if (key32.Length != 32)
        {
            throw new ArgumentException($"A private key is 32 bytes, got {key32.Length}.", nameof(key32));
        }

        return new PrivateKey(key32, backend ?? Secp256k1.Default);
    }

    /// <summary>Parses 64 hex digits (0x optional, surrounding whitespace ignored). The message never echoes the input.</summary>
    public static PrivateKey FromHex(ReadOnlySpan<char> hex, ISecp256k1? backend = null)
    {
        ReadOnlySpan<char> digits = Hex.TrimPrefix(hex.Trim());
        Span<byte> key = stackalloc byte[32];
        try
        {
            if (digits.Length != 64 || !Hex.TryDecode(digits, key, out _))
            {
                throw new FormatException("Private key must be 64 hex digits (optionally 0x-prefixed).");
            }

            return FromBytes(key, backend);
        }
        finally
        {
            key.Clear();
        }
    }

    /// <summary>Reads the key (hex) from an environment variable; errors name the variable only.</summary>
    public static PrivateKey FromEnvironment(string variableName, ISecp256k1? backend = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(variableName);
        string? value = Environment.GetEnvironmentVariable(variableName);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException($"Environment variable '{variableName}' is not set or empty.");
        }

        try
        {
            return FromHex(value, backend);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new FormatException($"Environment variable '{variableName}' does not hold a valid private key: {ex.Message}");
        }
    }

    /// <summary>
    /// Reads the key (64 hex digits, 0x optional, surrounding whitespace ignored) from a regular file of at most
    /// <see cref="SecretFile.MaxBytes"/> bytes. A directory, FIFO, socket or device is refused without blocking
    /// (<see cref="IOException"/> saying what it is); content that is not a key is a <see cref="FormatException"/>.
    /// Errors name the path (redacted if it looks like a key), never the content.
    /// </summary>
    public static PrivateKey FromFile(string path, ISecp256k1? backend = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Load(path, backend, out PrivateKey? key, out string? error, out bool badContent) ? key
            : throw (badContent ? new FormatException(error + ".") : new IOException(error + "."));
    }

    /// <summary>
    /// <see cref="FromFile"/> with errors as values: false with a one-line <paramref name="error"/> such as
    /// "key file '/run/key' is a FIFO (named pipe), not a regular file".
    /// </summary>
    public static bool TryFromFile(string path, [NotNullWhen(true)] out PrivateKey? key, [NotNullWhen(false)] out string? error, ISecp256k1? backend = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Load(path, backend, out key, out error, out _);
    }

    private static bool Load(string path, ISecp256k1? backend, [NotNullWhen(true)] out PrivateKey? key, [NotNullWhen(false)] out string? error, out bool badContent)
    {
        key = null;
        badContent = false;
        string name = "key file '" + SecretRedaction.Excerpt(path, 200) + "'";
        Span<byte> bytes = stackalloc byte[SecretFile.MaxBytes];
        Span<char> text = stackalloc char[SecretFile.MaxBytes];
        try
        {
            if (!SecretFile.TryRead(path, bytes, out int length, out string? reason))
            {
                error = name + " " + reason;
                return false;
            }

            // Hex is ASCII: widen byte for byte; anything else fails the hex parse below.
            for (int i = 0; i < length; i++)
            {
                text[i] = (char)bytes[i];
            }

            try
            {
                key = FromHex(text[..length], backend);
                error = null;
                return true;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                badContent = true;
                error = name + " does not hold a valid private key (64 hex digits, in range)";
                return false;
            }
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text));
        }
    }

    /// <summary>"PrivateKey(0xAbC…redacted)": the address prefix, never key material.</summary>
    public override string ToString()
    {
        string address = Address.ToChecksumString();
        return $"PrivateKey({address[..6]}…redacted)";
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            CryptographicZero();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private void CryptographicZero() => System.Security.Cryptography.CryptographicOperations.ZeroMemory(_key);
}
