using Differentiable.Scheduling;

namespace Differentiable.DeviceChecks;

/// <summary>How far one case's device results are from the CPU's: the worst tensor and its relative error.</summary>
public sealed record ParityResult(string Name, string WorstTensor, double RelativeError, int Launches, double Tolerance)
{
    public bool Passed => RelativeError <= Tolerance;

    public override string ToString() =>
        $"{(Passed ? "ok  " : "FAIL")}  {Name,-32} {Launches,3} kernels   worst {WorstTensor,-14} relative error {RelativeError:0.0e+00}";
}

/// <summary>
/// Runs a case's device program (its arena poisoned with NaN first) and compares the value and every gradient with
/// the CPU's generated C#: relative error = max |device − cpu| / max |cpu|, per tensor; NaN anywhere fails.
/// </summary>
public static class DeviceParity
{
    public const double Tolerance = 1e-4;

    public static ParityResult Check(IDeviceBackend backend, ParityCase c)
    {
        using var device = new DeviceModel(backend, c.Name, c.Module, c.Record, c.Shapes);
        foreach (var (name, tensor) in c.Inputs) device.Upload(name, tensor);
        foreach (var (name, labels) in c.Labels) device.Upload(name, labels);
        device.Poison();
        var (value, gradients) = device.RunAndRead();
        var (cpuValue, cpuGradients) = c.Cpu();

        var worst = ("value", RelativeError(value, cpuValue));
        foreach (var (name, expected) in cpuGradients.All)
        {
            var error = gradients.TryGetValue(name, out var actual) ? RelativeError(actual, expected) : double.PositiveInfinity;
            if (error > worst.Item2 || double.IsNaN(error)) worst = ("d_" + name, error);
        }
        return new ParityResult(c.Name, worst.Item1, worst.Item2, device.Program.LaunchCount, Tolerance);
    }

    private static double RelativeError(Tensor actual, Tensor expected)
    {
        if (!actual.Shape.SequenceEqual(expected.Shape)) return double.PositiveInfinity;
        var a = actual.ToFloatArray();
        var e = expected.ToFloatArray();
        double difference = 0, scale = 1e-6;
        for (var k = 0; k < a.Length; k++)
        {
            if (float.IsNaN(a[k])) return double.NaN;
            difference = Math.Max(difference, Math.Abs(a[k] - (double)e[k]));
            scale = Math.Max(scale, Math.Abs((double)e[k]));
        }
        return difference / scale;
    }
}
