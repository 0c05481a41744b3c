using LowLatency.Adapters.Cex.Tape;
using LowLatency.Fuzz.Tests.Engine;

namespace LowLatency.Fuzz.Tests.Tape;

/// <summary>
/// Mutated capture files through <see cref="CaptureTape"/>: plain (from memory; every fourth case also from a file, which
/// must index identically, and another fourth merged with itself, which must come out ordered by time), or gzip
/// (the mutated text compressed, which must index like the plain text, or the compressed bytes themselves damaged).
/// Damage (a cut or corrupt gzip stream, a cut last line, malformed lines) is a value in <see cref="CaptureTape.Damage"/>;
/// <see cref="InvalidDataException"/> is the only exception <see cref="CaptureTape.Load(string)"/> may throw.
/// </summary>
internal sealed class TapeTarget : FuzzTarget, IDisposable
{
    private readonly bool _gzip;
    private readonly string _folder = FuzzSettings.NewScratchFolder();

    public TapeTarget(bool gzip)
    {
        _gzip = gzip;
    }

    public override string Name => _gzip ? "tape-gzip" : "tape-plain";

    public override IReadOnlyList<byte[]> Corpus => TapeCorpus.Windows;

    public override byte[] NextInput(FuzzRandom rng, List<string> log)
    {
        ArgumentNullException.ThrowIfNull(rng);
        byte[] plain = TapeCorpus.Next(rng, log);
        if (!_gzip || rng.OneIn(2))
        {
            return plain;
        }

        // Damage the compressed stream itself.
        byte[] compressed = TapeCorpus.Gzip(plain);
        log.Add("gzip-damage");
        return Mutator.Mutate(rng, compressed, [compressed], json: false, log);
    }

    public override void Check(byte[] input)
    {
        string path = Path.Combine(_folder, "capture");
        bool rawGzip = input.Length >= 2 && input[0] == 0x1f && input[1] == 0x8b;
        if (!_gzip || !rawGzip)
        {
            CaptureTape memory = CaptureTape.FromBytes(input);
            CheckTape(memory, input);
            // Files cost a write: the plain target reads every fourth case from a file and merges another fourth.
            if (_gzip || input.Length % 4 == 1)
            {
                File.WriteAllBytes(path, _gzip ? TapeCorpus.Gzip(input) : input);
                SameRecords(memory, CaptureTape.Load(path));
            }
            else if (input.Length % 4 == 0)
            {
                File.WriteAllBytes(path, input);
                CheckMerged(CaptureTape.Load([path, path]), memory);
            }

            Outcome(memory.MalformedLines == 0 ? "all lines recognised" : "malformed lines");
            return;
        }

        File.WriteAllBytes(path, input);
        try
        {
            CaptureTape tape = CaptureTape.Load(path);
            foreach (CaptureRecord record in tape.Records)
            {
                _ = tape.Payload(record);
                _ = tape.Url(record);
            }

            Outcome("damaged gzip still read");
        }
        catch (InvalidDataException)
        {
            Outcome("damaged gzip rejected");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void CheckTape(CaptureTape tape, byte[] input)
    {
        // Every complete, non-empty line is a record or a malformed line; a last line without its line end was cut and
        // is never a record: it is reported as damage instead.
        int lastNewline = input.AsSpan().LastIndexOf((byte)'\n');
        int lines = 0;
        foreach (Range range in input.AsSpan(0, lastNewline + 1).Split((byte)'\n'))
        {
            ReadOnlySpan<byte> line = input.AsSpan(0, lastNewline + 1)[range];
            if (line.Length > 0 && !(line.Length == 1 && line[0] == (byte)'\r'))
            {
                lines++;
            }
        }

        Invariant.Equal(lines, tape.Count + tape.MalformedLines, "tape: records + malformed lines vs complete non-empty lines");
        bool cut = lastNewline + 1 < input.Length;
        bool reportedCut = false;
        foreach (CaptureDamage damage in tape.Damage)
        {
            reportedCut |= damage.Kind == CaptureDamageKind.TruncatedLine;
        }

        Invariant.Equal(cut, reportedCut, "tape: a last line without its line end is reported as cut");
        foreach (CaptureRecord record in tape.Records)
        {
            ReadOnlySpan<byte> payload = tape.Payload(record);
            ReadOnlySpan<byte> url = tape.Url(record);
            Invariant.That(payload.IndexOf((byte)'\n') < 0 && url.IndexOf((byte)'\n') < 0, "tape: a record spans lines");
            Invariant.That(record.Kind == CaptureRecordKind.Configuration ? record.TimestampNs == 0 : record.TimestampNs >= 0, "tape: negative timestamp");
            Invariant.That(record.Kind is CaptureRecordKind.Received or CaptureRecordKind.Configuration ? url.IsEmpty : !url.IsEmpty, "tape: URL on the wrong kind of record");
        }
    }

    private static void SameRecords(CaptureTape expected, CaptureTape actual)
    {
        Invariant.Equal(expected.Count, actual.Count, "tape: file and memory record counts");
        Invariant.Equal(expected.MalformedLines, actual.MalformedLines, "tape: file and memory malformed lines");
        for (int i = 0; i < expected.Count; i++)
        {
            CaptureRecord a = expected[i];
            CaptureRecord b = actual[i];
            Invariant.That(a.Kind == b.Kind && a.TimestampNs == b.TimestampNs && expected.Payload(a).SequenceEqual(actual.Payload(b))
                           && expected.Url(a).SequenceEqual(actual.Url(b)), "tape: file and memory records differ");
        }
    }

    private static void CheckMerged(CaptureTape merged, CaptureTape single)
    {
        Invariant.Equal(2 * single.Count, merged.Count, "tape: merged record count");
        for (int i = 1; i < merged.Count; i++)
        {
            Invariant.That(merged[i - 1].TimestampNs <= merged[i].TimestampNs, "tape: merged records out of time order");
        }
    }
}
