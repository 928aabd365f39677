using Differentiable.Cuda;
using Differentiable.DeviceChecks;
using Differentiable.Samples.Cli;

// `gpu-check [--batch 64]`: every op kind and every sample model on the GPU against the CPU (relative error ≤ 1e-4
// in float32, random inputs, intermediate buffers poisoned with NaN before each run); exit code 1 when a case fails.
// Every other command is the samples' (train, bench, plan, ...), so that one published file does all of a GPU run.
const string usage = "gpu-check [--batch 64]   compare every op and sample model on the GPU with the CPU";

if (args.FirstOrDefault() != "gpu-check")
{
    if (args.FirstOrDefault() is null or "help" or "--help" or "-h") Console.WriteLine("  " + usage + "\n");
    return SamplesApp.Run(args);
}

var batch = 64;
for (var k = 1; k < args.Length; k++)
{
    if (args[k] == "--batch" && k + 1 < args.Length && int.TryParse(args[k + 1], out batch) && batch >= 1) { k++; continue; }
    Console.Error.WriteLine($"gpu-check: unexpected '{args[k]}'.\nusage: {usage}");
    return 2;
}
if (!CudaBackend.TryCreate(out var backend, out var reason))
{
    Console.Error.WriteLine($"gpu-check needs a GPU: {reason}");
    return 2;
}
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
