using LowLatency.Fuzz.Tests.Engine;
using LowLatency.Fuzz.Tests.Tape;
using Xunit.Abstractions;

namespace LowLatency.Fuzz.Tests.Targets;

public sealed class TapeFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Plain_captures_never_throw_and_a_file_reads_like_the_same_bytes_in_memory() => FuzzRunner.Run(() => new TapeTarget(gzip: false), output);

    [Fact]
    public void Gzip_captures_read_like_their_text_and_a_damaged_stream_is_an_InvalidDataException() => FuzzRunner.Run(() => new TapeTarget(gzip: true), output);

    [Fact]
    public void Replay_sessions_start_decode_and_replay_or_refuse_with_an_InvalidDataException() => FuzzRunner.Run(() => new ReplaySessionTarget(), output);
}
