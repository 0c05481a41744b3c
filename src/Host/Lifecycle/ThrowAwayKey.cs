using System.Security.Cryptography;
using LowLatency.Adapters.Ethereum;

namespace LowLatency.Host.Lifecycle;

/// <summary>A dry run's signing key when none is configured: random, for this run only, never printed, never used to send.</summary>
internal static class ThrowAwayKey
{
    public static PrivateKey Create()
    {
        Span<byte> secret = stackalloc byte[32];
        try
        {
            while (true)
            {
                RandomNumberGenerator.Fill(secret);
                try
                {
                    return PrivateKey.FromBytes(secret);
                }
                catch (ArgumentException)
                {
                    // A 32-byte value outside the curve order (chance ~2^-128): draw again.
                }
            }
        }
        finally
        {
            secret.Clear();
        }
    }
}
