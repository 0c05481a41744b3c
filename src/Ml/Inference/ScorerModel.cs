using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using LowLatency.HotPath.Features;

namespace LowLatency.Ml.Inference;

/// <summary>
/// The opportunity scorer's weights: input normalisation → linear embedding + periodic positional encoding → one pre-norm
/// Transformer encoder layer with causal attention over the last <see cref="Window"/> steps → GRU (<see cref="Hidden"/>)
/// → linear → sigmoid. Matrices are row-major [out, in] as in PyTorch; GRU gates in PyTorch's order (r, z, n). The same
/// arrays feed TorchSharp (training, batched inference) and <see cref="ScorerSimd"/> (the strategy thread).
/// File: "LLSCORER", format version, feature schema version and names, dimensions, tensors, SHA-256 of everything
/// before it. Loading checks all of it and says what is wrong in one line.
/// </summary>
public sealed class ScorerModel
{
    public const int FormatVersion = 1;
    private static readonly byte[] s_magic = "LLSCORER"u8.ToArray();

    public ScorerModel(int dModel = 32, int heads = 4, int feedForward = 64, int window = 16, int hidden = 128)
    {
        if (dModel % heads != 0 || dModel % 8 != 0 || feedForward % 8 != 0 || hidden % 8 != 0 || window < 1 || window > 1024 || dModel > 1024 || hidden > 1024 || feedForward > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(dModel), $"unsupported shape d={dModel} heads={heads} ff={feedForward} window={window} hidden={hidden}");
        }

