using ILGPU;
using ILGPU.Runtime.Cuda;

namespace LowLatency.Kernels.Tests.GpuCheck;

/// <summary>The gpu-check program's paths that run anywhere: no CUDA device, the CPU emulator, bad arguments.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class GpuCheckTests
{
    private static (int Exit, string Out, string Error) Run(params string[] args)
    {
        TextWriter stdout = Console.Out;
        TextWriter stderr = Console.Error;
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (LowLatency.GpuCheck.Program.Main(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    [Fact]
    public void Without_a_cuda_device_it_says_so_and_exits_3_and_with_one_a_small_run_passes()
    {
        bool cuda;
        using (var context = Context.Create(b => b.Cuda()))
        {
            cuda = context.GetCudaDevices().Count > 0;
        }

        if (cuda)
        {
            (int exit, string output, _) = Run("--sizes", "1000", "--repeat", "2");
            Assert.Equal(0, exit);
            Assert.Contains("every kernel agrees with its SIMD twin", output, StringComparison.Ordinal);
            return;
        }

        (int code, string stdout, string stderr) = Run();
        Assert.Equal(3, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("gpu-check: no CUDA device", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void On_the_cpu_emulator_both_kernels_are_checked_against_their_twins()
    {
        (int exit, string output, string error) = Run("--cpu-emulator", "--sizes", "300,700", "--repeat", "1", "--seed", "5");
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, error);
        string[] rows = output.Split('\n');
        Assert.Equal(2, rows.Count(r => r.StartsWith("edge sweep", StringComparison.Ordinal) && r.Contains(" ok (", StringComparison.Ordinal)));
        Assert.Equal(2, rows.Count(r => r.StartsWith("negative cycle", StringComparison.Ordinal) && r.Contains("bit-identical", StringComparison.Ordinal)));
        Assert.Contains("seed 5", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--sizes", "0")]
    [InlineData("--sizes", "1000,x")]
    [InlineData("--repeat", "0")]
    [InlineData("--seed")]
    [InlineData("--gpu")]
    public void Bad_arguments_are_a_usage_error_in_one_line(params string[] args)
    {
        (int exit, string output, string error) = Run(args);
        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("gpu-check: unknown or bad argument", error, StringComparison.Ordinal);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}
