using System.Text;
using Differentiable.Cuda.Native;

namespace Differentiable.Cuda;

/// <summary>One GPU as the driver describes it.</summary>
public sealed record CudaDeviceInfo(int Ordinal, string Name, int ComputeMajor, int ComputeMinor)
{
    /// <summary>The virtual architecture kernels are compiled for: "compute_90" on an H100.</summary>
    public string Architecture => $"compute_{ComputeMajor}{ComputeMinor}";

    /// <summary>"NVIDIA H100 80GB HBM3 (sm_90)".</summary>
    public override string ToString() => $"{Name} (sm_{ComputeMajor}{ComputeMinor})";

    /// <summary>The number of CUDA devices; throws <see cref="CudaException"/> when there is no driver.</summary>
    public static int Count()
    {
        CudaDriverStartup.EnsureInitialized();
        DriverCall.Check(CudaDriver.cuDeviceGetCount(out var count), "counting CUDA devices");
        return count;
    }

    /// <summary>The device with this ordinal (0 is the first GPU).</summary>
    public static unsafe CudaDeviceInfo Query(int ordinal)
    {
        var count = Count();
        if (ordinal < 0 || ordinal >= count)
            throw new CudaException($"CUDA device {ordinal} does not exist: this machine has {count} CUDA device{(count == 1 ? "" : "s")}.");
        DriverCall.Check(CudaDriver.cuDeviceGet(out var device, ordinal), $"opening CUDA device {ordinal}");

        var name = new byte[256];
        fixed (byte* buffer = name)
            DriverCall.Check(CudaDriver.cuDeviceGetName(buffer, name.Length, device), $"reading the name of CUDA device {ordinal}");
        var length = Array.IndexOf(name, (byte)0);

        DriverCall.Check(CudaDriver.cuDeviceGetAttribute(out var major, CuDeviceAttribute.ComputeCapabilityMajor, device), $"reading the compute capability of CUDA device {ordinal}");
        DriverCall.Check(CudaDriver.cuDeviceGetAttribute(out var minor, CuDeviceAttribute.ComputeCapabilityMinor, device), $"reading the compute capability of CUDA device {ordinal}");
        return new CudaDeviceInfo(ordinal, Encoding.UTF8.GetString(name, 0, length < 0 ? name.Length : length), major, minor);
    }
}
