using System.Diagnostics;
using System.Globalization;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using LowLatency.Kernels.EdgeSweep;
using LowLatency.Kernels.NegativeCycle;

namespace LowLatency.GpuCheck;

/// <summary>
/// Runs each kernel (edge sweep, negative cycle) through ILGPU on a CUDA device, checks it against the SIMD twin on
/// fresh random inputs and prints kernel-only (device events) and end-to-end (copies in and out, synchronised) medians
/// for batches of 1k to 1M. Exit codes: 0 all checks pass; 1 a kernel disagreed with its twin; 2 usage; 3 no CUDA
/// device (or the driver failed to start).
/// </summary>
public static class Program
{
    private const int Venues = 5;
    private const int CycleRounds = 4;

    public static int Main(string[] args)
    {
        int[] sizes = [1_000, 10_000, 100_000, 1_000_000];
        int repeat = 20;
        int seed = Environment.TickCount;
        bool emulator = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--sizes" when i + 1 < args.Length && TryParseSizes(args[i + 1], out int[] parsed):
                    sizes = parsed;
                    i++;
                    break;
                case "--repeat" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out repeat) && repeat is >= 1 and <= 10_000:
                    i++;
                    break;
                case "--seed" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed):
                    i++;
                    break;
                case "--cpu-emulator":
                    emulator = true; // ILGPU's CPU accelerator: exercises this program without a GPU (slow; small sizes)
                    break;
                default:
                    Console.Error.WriteLine($"gpu-check: unknown or bad argument '{args[i]}' (expected --sizes 1000,10000,... (1 … 16,777,216 each), --repeat 1…10000, --seed N, --cpu-emulator)");
                    return 2;
            }
        }

        Context context;
        Accelerator accelerator;
        try
        {
            context = emulator ? Context.Create(b => b.CPU().Profiling()) : Context.Create(b => b.Cuda().Profiling());
            if (!emulator && context.GetCudaDevices().Count == 0)
            {
                context.Dispose();
                Console.Error.WriteLine("gpu-check: no CUDA device: ILGPU found no NVIDIA GPU (is the NVIDIA driver installed and libcuda.so.1 loadable?); nothing was run");
                return 3;
            }

            accelerator = emulator ? context.CreateCPUAccelerator(0) : context.CreateCudaAccelerator(0);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"gpu-check: the CUDA device could not be started: {e.Message}");
            return 3;
        }

        using (context)
        using (accelerator)
        {
            Console.WriteLine($"device: {accelerator.Name} ({accelerator.AcceleratorType}, {accelerator.MemorySize / (1024 * 1024)} MiB); seed {seed}; {repeat} timed runs per size, medians");
            Console.WriteLine($"host: {Environment.ProcessorCount} CPUs, Vector<double> width {System.Numerics.Vector<double>.Count}, .NET {Environment.Version}");
            Console.WriteLine();
            Console.WriteLine($"{"kernel",-16}{"batch",10}{"kernel µs",12}{"end-to-end µs",15}{"SIMD µs",11}  check");
            bool ok = true;
            foreach (int size in sizes)
            {
                ok &= EdgeSweep(accelerator, size, repeat, seed + size);
            }

            foreach (int size in sizes)
            {
                ok &= NegativeCycle(accelerator, size, repeat, seed + size + 1);
            }

            Console.WriteLine();
            Console.WriteLine(ok ? "gpu-check: every kernel agrees with its SIMD twin" : "gpu-check: FAILED: a kernel disagrees with its SIMD twin (rows marked MISMATCH)");
            return ok ? 0 : 1;
        }
    }

    private static bool TryParseSizes(string text, out int[] sizes)
    {
        string[] parts = text.Split(',');
        sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1 || sizes[i] > 16_777_216)
            {
                return false;
            }
        }

        return parts.Length > 0;
    }

    /// <summary>Edge sweep over batch ≈ pair slots: instruments = ceil(batch / 25) at 5 venues.</summary>
    private static bool EdgeSweep(Accelerator accelerator, int batch, int repeat, int seed)
    {
        var shape = new EdgeSweepShape((batch + (Venues * Venues) - 1) / (Venues * Venues), Venues);
        int quotes = shape.QuoteCount;
        int slots = shape.PairSlotCount;
        var rng = new Random(seed);
        var bid = new double[quotes];
        var ask = new double[quotes];
        var tradeable = new byte[quotes];
        double[] fee = [0.001, 0.00075, 0.0004, 0.0002, 0.0005];
        for (int i = 0; i < shape.InstrumentCount; i++)
        {
            double mid = Math.Pow(10, -2 + (6 * rng.NextDouble()));
            for (int v = 0; v < Venues; v++)
            {
                int q = shape.QuoteIndex(i, v);
                double venueMid = mid * (1 + (0.004 * (rng.NextDouble() - 0.5)));
                double half = venueMid * 0.0005 * rng.NextDouble();
                bid[q] = venueMid - half;
                ask[q] = venueMid + half;
                tradeable[q] = rng.NextDouble() < 0.05 ? (byte)0 : (byte)1;
            }
        }

        var net = new double[slots];
        var gross = new double[slots];
        var simdNet = new double[slots];
        var simdGross = new double[slots];
        var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<byte>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(EdgeSweepKernel.Execute);
        using var dBid = accelerator.Allocate1D<double>(quotes);
        using var dAsk = accelerator.Allocate1D<double>(quotes);
        using var dTradeable = accelerator.Allocate1D<byte>(quotes);
        using var dFee = accelerator.Allocate1D<double>(Venues);
        using var dNet = accelerator.Allocate1D<double>(slots);
        using var dGross = accelerator.Allocate1D<double>(slots);
        AcceleratorStream stream = accelerator.DefaultStream;

        void CopyIn()
        {
            dBid.View.CopyFromCPU(stream, bid);
            dAsk.View.CopyFromCPU(stream, ask);
            dTradeable.View.CopyFromCPU(stream, tradeable);
            dFee.View.CopyFromCPU(stream, fee);
        }

        void Launch() => kernel(slots, dBid.View, dAsk.View, dTradeable.View, dFee.View, dNet.View, dGross.View, Venues);

        void CopyOut()
        {
            dNet.View.CopyToCPU(stream, net);
            dGross.View.CopyToCPU(stream, gross);
        }

        CopyIn();
        Launch();
        CopyOut();
        stream.Synchronize(); // warm-up: the first launch compiles and loads the module

        var kernelUs = new double[repeat];
        var endToEndUs = new double[repeat];
        var simdUs = new double[repeat];
        for (int r = 0; r < repeat; r++)
        {
            using (ProfilingMarker start = stream.AddProfilingMarker())
            {
                Launch();
                using ProfilingMarker end = stream.AddProfilingMarker();
                end.Synchronize();
                kernelUs[r] = end.MeasureFrom(start).TotalMicroseconds;
            }

            long t0 = Stopwatch.GetTimestamp();
            CopyIn();
            Launch();
            CopyOut();
            stream.Synchronize();
            endToEndUs[r] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;

            t0 = Stopwatch.GetTimestamp();
            EdgeSweepSimd.Sweep(shape, bid, ask, tradeable, fee, simdNet, simdGross);
            simdUs[r] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }

        // Parity as in the parity tests: NoEdge exactly where the twin has it, else within 1e-9 relative (the twin
        // multiplies by 1e4/ask where the kernel divides, and a GPU compiler may contract into FMA).
        int bad = 0;
        double worst = 0;
        for (int p = 0; p < slots; p++)
        {
            bad += Differs(net[p], simdNet[p], ref worst) + Differs(gross[p], simdGross[p], ref worst);
        }

        Row("edge sweep", slots, kernelUs, endToEndUs, simdUs, bad == 0 ? $"ok ({slots:N0} slots, worst rel. error {worst:E1})" : $"MISMATCH in {bad:N0} values (worst {worst:E1})");
        return bad == 0;
    }

    private static int Differs(double kernel, double twin, ref double worst)
    {
        if (double.IsNegativeInfinity(twin) || double.IsNegativeInfinity(kernel))
        {
            return kernel == twin ? 0 : 1;
        }

        double error = Math.Abs(kernel - twin) / Math.Max(1e-300, Math.Max(Math.Abs(twin), 1e-6));
        worst = Math.Max(worst, error);
        return error <= 1e-9 ? 0 : 1;
    }

    /// <summary>Negative cycle over batch = edges, nodes = edges / 10, 4 rounds; the twin's results must be bit-identical.</summary>
    private static bool NegativeCycle(Accelerator accelerator, int batch, int repeat, int seed)
    {
        int edges = batch;
        int nodes = Math.Max(2, edges / 10);
        var rng = new Random(seed);
        var to = new int[edges];
        var from = new int[edges];
        var start = new int[nodes + 1];
        for (int e = 0; e < edges; e++)
        {
            to[e] = rng.Next(nodes);
            from[e] = rng.Next(nodes);
            start[to[e] + 1]++;
        }

        for (int v = 0; v < nodes; v++)
        {
            start[v + 1] += start[v];
        }

        var next = new int[nodes];
        var csrFrom = new int[edges];
        for (int e = 0; e < edges; e++)
        {
            csrFrom[start[to[e]] + next[to[e]]++] = from[e];
        }

        var weight = new double[edges];
        for (int k = 0; k < edges; k++)
        {
            weight[k] = rng.NextDouble() < 0.05 ? double.PositiveInfinity : -Math.Log(1 + ((rng.NextDouble() - 0.5) * 0.006));
        }

        var topology = new NegativeCycleTopology(nodes, start, csrFrom);
        var scratch = new double[topology.SimdScratchLength];
        var simdDistance = new double[nodes];
        var simdPredecessor = new int[nodes];
        var distance = new double[nodes];
        var predecessor = new int[nodes];

        var init = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>>(NegativeCycleKernel.Start);
        var round = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<int>>(NegativeCycleKernel.Round);
        using var dStart = accelerator.Allocate1D(start);
        using var dFrom = accelerator.Allocate1D(csrFrom);
        using var dWeight = accelerator.Allocate1D<double>(edges);
        using var dA = accelerator.Allocate1D<double>(nodes);
        using var dB = accelerator.Allocate1D<double>(nodes);
        using var dPred = accelerator.Allocate1D<int>(nodes);
        AcceleratorStream stream = accelerator.DefaultStream;

        void Launch()
        {
            init(nodes, dA.View, dPred.View);
            for (int r = 0; r < CycleRounds; r++)
            {
                round(nodes, dStart.View, dFrom.View, dWeight.View, r % 2 == 0 ? dA.View : dB.View, r % 2 == 0 ? dB.View : dA.View, dPred.View);
            }
        }

        void RunOnce()
        {
            dWeight.View.CopyFromCPU(stream, weight);
            Launch();
            (CycleRounds % 2 == 0 ? dA : dB).View.CopyToCPU(stream, distance);
            dPred.View.CopyToCPU(stream, predecessor);
            stream.Synchronize();
        }

        RunOnce(); // warm-up
        var kernelUs = new double[repeat];
        var endToEndUs = new double[repeat];
        var simdUs = new double[repeat];
        for (int r = 0; r < repeat; r++)
        {
            using (ProfilingMarker begin = stream.AddProfilingMarker())
            {
                Launch();
                using ProfilingMarker end = stream.AddProfilingMarker();
                end.Synchronize();
                kernelUs[r] = end.MeasureFrom(begin).TotalMicroseconds;
            }

            long t0 = Stopwatch.GetTimestamp();
            RunOnce();
            endToEndUs[r] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;

            t0 = Stopwatch.GetTimestamp();
            NegativeCycleSimd.Relax(topology, CycleRounds, weight, simdDistance, simdPredecessor, scratch);
            simdUs[r] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }

        int bad = 0;
        for (int v = 0; v < nodes; v++)
        {
            bad += distance[v].Equals(simdDistance[v]) && predecessor[v] == simdPredecessor[v] ? 0 : 1;
        }

        Row("negative cycle", edges, kernelUs, endToEndUs, simdUs, bad == 0 ? $"ok ({nodes:N0} nodes, {CycleRounds} rounds, bit-identical)" : $"MISMATCH at {bad:N0} of {nodes:N0} nodes");
        return bad == 0;
    }

    private static void Row(string kernel, int batch, double[] kernelUs, double[] endToEndUs, double[] simdUs, string check) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kernel,-16}{batch,10:N0}{Median(kernelUs),12:F1}{Median(endToEndUs),15:F1}{Median(simdUs),11:F1}  {check}"));

    private static double Median(double[] values)
    {
        double[] sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
