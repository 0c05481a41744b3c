using LowLatency.Fuzz.Tests.Engine;
using LowLatency.Fuzz.Tests.Ethereum;
using Xunit.Abstractions;

namespace LowLatency.Fuzz.Tests.Targets;

public sealed class EthereumFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Rlp_items_never_throw_and_an_accepted_item_re_encodes_to_its_input() => FuzzRunner.Run(() => new RlpTarget(), output);

    [Fact]
    public void Raw_transactions_never_throw_and_an_accepted_one_re_encodes_to_its_input() => FuzzRunner.Run(() => new TransactionTarget(), output);

    [Fact]
    public void Abi_data_never_throws_and_a_decoded_value_encodes_back_to_itself() => FuzzRunner.Run(() => new AbiTarget(), output);

    [Fact]
    public void Json_rpc_answers_are_values_or_error_values_never_exceptions() => FuzzRunner.Run(() => new JsonRpcTarget(), output);

    [Fact]
    public void Flashbots_headers_verify_alike_on_both_backends_and_never_throw() => FuzzRunner.Run(() => new FlashbotsTarget(), output);

    [Fact]
    public void Eip712_typed_data_hashes_or_throws_only_FormatException() => FuzzRunner.Run(() => new Eip712Target(), output);
}
