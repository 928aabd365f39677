using System.CommandLine;
using Differentiable.Cuda;
using Differentiable.DeviceChecks;
using Differentiable.Samples.Cli;

// `gpu-check [--batch 64]`: every op kind and every sample model on the GPU against the CPU (relative error ≤ 1e-4
// in float32, random inputs, intermediate buffers poisoned with NaN before each run); exit code 1 when a case fails.
// Every other command is the samples' (train, bench, plan, ...), so that one published file does all of a GPU run.
var batch = new Option<int>("--batch")
{
    Description = "rows per input",
    DefaultValueFactory = _ => 64,
    // Parsed here rather than validated after: a validator would read the value of an option whose parse failed.
    CustomParser = r =>
    {
        var text = r.Tokens.Count == 0 ? "" : r.Tokens[0].Value;
        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1) return n;
        r.AddError($"--batch must be a whole number of at least 1, not '{text}'.");
        return 64;
    },
};
var gpuCheck = new Command("gpu-check", "compare every op and sample model on the GPU with the CPU") { batch };
gpuCheck.SetAction(r => GpuCheck(r.GetValue(batch)));
return SamplesApp.Run(args, gpuCheck);

static int GpuCheck(int batch)
{
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
}
