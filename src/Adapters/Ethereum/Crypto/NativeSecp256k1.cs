using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// libsecp256k1 through unmanaged function pointers resolved with <see cref="NativeLibrary"/>. Function pointers
/// (rather than [LibraryImport]) let us probe several file names without a per-assembly DllImportResolver; every
/// argument is a blittable pointer or integer, so no marshalling stub runs and nothing allocates. One context is
/// created at load time, randomised, and shared: libsecp256k1 contexts are safe for concurrent const use.
/// </summary>
internal sealed unsafe class NativeSecp256k1 : ISecp256k1
{
    private const uint ContextSign = 0x201; // SECP256K1_CONTEXT_SIGN (deprecated no-op flags in ≥0.2, required before)
    private const uint ContextVerify = 0x101;
    private const uint EcUncompressed = 0x2;

    private static readonly string[] s_libraryNames = ["libsecp256k1.so.1", "libsecp256k1.so.2", "libsecp256k1.so", "libsecp256k1", "secp256k1"];
    private static readonly Lazy<NativeSecp256k1?> s_shared = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly nint _context;
    private readonly delegate* unmanaged<nint, byte*, int> _seckeyVerify;
    private readonly delegate* unmanaged<nint, byte*, byte*, int> _pubkeyCreate;
    private readonly delegate* unmanaged<nint, byte*, nuint*, byte*, uint, int> _pubkeySerialize;
    private readonly delegate* unmanaged<nint, byte*, byte*, nuint, int> _pubkeyParse;
    private readonly delegate* unmanaged<nint, byte*, byte*, byte*, nint, nint, int> _signRecoverable;
    private readonly delegate* unmanaged<nint, byte*, int*, byte*, int> _recoverableSerialize;
    private readonly delegate* unmanaged<nint, byte*, byte*, int, int> _recoverableParse;
    private readonly delegate* unmanaged<nint, byte*, byte*, byte*, int> _recover;
    private readonly delegate* unmanaged<nint, byte*, byte*, int> _signatureParse;
    private readonly delegate* unmanaged<nint, byte*, byte*, byte*, int> _verify;

