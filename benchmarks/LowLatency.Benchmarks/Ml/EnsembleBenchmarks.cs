using BenchmarkDotNet.Attributes;
using LowLatency.Ml.Agents;
using LowLatency.Ml.Rl;
using LowLatency.Ml.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LowLatency.Benchmarks.Ml;

/// <summary>
/// The market agents' ensemble per tick: the four specialists then the risk manager decide (<see cref="AgentEnsemble"/>,
/// greedy <see cref="PolicySimd"/> passes, modes and acted decisions), with the trained agents' shapes (64-64 tanh;
/// 12, 13, 12, 13 and 14 inputs: own features and the 5 shared signals; 3, 3, 3, 3 and 4 actions) and seeded weights
/// (the time depends on the shapes only). Baseline: the same five actors in TorchSharp at batch 1 (no_grad, one
/// thread). Budgets: budgets/agents.json.
/// </summary>
[MemoryDiagnoser]
public class EnsembleBenchmarks
{
    private static readonly int[] s_inputs = [12, 13, 12, 13, 14];
    private static readonly int[] s_actions = [3, 3, 3, 3, 4];
    private readonly TorchPolicy[] _torch = new TorchPolicy[5];
    private readonly float[][] _observations = new float[256][];
    private AgentEnsemble _ensemble = null!;
    private LiveAgents _live = null!;
    private BlockState _block;
    private Tensor[] _inputs = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        string? error = TorchNative.EnsureLoadable();
        if (error is not null)
        {
            throw new InvalidOperationException(error);
        }

        torch.set_num_threads(1);
        var weights = new PolicyWeights[5];
        for (int a = 0; a < 5; a++)
        {
            weights[a] = new PolicyWeights(s_inputs[a], s_actions[a], continuous: false);
            OrthogonalInit.Initialize(weights[a], 200 + a);
            weights[a].Actor.Weights[2].AsSpan().Fill(0.05f); // so that the argmax depends on the input
            _torch[a] = new TorchPolicy(weights[a]);
        }

        _ensemble = new AgentEnsemble(weights, [true, false, true, false, true], enabled: true);
        var random = new Random(11);
        for (int i = 0; i < _observations.Length; i++)
        {
            _observations[i] = new float[14];
            for (int k = 0; k < 14; k++)
            {
                _observations[i][k] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        _inputs = new Tensor[5];
        for (int a = 0; a < 5; a++)
        {
            _inputs[a] = tensor(_observations[a].AsSpan(0, s_inputs[a]).ToArray(), [1, s_inputs[a]], dtype: float32);
        }

        // run's step: its own ensemble (LiveAgents turns the cross-chain agent off) over a valid made-up pool state.
        _live = new LiveAgents(new AgentEnsemble(weights, [false, false, false, false, false], enabled: true));
        _block = new BlockState { V2Usdc = 15_000_000, V2Weth = 6_500, SqrtPriceX96 = new LowLatency.HotPath.Primitives.UInt256(0, 90_000_000_000_000), Liquidity = (UInt128)3e19, GasGwei = 20 };
        for (int i = 0; i < 64; i++)
        {
            Ensemble();
            LiveStep();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (TorchPolicy p in _torch)
        {
            p.Dispose();
        }

        foreach (Tensor t in _inputs)
        {
            t.Dispose();
        }
    }

    [Benchmark(Baseline = true)]
    public long TorchSharpBatch1()
    {
        using IDisposable noGrad = no_grad();
        using DisposeScope scope = NewDisposeScope();
        long actions = 0;
        for (int a = 0; a < 5; a++)
        {
            actions = (actions * 4) + _torch[a].Actor(_inputs[a]).argmax(1).item<long>();
        }

        return actions;
    }

    [Benchmark]
    public long Ensemble()
    {
        int o = _next++ & 255;
        for (int a = 0; a < 5; a++)
        {
            // The caller's per-tick write: a fresh observation for every agent.
            _observations[(o + a) & 255].AsSpan(0, s_inputs[a]).CopyTo(_ensemble.Observations[a]);
        }

        _ensemble.DecideSpecialists();
        _ensemble.DecideRisk();
        long actions = 0;
        for (int a = 0; a < 5; a++)
        {
            actions = (actions * 4) + _ensemble.ActedActions[a] + _ensemble.AgentActions[a];
        }

        return actions;
    }

    /// <summary>
    /// One step of the ensemble as <c>run</c> takes it once per block (<see cref="LiveAgents.Step"/>): the five
    /// observations built by the desks' builders on a window of blocks (the flash-loan agent's golden-section sizing
    /// search included), four forward passes, the risk manager's, the signals published.
    /// </summary>
    [Benchmark]
    public bool LiveStep()
    {
        _block.Block++;
        _block.V2Weth = 6_500 + (_block.Block & 15);
        _live.Push(in _block);
        return _live.Step();
    }
}
