using Differentiable.Samples.Models;
using Differentiable.Scheduling;
using Differentiable.DeviceChecks;
using Differentiable.Tests.Support.Emulation;

namespace Differentiable.Tests.Emulation;

/// <summary>
/// A device program of a body with control flow is recorded for the values its control flow reads (issue 11): when
/// they change, <see cref="DeviceModel.RecordAgainIfChanged"/> records it again, keeping the device buffers of the
/// parameters that stayed, and the new program gives the CPU's values and gradients.
/// </summary>
public sealed class ControlFlowRecordingTests
{
    [SkippableFact]
    public void AnotherListOfLayersIsRecordedAgainAndMatchesTheCpu()
    {
        EmulatorRequirement.SkipUnlessAvailable();
        var rng = new Rng(3);
        var model = new LayeredMLP(new[] { 6, 5, 4 }, seed: 3);
        var x = Tensor.Rand(new[] { 2, 6 }, rng);
        using var backend = new HostEmulatorBackend();
        using var device = new DeviceModel(backend, "LayeredMLP.Forward", model, model.ForwardDeviceProgram, new Dictionary<string, int[]> { ["x"] = new[] { 2, 6 } });
        device.Upload("x", x);
        Assert.False(device.RecordAgainIfChanged());   // nothing it reads changed: the same program
        AssertMatchesTheCpu(device, model, x);

        // A layer more: the first layer's buffers stay, the second's change shape, the third's are new.
        model.Layers = new[] { model.Layers[0], new Linear(5, 5, rng), new Linear(5, 4, rng) };
        Assert.True(device.RecordAgainIfChanged());
        Assert.Equal(6, device.Program.Gradients.Count);
        device.Upload("x", x);
        AssertMatchesTheCpu(device, model, x);
        Assert.False(device.RecordAgainIfChanged());
    }

    [SkippableFact]
    public void ABoundReadWhenRecordingIsRecordedAgainWhenItChanges()
    {
        EmulatorRequirement.SkipUnlessAvailable();
        var x = Tensor.Randn(new[] { 2, 3 }, new Rng(5)) * 0.5;
        var n = 2;
        using var backend = new HostEmulatorBackend();
        using var device = new DeviceModel(backend, "ControlFlowCases.Nested", NoParameters.Instance,
            p => ControlFlowCases.NestedDeviceProgram(p, n), new Dictionary<string, int[]> { ["x"] = new[] { 2, 3 } });
        var launches = device.Program.Steps.Count;
        n = 4;
        Assert.True(device.RecordAgainIfChanged());
        Assert.True(device.Program.Steps.Count > launches);
        device.Upload("x", x);
        var (value, gradients) = device.RunAndRead();
        var (cpuValue, cpuGradients) = ControlFlowCases.NestedWithGradients(x, 4);
        AssertClose(cpuValue, value);
        AssertClose(cpuGradients.x, gradients["x"]);
    }

    private static void AssertMatchesTheCpu(DeviceModel device, LayeredMLP model, Tensor x)
    {
        var (value, gradients) = device.RunAndRead();
        var (cpuValue, cpuGradients) = model.ForwardWithGradients(x);
        AssertClose(cpuValue, value);
        foreach (var (name, gradient) in cpuGradients.All) AssertClose(gradient, gradients[name]);
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var (e, a) = (expected.ToDoubleArray(), actual.ToDoubleArray());
        for (var i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4 * Math.Max(1, Math.Abs(e[i])), $"element {i}: {a[i]} vs {e[i]}");
    }
}
