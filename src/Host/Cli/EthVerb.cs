using System.CommandLine;

namespace LowLatency.Host.Cli;

/// <summary>
/// <c>eth ...</c>: the operator tools of the Ethereum layer. The subcommands parse their own arguments
/// (<see cref="EthCommand"/>), so everything after <c>eth</c> is passed through untouched.
/// </summary>
internal static class EthVerb
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var rest = new Argument<string[]>("arguments") { Description = "keccak | address | sign-tx | decode-tx | rlp-decode | abi-encode | flashbots-header, and their options", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("eth", "Ethereum tools: keccak, address, sign-tx, decode-tx, rlp-decode, abi-encode, flashbots-header") { rest };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            string[] args = [.. parse.GetValue(rest) ?? [], .. parse.UnmatchedTokens];
            return EthCommand.Run(args, stdout, stderr, Console.In, Environment.GetEnvironmentVariable);
        });
        return command;
    }
}
