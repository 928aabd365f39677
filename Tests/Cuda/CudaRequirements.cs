using Differentiable.Cuda;

namespace Differentiable.Tests.Cuda;

/// <summary>What the CUDA tests need, and what they do when it is missing.</summary>
internal static class CudaRequirements
{
    /// <summary>
    /// NVRTC needs no GPU, so its tests run on any machine that has it. Without it they skip with the reason, except
    /// under CI (<c>$CI</c> set): .ci/run installs NVRTC, so a missing one there is a broken setup, not a skip.
    /// </summary>
    public static void SkipUnlessNvrtc()
    {
        if (KernelCompiler.IsNvrtcAvailable) return;
        var reason = KernelCompiler.NvrtcUnavailableReason!;
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            Assert.Fail($"CI installs NVRTC (.ci/run), yet it is missing: {reason}");
        Skip.If(true, reason);
    }

    /// <summary>A backend on GPU 0, or a skip that says why there is none (no driver, no GPU, no NVRTC).</summary>
    public static CudaBackend OpenGpu()
    {
        Skip.IfNot(CudaBackend.TryCreate(out var backend, out var reason), reason);
        return backend!;
    }
}
