using LowLatency.Ml.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LowLatency.Ml.Tests;

/// <summary>Our Adam (held Scalars) against TorchSharp's optim.Adam: the same weights, bit for bit, step after step.</summary>
public sealed class HeldScalarAdamTests
{
    [Fact]
    public void Our_adam_moves_the_weights_exactly_as_torchsharps_adam_with_an_annealed_rate()
    {
        TorchFixture.Ensure();
        using DisposeScope scope = NewDisposeScope();
        var random = new Random(11);
        float[] start = [.. Enumerable.Range(0, 24).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] input = [.. Enumerable.Range(0, 12).Select(_ => (float)(random.NextDouble() * 2))];
        using var theirs = new TorchSharp.Modules.Parameter(tensor(start, [4, 6], dtype: float32), requires_grad: true);
        using var ours = new TorchSharp.Modules.Parameter(tensor(start, [4, 6], dtype: float32), requires_grad: true);
        Tensor x = tensor(input, [6, 2], dtype: float32);
        using var adam = optim.Adam([theirs], 2.5e-4, beta1: 0.9, beta2: 0.999, eps: 1e-5);
        using var heldAdam = new HeldScalarAdam([ours], beta1: 0.9, beta2: 0.999, eps: 1e-5);
        for (int step = 0; step < 50; step++)
        {
            double lr = (1.0 - (step / 50.0)) * 2.5e-3;
            foreach (var group in adam.ParamGroups)
            {
                group.LearningRate = lr;
            }

            adam.zero_grad();
            theirs.matmul(x).tanh().square().sum().backward();
            adam.step();

            heldAdam.ZeroGrad();
            ours.matmul(x).tanh().square().sum().backward();
            heldAdam.Step(lr);
        }

        float[] a = theirs.detach().data<float>().ToArray();
        float[] b = ours.detach().data<float>().ToArray();
        Assert.NotEqual(start, b); // it moved
        Assert.Equal(a, b);
    }
}
