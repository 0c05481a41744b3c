namespace LowLatency.Kernels;

/// <summary>Where <see cref="KernelHost"/> runs its kernels.</summary>
public enum KernelBackend
{
    /// <summary>ILGPU on an NVIDIA GPU.</summary>
    Cuda,

    /// <summary>The <see cref="System.Numerics.Vector{T}"/> twins on the calling thread (no CUDA device).</summary>
    Simd,

    /// <summary>ILGPU's CPU accelerator: a debugging emulator, only for parity tests.</summary>
    IlgpuCpu,
}

/// <summary>Which backend <see cref="KernelHost"/> should use.</summary>
public enum KernelBackendPreference
{
    /// <summary>CUDA when a CUDA device exists, else the SIMD twins.</summary>
    Auto,

    /// <summary>The SIMD twins even when a GPU exists.</summary>
    Simd,

    /// <summary>ILGPU's CPU accelerator (tests only: orders of magnitude slower).</summary>
    IlgpuCpu,
}
