using System.Security.Cryptography;
using System.Text;

namespace LowLatency.Ml.Rl;

/// <summary>
/// A policy's weights on disk: magic "LLRLPOL1", kind (0 discrete, 1 Gaussian), observation, action, hidden sizes,
/// hidden layers, then every tensor of <see cref="PolicyWeights.Tensors"/> as float32, then SHA-256 of all before it.
/// A truncated, damaged or foreign file is refused with <see cref="InvalidDataException"/> naming the problem.
/// </summary>
public static class PolicyFile
{
    private static readonly byte[] s_magic = Encoding.ASCII.GetBytes("LLRLPOL1");

    public static void Write(PolicyWeights policy, string path)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(s_magic);
            w.Write(policy.Continuous ? 1 : 0);
            w.Write(policy.Observations);
            w.Write(policy.Actions);
            w.Write(policy.Actor.Sizes[1]);
            w.Write(policy.Actor.Layers - 1);
            foreach ((_, float[] values) in policy.Tensors())
            {
                foreach (float v in values)
                {
                    w.Write(v);
                }
            }
        }

        byte[] bytes = body.ToArray();
        using var file = File.Create(path);
        file.Write(bytes);
        file.Write(SHA256.HashData(bytes));
    }

    public static PolicyWeights Read(string path)
    {
        byte[] all = File.ReadAllBytes(path);
        const int header = 8 + (5 * 4);
        if (all.Length < header + 32)
        {
            throw new InvalidDataException($"{path}: too short for a policy file ({all.Length} bytes)");
        }

        if (!all.AsSpan(0, 8).SequenceEqual(s_magic))
        {
            throw new InvalidDataException($"{path}: not a policy file (bad magic)");
        }

        ReadOnlySpan<byte> body = all.AsSpan(0, all.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(all.AsSpan(all.Length - 32)))
        {
            throw new InvalidDataException($"{path}: checksum mismatch (damaged or truncated)");
        }

        using var r = new BinaryReader(new MemoryStream(all, 8, all.Length - 8 - 32));
        int kind = r.ReadInt32();
        int observations = r.ReadInt32();
        int actions = r.ReadInt32();
        int hidden = r.ReadInt32();
        int layers = r.ReadInt32();
        if (kind is not (0 or 1) || observations is < 1 or > 4096 || actions is < 1 or > 4096 || hidden is < 1 or > 4096 || layers is < 1 or > 16)
        {
            throw new InvalidDataException($"{path}: implausible header (kind {kind}, sizes {observations}/{actions}/{hidden}, {layers} hidden layers)");
        }

        var policy = new PolicyWeights(observations, actions, kind == 1, hidden, layers);
        long expected = 0;
        foreach ((_, float[] values) in policy.Tensors())
        {
            expected += values.Length;
        }

        if (body.Length != header + (expected * 4))
        {
            throw new InvalidDataException($"{path}: {body.Length - header} bytes of weights, expected {expected * 4}");
        }

        foreach ((_, float[] values) in policy.Tensors())
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = r.ReadSingle();
            }
        }

        return policy;
    }
}