    private NativeSecp256k1(nint library)
    {
        var create = (delegate* unmanaged<uint, nint>)NativeLibrary.GetExport(library, "secp256k1_context_create");
        var randomize = (delegate* unmanaged<nint, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_context_randomize");
        _seckeyVerify = (delegate* unmanaged<nint, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ec_seckey_verify");
        _pubkeyCreate = (delegate* unmanaged<nint, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ec_pubkey_create");
        _pubkeySerialize = (delegate* unmanaged<nint, byte*, nuint*, byte*, uint, int>)NativeLibrary.GetExport(library, "secp256k1_ec_pubkey_serialize");
        _pubkeyParse = (delegate* unmanaged<nint, byte*, byte*, nuint, int>)NativeLibrary.GetExport(library, "secp256k1_ec_pubkey_parse");
        _signRecoverable = (delegate* unmanaged<nint, byte*, byte*, byte*, nint, nint, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_sign_recoverable");
        _recoverableSerialize = (delegate* unmanaged<nint, byte*, int*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_recoverable_signature_serialize_compact");
        _recoverableParse = (delegate* unmanaged<nint, byte*, byte*, int, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_recoverable_signature_parse_compact");
        _recover = (delegate* unmanaged<nint, byte*, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_recover");
        _signatureParse = (delegate* unmanaged<nint, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_signature_parse_compact");
        _verify = (delegate* unmanaged<nint, byte*, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_verify");

        _context = create(ContextSign | ContextVerify);
        if (_context == 0)
        {
            throw new InvalidOperationException("secp256k1_context_create returned null.");
        }

        // Blinding against side channels; the seed need not be secret from us, only unpredictable.
        Span<byte> seed = stackalloc byte[32];
        RandomNumberGenerator.Fill(seed);
        fixed (byte* s = seed)
        {
            _ = randomize(_context, s);
        }

        seed.Clear();
    }

    public string Name => "libsecp256k1";

    public bool IsNative => true;

    internal static NativeSecp256k1? TryGetShared() => s_shared.Value;

    private static NativeSecp256k1? Load()
    {
        foreach (string name in s_libraryNames)
        {
            if (!NativeLibrary.TryLoad(name, typeof(NativeSecp256k1).Assembly, null, out nint handle))
            {
                continue;
            }

            // The recovery module is optional at libsecp256k1 build time; without it we cannot serve Ethereum.
            if (!NativeLibrary.TryGetExport(handle, "secp256k1_ecdsa_sign_recoverable", out _) ||
                !NativeLibrary.TryGetExport(handle, "secp256k1_ecdsa_recover", out _))
            {
                NativeLibrary.Free(handle);
                continue;
            }

            return new NativeSecp256k1(handle);
        }

        return null;
    }

    public bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey32)
    {
        if (privateKey32.Length != 32)
        {
            return false;
        }

        fixed (byte* k = privateKey32)
        {
            return _seckeyVerify(_context, k) == 1;
        }
    }

    public bool TryGetPublicKey(ReadOnlySpan<byte> privateKey32, Span<byte> uncompressedPublicKey65)
    {
        if (privateKey32.Length != 32 || uncompressedPublicKey65.Length < 65)
        {
            return false;
        }

        byte* pubkey = stackalloc byte[64];
        fixed (byte* k = privateKey32)
        {
            if (_pubkeyCreate(_context, pubkey, k) != 1)
            {
                return false;
            }
        }

        return Serialize(pubkey, uncompressedPublicKey65);
    }

    public bool TrySign(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32, Span<byte> rs64, out int recoveryId)
    {
        recoveryId = -1;
        if (hash32.Length != 32 || privateKey32.Length != 32 || rs64.Length < 64)
        {
            return false;
        }

        byte* sig = stackalloc byte[65];
        int recid;
        fixed (byte* h = hash32)
        fixed (byte* k = privateKey32)
        fixed (byte* output = rs64)
        {
            // Null nonce function = RFC 6979 HMAC-SHA256; libsecp256k1 always emits low-s.
            if (_signRecoverable(_context, sig, h, k, 0, 0) != 1)
            {
                return false;
            }

            _ = _recoverableSerialize(_context, output, &recid, sig);
        }

        recoveryId = recid;
        return true;
    }

    public bool TryRecover(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> rs64, int recoveryId, Span<byte> uncompressedPublicKey65)
    {
        if (hash32.Length != 32 || rs64.Length != 64 || (uint)recoveryId > 3 || uncompressedPublicKey65.Length < 65)
        {
            return false;
        }

        byte* sig = stackalloc byte[65];
        byte* pubkey = stackalloc byte[64];
        fixed (byte* h = hash32)
        fixed (byte* input = rs64)
        {
            if (_recoverableParse(_context, sig, input, recoveryId) != 1 || _recover(_context, pubkey, sig, h) != 1)
            {
                return false;
            }
        }

        return Serialize(pubkey, uncompressedPublicKey65);
    }

    public bool Verify(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> rs64, ReadOnlySpan<byte> uncompressedPublicKey65)
    {
        if (hash32.Length != 32 || rs64.Length != 64 || uncompressedPublicKey65.Length != 65)
        {
            return false;
        }

        byte* sig = stackalloc byte[64];
        byte* pubkey = stackalloc byte[64];
        fixed (byte* h = hash32)
        fixed (byte* input = rs64)
        fixed (byte* pub = uncompressedPublicKey65)
        {
            return _pubkeyParse(_context, pubkey, pub, 65) == 1
                && _signatureParse(_context, sig, input) == 1
                && _verify(_context, sig, h, pubkey) == 1;
        }
    }

    private bool Serialize(byte* pubkey, Span<byte> dest65)
    {
        nuint length = 65;
        fixed (byte* output = dest65)
        {
            return _pubkeySerialize(_context, output, &length, pubkey, EcUncompressed) == 1 && length == 65;
        }
    }
}
