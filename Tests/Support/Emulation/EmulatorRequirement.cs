namespace Differentiable.Tests.Support.Emulation;

/// <summary>
/// The gate at the start of every emulator test. A developer machine without g++ skips those tests; CI (which sets
/// the CI variable and installs g++) fails them instead, so that a broken setup cannot pass by skipping everything.
/// </summary>
public static class EmulatorRequirement
{
    public static void SkipUnlessAvailable()
    {
        var available = HostEmulatorBackend.IsAvailable(out var reason);
        if (!available && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            throw new InvalidOperationException($"The host emulator is required on CI, but {reason}.");
        Skip.IfNot(available, reason);
    }
}
