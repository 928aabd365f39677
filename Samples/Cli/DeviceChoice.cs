using Differentiable.Cuda;
using Differentiable.Scheduling;

namespace Differentiable.Samples.Cli;

/// <summary>
/// <c>--device cpu|cuda|auto</c> as PyTorch users expect: <c>cuda</c> fails with the reason when there is no usable
/// GPU; <c>auto</c> takes the GPU when there is one and says so, otherwise runs on the CPU.
/// </summary>
internal static class DeviceChoice
{
    public static readonly string[] Names = { "auto", "cpu", "cuda" };

    /// <summary>The backend to run on, or null for the CPU.</summary>
    public static IDeviceBackend? Open(string choice, TextWriter log)
    {
        if (choice == "cpu") return null;
        if (CudaBackend.TryCreate(out var backend, out var reason)) return backend;
        if (choice == "cuda") throw new UsageException($"--device cuda: {reason}");
        log.WriteLine($"No GPU ({reason}); running on the CPU.");
        return null;
    }
}
