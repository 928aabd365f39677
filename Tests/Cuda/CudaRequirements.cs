using Differentiable.Cuda;

namespace Differentiable.Tests.Cuda;

/// <summary>What the CUDA tests need, and what they do when it is missing.</summary>
internal static class CudaRequirements
{
    /// <summary>
    /// NVRTC needs no GPU, so its tests run on any machine that has it. Without it they skip with the reason, except
    /// under CI (<c>$CI</c> set): .ci/run installs NVRTC, so a missing one there is a broken setup, not a skip.
    /// </summary>
    public static void SkipUnlessNvrtc() => Skip.IfNot(HasNvrtc(), KernelCompiler.NvrtcUnavailableReason);

    /// <summary>
    /// Whether NVRTC can compile here, for a test that does more than compile and so runs without it; under CI a
    /// missing NVRTC fails the test instead.
    /// </summary>
    public static bool HasNvrtc()
    {
        if (KernelCompiler.IsNvrtcAvailable) return true;
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            Assert.Fail($"CI installs NVRTC (.ci/run), yet it is missing: {KernelCompiler.NvrtcUnavailableReason}");
        return false;
    }

    /// <summary>A backend on GPU 0, or a skip that says why there is none (no driver, no GPU, no NVRTC).</summary>
    public static CudaBackend OpenGpu()
    {
        Skip.IfNot(CudaBackend.TryCreate(out var backend, out var reason), reason);
        return backend!;
    }
}
