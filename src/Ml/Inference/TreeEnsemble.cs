using System.Globalization;
using System.Runtime.CompilerServices;

namespace LowLatency.Ml.Inference;

/// <summary>
/// A LightGBM regression model walked by hand: the trees of the model text flattened into arrays, each node tested as
/// LightGBM's <c>NumericalDecision</c> does (missing-value types, default direction, <c>value ≤ threshold</c> goes left)
/// and the leaves summed in tree order from 0.0 in double, so <see cref="Predict"/> is bit-identical to the library's
/// raw prediction (test). Strategy thread; allocation-free after <see cref="Parse"/>.
/// </summary>
public sealed class TreeEnsemble
{
    private const float ZeroThreshold = 1e-35f; // LightGBM kZeroThreshold
    private readonly int[] _treeRoot; // per tree: first node index, or ~leaf index for a single-leaf tree
    private readonly Node[] _nodes;    // one 24-byte record per split: a node's fields share a cache line
    private readonly double[] _leafValue;

    private struct Node
    {
        public double Threshold;
        public int Feature;
        public int Left;  // node index, or ~leaf (global leaf index)
        public int Right;
        public int Decision;
    }

    private TreeEnsemble(int features, int[] roots, int[] nodeFeature, double[] threshold, byte[] decision, int[] left, int[] right, double[] leaves)
    {
        FeatureCount = features;
        _treeRoot = roots;
        _nodes = new Node[nodeFeature.Length];
        for (int i = 0; i < _nodes.Length; i++)
        {
            _nodes[i] = new Node { Threshold = threshold[i], Feature = nodeFeature[i], Left = left[i], Right = right[i], Decision = decision[i] };
        }

        _leafValue = leaves;
    }

    public int FeatureCount { get; }

    public int Trees => _treeRoot.Length;

