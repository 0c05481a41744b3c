using LowLatency.Fuzz.Tests.Engine;
using LowLatency.Fuzz.Tests.Host;
using Xunit.Abstractions;

namespace LowLatency.Fuzz.Tests.Targets;

public sealed class ConfigFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Configuration_files_and_environment_give_one_line_errors_never_exceptions() => FuzzRunner.Run(() => new ConfigTarget(), output);
}
