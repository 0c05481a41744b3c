using TorchSharp;
using static TorchSharp.torch;

namespace LowLatency.Ml.Torch;

/// <summary>
/// Adam for our training loops (the PPO update, the scorer), the same operations in the same order as TorchSharp's <c>optim.Adam</c> (bias-corrected,
/// no weight decay, no amsgrad), so a seed trains the same weights bit for bit. Written out because TorchSharp's step
/// turns each double into a temporary <see cref="Scalar"/> (a native handle with a finalizer) and passes only the handle
/// to the native call: the GC may finalize the temporary while the call still reads it (a rare
/// "Expected false to be true" from c10::Scalar::toFloat). Here every Scalar is held by a <c>using</c> past its call.
/// Training thread.
/// </summary>
internal sealed class HeldScalarAdam : IDisposable
{
    private readonly TorchSharp.Modules.Parameter[] _parameters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly long[] _steps;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly Scalar _b1;
    private readonly Scalar _oneMinusB1;
    private readonly Scalar _b2;
    private readonly Scalar _oneMinusB2;
    private readonly Scalar _eps;

    public HeldScalarAdam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double beta1, double beta2, double eps)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        _expAvg = new Tensor[_parameters.Length];
        _expAvgSq = new Tensor[_parameters.Length];
        _steps = new long[_parameters.Length];
        for (int i = 0; i < _parameters.Length; i++)
        {
            _expAvg[i] = zeros_like(_parameters[i]).DetachFromDisposeScope();
            _expAvgSq[i] = zeros_like(_parameters[i]).DetachFromDisposeScope();
        }

        (_beta1, _beta2) = (beta1, beta2);
        _b1 = beta1.ToScalar();
        _oneMinusB1 = (1 - beta1).ToScalar();
        _b2 = beta2.ToScalar();
        _oneMinusB2 = (1 - beta2).ToScalar();
        _eps = eps.ToScalar();
    }

    /// <summary>Zeroes every gradient (as TorchSharp's <c>zero_grad</c>: in place, where one exists).</summary>
    public void ZeroGrad()
    {
        foreach (TorchSharp.Modules.Parameter p in _parameters)
        {
            using Tensor? grad = p.grad;
            _ = grad?.zero_();
        }
    }

    /// <summary>One Adam step at learning rate <paramref name="lr"/> over the parameters that have a gradient.</summary>
    public void Step(double lr)
    {
        using var noGrad = no_grad();
        using DisposeScope scope = NewDisposeScope();
        for (int i = 0; i < _parameters.Length; i++)
        {
            TorchSharp.Modules.Parameter param = _parameters[i];
            Tensor? grad = param.grad;
            if (grad is null)
            {
                continue;
            }

            long step = ++_steps[i];
            double biasCorrection1 = 1 - Math.Pow(_beta1, step);
            double biasCorrection2 = 1 - Math.Pow(_beta2, step);
            using Scalar sqrtBias2 = Math.Sqrt(biasCorrection2).ToScalar();
            using Scalar minusStepSize = (-(lr / biasCorrection1)).ToScalar();
            _expAvg[i].mul_(_b1).add_(grad, _oneMinusB1);
            _expAvgSq[i].mul_(_b2).addcmul_(grad, grad.conj(), _oneMinusB2);
            Tensor denom = _expAvgSq[i].sqrt().div(sqrtBias2).add_(_eps, HeldScalars.One);
            param.addcdiv_(_expAvg[i], denom, minusStepSize);
        }
    }

    public void Dispose()
    {
        foreach (Tensor t in _expAvg)
        {
            t.Dispose();
        }

        foreach (Tensor t in _expAvgSq)
        {
            t.Dispose();
        }

        foreach (Scalar s in new[] { _b1, _oneMinusB1, _b2, _oneMinusB2, _eps })
        {
            s.Dispose();
        }
    }
}

/// <summary>
/// Scalars every training loop passes: static, so always reachable and never finalized under a native call (an implicit
/// double → Scalar is a temporary the GC may free while the call reads it).
/// </summary>
internal static class HeldScalars
{
    /// <summary>1: the alpha of every tensor add (TorchSharp's add(Tensor) makes an implicit one).</summary>
    public static readonly Scalar One = 1.0.ToScalar();
}