    /// <summary>The model's raw output for one row of <see cref="FeatureCount"/> features. Allocation-free.</summary>
    public double Predict(ReadOnlySpan<double> features)
    {
        if (features.Length < FeatureCount)
        {
            return double.NaN;
        }

        Node[] nodes = _nodes;
        double sum = 0;
        for (int t = 0; t < _treeRoot.Length; t++)
        {
            int node = _treeRoot[t];
            while (node >= 0)
            {
                ref readonly Node n = ref nodes[node];
                node = Decide(in n, features[n.Feature]);
            }

            sum += _leafValue[~node];
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Decide(in Node n, double value)
    {
        int missingType = (n.Decision >> 2) & 3; // 0 none, 1 zero, 2 NaN
        if (missingType == 0 && !double.IsNaN(value))
        {
            return value <= n.Threshold ? n.Left : n.Right; // the common case: one compare
        }

        if (double.IsNaN(value) && missingType != 2)
        {
            value = 0;
        }

        if ((missingType == 1 && value > -ZeroThreshold && value <= ZeroThreshold) || (missingType == 2 && double.IsNaN(value)))
        {
            return (n.Decision & 2) != 0 ? n.Left : n.Right;
        }

        return value <= n.Threshold ? n.Left : n.Right;
    }

    /// <summary>Reads LightGBM's model text; throws <see cref="InvalidDataException"/> on anything it cannot walk exactly (categorical or linear trees).</summary>
    public static TreeEnsemble Parse(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string[] lines = model.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        int features = -1;
        var roots = new List<int>();
        var nodeFeature = new List<int>();
        var threshold = new List<double>();
        var decision = new List<byte>();
        var left = new List<int>();
        var right = new List<int>();
        var leaves = new List<double>();
        Dictionary<string, string>? tree = null;
        void Flush()
        {
            if (tree is null)
            {
                return;
            }

            if (tree.TryGetValue("num_cat", out string? cat) && cat != "0")
            {
                throw new InvalidDataException("categorical splits are not supported by the walker");
            }

            if (tree.TryGetValue("is_linear", out string? linear) && linear != "0")
            {
                throw new InvalidDataException("linear trees are not supported by the walker");
            }

            double[] leafValues = Doubles(tree, "leaf_value");
            int leafBase = leaves.Count;
            int nodeBase = nodeFeature.Count;
            int numLeaves = (int.TryParse(Field(tree, "num_leaves"), NumberStyles.None, CultureInfo.InvariantCulture, out int leavesCount) ? leavesCount : throw new InvalidDataException("bad num_leaves"));
            if (leafValues.Length != numLeaves)
            {
                throw new InvalidDataException($"tree has {leafValues.Length} leaf values for {numLeaves} leaves");
            }

            leaves.AddRange(leafValues);
            if (numLeaves == 1)
            {
                roots.Add(~leafBase);
            }
            else
            {
                int[] f = Ints(tree, "split_feature");
                double[] th = Doubles(tree, "threshold");
                int[] dt = Ints(tree, "decision_type");
                int[] l = Ints(tree, "left_child");
                int[] r = Ints(tree, "right_child");
                if (f.Length != numLeaves - 1 || th.Length != f.Length || dt.Length != f.Length || l.Length != f.Length || r.Length != f.Length)
                {
                    throw new InvalidDataException("tree arrays disagree in length");
                }

                for (int i = 0; i < f.Length; i++)
                {
                    if ((dt[i] & 1) != 0)
                    {
                        throw new InvalidDataException("categorical splits are not supported by the walker");
                    }

                    if (f[i] < 0 || (features >= 0 && f[i] >= features))
                    {
                        throw new InvalidDataException($"split on feature {f[i]} of {features}");
                    }

                    nodeFeature.Add(f[i]);
                    threshold.Add(th[i]);
                    decision.Add((byte)dt[i]);
                    left.Add(l[i] >= 0 ? nodeBase + l[i] : ~(leafBase + ~l[i]));
                    right.Add(r[i] >= 0 ? nodeBase + r[i] : ~(leafBase + ~r[i]));
                }

                roots.Add(nodeBase);
            }

            tree = null;
        }

        foreach (string line in lines)
        {
            if (line.StartsWith("Tree=", StringComparison.Ordinal))
            {
                Flush();
                tree = [];
            }
            else if (line.StartsWith("end of trees", StringComparison.Ordinal))
            {
                Flush();
                break;
            }
            else if (line.StartsWith("max_feature_idx=", StringComparison.Ordinal) && tree is null)
            {
                features = int.TryParse(line.AsSpan(16), NumberStyles.None, CultureInfo.InvariantCulture, out int max) ? max + 1 : throw new InvalidDataException("bad max_feature_idx");
            }
            else if (tree is not null && line.IndexOf('=') is int eq and > 0)
            {
                tree[line[..eq]] = line[(eq + 1)..];
            }
        }

        Flush();
        if (features <= 0 || roots.Count == 0)
        {
            throw new InvalidDataException("not a LightGBM model (no max_feature_idx or no trees)");
        }

        return new TreeEnsemble(features, [.. roots], [.. nodeFeature], [.. threshold], [.. decision], [.. left], [.. right], [.. leaves]);
    }

    private static double[] Doubles(Dictionary<string, string> tree, string key) =>
        [.. Field(tree, key).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Number)];

    // LightGBM writes infinite thresholds as "inf" / "-inf" (printf), which .NET does not read.
    private static double Number(string text) => text switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" or "-nan" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw new InvalidDataException($"'{text}' is not a number"),
    };

    private static int[] Ints(Dictionary<string, string> tree, string key) =>
        [.. Field(tree, key).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) ? v : throw new InvalidDataException($"'{s}' is not an integer"))];

    private static string Field(Dictionary<string, string> tree, string key) =>
        tree.TryGetValue(key, out string? value) ? value : throw new InvalidDataException($"tree without '{key}'");
}
