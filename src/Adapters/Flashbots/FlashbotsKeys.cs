using System.Diagnostics.CodeAnalysis;
using LowLatency.Adapters.Ethereum;

namespace LowLatency.Adapters.Flashbots;

/// <summary>
/// The two keys of the bundle path: the trading key signs transactions, <c>FLASHBOTS_SIGNER_KEY</c> signs the relay
/// header (reputation only, holds no funds). They must differ: a relay sees the header's address, and one key for
/// both would tie the reputation identity to the account that holds the funds.
/// </summary>
public static class FlashbotsKeys
{
    public const string SignerVariable = "FLASHBOTS_SIGNER_KEY";

    /// <summary>Refuses equal keys; the reason names the variables, never a key.</summary>
    public static bool TryValidate(EthSigner trading, EthSigner flashbots, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(trading);
        ArgumentNullException.ThrowIfNull(flashbots);
        if (trading.Address == flashbots.Address)
        {
            reason = SignerVariable + " must differ from the trading key: the relay header would reveal the account that holds the funds (" +
                trading.Address + "); give the Flashbots signer its own key";
            return false;
        }

        reason = null;
        return true;
    }

    /// <summary>Reads <c>FLASHBOTS_SIGNER_KEY</c> from a key file path or a variable holding the key; errors never quote the value.</summary>
    public static bool TryLoadSigner(Func<string, string?> getEnvironment, [NotNullWhen(true)] out EthSigner? signer, [NotNullWhen(false)] out string? reason) =>
        TryLoad(getEnvironment, SignerVariable, out signer, out reason);

    /// <summary>Reads the key in <paramref name="variable"/> (a key file path, or the key in hex); errors name the variable, never the value.</summary>
    public static bool TryLoad(Func<string, string?> getEnvironment, string variable, [NotNullWhen(true)] out EthSigner? signer, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(getEnvironment);
        ArgumentException.ThrowIfNullOrEmpty(variable);
        signer = null;
        string? value = getEnvironment(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            reason = variable + " is not set";
            return false;
        }

        if (File.Exists(value) || value.Contains('/', StringComparison.Ordinal))
        {
            if (!PrivateKey.TryFromFile(value, out PrivateKey? fromFile, out string? error))
            {
                reason = variable + ": " + error;
                return false;
            }

            signer = new EthSigner(fromFile);
            reason = null;
            return true;
        }

        try
        {
            signer = new EthSigner(PrivateKey.FromHex(value.Trim()));
            reason = null;
            return true;
        }
        catch (FormatException)
        {
            reason = variable + " is not a 32-byte hex key";
            return false;
        }
        catch (ArgumentException)
        {
            reason = variable + " is not a valid secp256k1 key";
            return false;
        }
    }
}