        DModel = dModel;
        Heads = heads;
        FeedForward = feedForward;
        Window = window;
        Hidden = hidden;
        int f = FeatureIndex.Count;
        Mean = new float[f];
        Std = new float[f];
        Array.Fill(Std, 1f);
        InW = new float[dModel * f];
        InB = new float[dModel];
        Ln1G = Ones(dModel);
        Ln1B = new float[dModel];
        Wq = new float[dModel * dModel];
        Bq = new float[dModel];
        Wk = new float[dModel * dModel];
        Bk = new float[dModel];
        Wv = new float[dModel * dModel];
        Bv = new float[dModel];
        Wo = new float[dModel * dModel];
        Bo = new float[dModel];
        Ln2G = Ones(dModel);
        Ln2B = new float[dModel];
        W1 = new float[feedForward * dModel];
        B1 = new float[feedForward];
        W2 = new float[dModel * feedForward];
        B2 = new float[dModel];
        GruWih = new float[3 * hidden * dModel];
        GruWhh = new float[3 * hidden * hidden];
        GruBih = new float[3 * hidden];
        GruBhh = new float[3 * hidden];
        OutW = new float[hidden];
        OutB = new float[1];
    }

    public int DModel { get; }

    public int Heads { get; }

    public int FeedForward { get; }

    public int Window { get; }

    public int Hidden { get; }

    public float[] Mean { get; }

    public float[] Std { get; }

    public float[] InW { get; }

    public float[] InB { get; }

    public float[] Ln1G { get; }

    public float[] Ln1B { get; }

    public float[] Wq { get; }

    public float[] Bq { get; }

    public float[] Wk { get; }

    public float[] Bk { get; }

    public float[] Wv { get; }

    public float[] Bv { get; }

    public float[] Wo { get; }

    public float[] Bo { get; }

    public float[] Ln2G { get; }

    public float[] Ln2B { get; }

    public float[] W1 { get; }

    public float[] B1 { get; }

    public float[] W2 { get; }

    public float[] B2 { get; }

    public float[] GruWih { get; }

    public float[] GruWhh { get; }

    public float[] GruBih { get; }

    public float[] GruBhh { get; }

    public float[] OutW { get; }

    public float[] OutB { get; }

    /// <summary>Normalised inputs are clipped to ±this, so an outlier cannot saturate the network.</summary>
    public const float InputClip = 10f;

    public const float LayerNormEpsilon = 1e-5f;

    /// <summary>Every tensor in file order, with its name.</summary>
    public IEnumerable<(string Name, float[] Values)> Tensors()
    {
        yield return ("mean", Mean);
        yield return ("std", Std);
        yield return ("in.w", InW);
        yield return ("in.b", InB);
        yield return ("ln1.g", Ln1G);
        yield return ("ln1.b", Ln1B);
        yield return ("q.w", Wq);
        yield return ("q.b", Bq);
        yield return ("k.w", Wk);
        yield return ("k.b", Bk);
        yield return ("v.w", Wv);
        yield return ("v.b", Bv);
        yield return ("o.w", Wo);
        yield return ("o.b", Bo);
        yield return ("ln2.g", Ln2G);
        yield return ("ln2.b", Ln2B);
        yield return ("ff1.w", W1);
        yield return ("ff1.b", B1);
        yield return ("ff2.w", W2);
        yield return ("ff2.b", B2);
        yield return ("gru.wih", GruWih);
        yield return ("gru.whh", GruWhh);
        yield return ("gru.bih", GruBih);
        yield return ("gru.bhh", GruBhh);
        yield return ("out.w", OutW);
        yield return ("out.b", OutB);
    }

    /// <summary>
    /// The positional encoding of stream step <paramref name="t"/>: pairs (sin, cos) of 2π·(t mod 2^(k+1)) / 2^(k+1) for
    /// k = 0 … d/2−1. Exactly periodic, so it depends on t only through small integers and never loses precision on a
    /// long stream. Allocation-free.
    /// </summary>
    public static void PositionalEncoding(long t, Span<float> destination)
    {
        for (int k = 0; k < destination.Length / 2; k++)
        {
            long period = 1L << Math.Min(k + 1, 40);
            double angle = 2 * Math.PI * (t & (period - 1)) / period;
            destination[2 * k] = (float)Math.Sin(angle);
            destination[(2 * k) + 1] = (float)Math.Cos(angle);
        }
    }

    public void Save(string path)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(s_magic);
            w.Write(FormatVersion);
            w.Write(FeatureIndex.SchemaVersion);
            w.Write(FeatureIndex.Count);
            foreach (string name in FeatureIndex.Names)
            {
                w.Write(name);
            }

            w.Write(DModel);
            w.Write(Heads);
            w.Write(FeedForward);
            w.Write(Window);
            w.Write(Hidden);
            foreach ((string name, float[] values) in Tensors())
            {
                w.Write(name);
                w.Write(values.Length);
                foreach (float v in values)
                {
                    w.Write(v);
                }
            }
        }

        byte[] bytes = body.ToArray();
        byte[] hash = SHA256.HashData(bytes);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        string temporary = path + ".tmp";
        using (FileStream file = File.Create(temporary))
        {
            file.Write(bytes);
            file.Write(hash);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Loads a model file; on any problem returns false with one line saying what (missing, truncated, damaged, another feature version…).</summary>
    public static bool TryLoad(string path, out ScorerModel? model, out string error)
    {
        model = null;
        if (!File.Exists(path))
        {
            error = $"{path}: no such model file";
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{path}: cannot read ({e.Message})";
            return false;
        }

        if (bytes.Length < s_magic.Length + 32 || !bytes.AsSpan(0, s_magic.Length).SequenceEqual(s_magic))
        {
            error = $"{path}: not a scorer model file";
            return false;
        }

        ReadOnlySpan<byte> content = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
        {
            error = $"{path}: truncated or damaged (checksum mismatch)";
            return false;
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, 0, content.Length), Encoding.UTF8);
            r.ReadBytes(s_magic.Length);
            int format = r.ReadInt32();
            if (format != FormatVersion)
            {
                error = $"{path}: model format {format}, this build reads {FormatVersion}";
                return false;
            }

            int schema = r.ReadInt32();
            int count = r.ReadInt32();
            if (schema != FeatureIndex.SchemaVersion || count != FeatureIndex.Count)
            {
                error = $"{path}: trained on feature schema v{schema} ({count} features); this build builds v{FeatureIndex.SchemaVersion} ({FeatureIndex.Count})";
                return false;
            }

            for (int i = 0; i < count; i++)
            {
                string name = r.ReadString();
                if (name != FeatureIndex.Names[i])
                {
                    error = $"{path}: feature {i} is '{name}', this build's is '{FeatureIndex.Names[i]}'";
                    return false;
                }
            }

            var m = new ScorerModel(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
            foreach ((string name, float[] values) in m.Tensors())
            {
                string stored = r.ReadString();
                int length = r.ReadInt32();
                if (stored != name || length != values.Length)
                {
                    error = $"{path}: tensor '{stored}' [{length}] where '{name}' [{values.Length}] belongs";
                    return false;
                }

                for (int i = 0; i < length; i++)
                {
                    float v = r.ReadSingle();
                    if (!float.IsFinite(v))
                    {
                        error = $"{path}: tensor '{name}' holds a non-finite value";
                        return false;
                    }

                    values[i] = v;
                }
            }

            if (r.BaseStream.Position != content.Length)
            {
                error = $"{path}: {content.Length - r.BaseStream.Position} unexpected bytes after the tensors";
                return false;
            }

            foreach (float s in m.Std)
            {
                if (!(s > 0))
                {
                    error = $"{path}: a feature's standard deviation is not positive";
                    return false;
                }
            }

            model = m;
            error = string.Empty;
            return true;
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentOutOfRangeException or IOException or FormatException)
        {
            error = $"{path}: malformed model ({e.Message})";
            return false;
        }
    }

    private static float[] Ones(int n)
    {
        var a = new float[n];
        Array.Fill(a, 1f);
        return a;
    }
}
