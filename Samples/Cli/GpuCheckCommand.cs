using Differentiable.Cuda;
using Differentiable.Samples.Device;

namespace Differentiable.Samples.Cli;

/// <summary>
/// <c>gpu-check</c>: every op kind and every sample model on the GPU against the CPU (relative error ≤ 1e-4 in
/// float32, random inputs, intermediate buffers poisoned with NaN before each run). Exit code 1 when any case fails.
/// </summary>
internal static class GpuCheckCommand
{
    public const string Usage = "gpu-check [--batch 64]   compare every op and sample model on the GPU with the CPU";

    public static int Run(Arguments args)
    {
        var batch = args.Int("batch", 64, min: 1);
        args.EnsureAllUsed();
        if (!CudaBackend.TryCreate(out var backend, out var reason)) throw new UsageException($"gpu-check needs a GPU: {reason}");
        using (backend)
        {
            Console.WriteLine($"gpu-check on {backend.Name}, NVRTC {KernelCompiler.NvrtcDescription}, batch {batch}, tolerance {DeviceParity.Tolerance:0e+0}");
            var failed = 0;
            foreach (var parityCase in ParityCases.All(batch))
            {
                var result = DeviceParity.Check(backend, parityCase);
                Console.WriteLine(result);
                if (!result.Passed) failed++;
            }
            Console.WriteLine(failed == 0 ? "all cases match the CPU" : $"{failed} case(s) differ from the CPU");
            return failed == 0 ? 0 : 1;
        }
    }
}
