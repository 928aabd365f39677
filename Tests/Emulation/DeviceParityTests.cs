using Differentiable.DeviceChecks;
using Differentiable.Tests.Support.Emulation;

namespace Differentiable.Tests.Emulation;

/// <summary>
/// The generated CUDA kernels and device programs, run on the host emulation, give the CPU's values and gradients for
/// every op kind and every sample model (relative error ≤ 1e-4, arena poisoned with NaN before each run). This is
/// what <c>gpu-check</c> runs on a GPU; here it proves the kernels' arithmetic, the program's order, views and buffer
/// reuse without one.
/// </summary>
public sealed class DeviceParityTests
{
    public static TheoryData<string> Cases() => new(ParityCases.All().Select(c => c.Name));

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void DeviceProgramMatchesTheCpu(string name)
    {
        EmulatorRequirement.SkipUnlessAvailable();
        var parityCase = ParityCases.All().Single(c => c.Name == name);
        using var backend = new HostEmulatorBackend();

        var result = DeviceParity.Check(backend, parityCase);

        Assert.True(result.Passed, result.ToString());
    }
}
