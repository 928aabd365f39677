using System.CommandLine;
using Differentiable.Cuda;
using Differentiable.Samples.Training;
using Differentiable.Scheduling;
using Differentiable.Training;

namespace Differentiable.Samples.Cli;

/// <summary>
/// <c>bench</c>: median µs per training step on the GPU (forward, backward, SGD momentum update and loss
/// accumulation replayed as one CUDA graph; CUDA events; warm-up excluded) for the models of the README's table. The
/// lines have the format of <c>Benchmarks/Gpu/pytorch_step.py</c>, so both tools' numbers can be read side by side.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var steps = Options.Int("steps", 500, 1, "timed steps per model");
        var warmup = Options.Int("warmup", 50, 0, "untimed steps first");
        var command = new Command("bench", "median µs per GPU training step (FlatNet b100/b1000, SinNet-512 b100, CNN b64)") { steps, warmup };
        command.SetAction(r => Run(r.GetValue(steps), r.GetValue(warmup)));
        return command;
    }

    private static readonly (string Model, int Batch)[] Configurations = { ("flatnet", 100), ("flatnet", 1000), ("sinnet", 100), ("cnn", 64) };

    private static int Run(int steps, int warmup)
    {
        if (!CudaBackend.TryCreate(out var backend, out var reason)) throw new UsageException($"bench needs a GPU: {reason}");
        using (backend)
        {
            Console.WriteLine($"differentiable on {backend.Name}, NVRTC {KernelCompiler.NvrtcDescription}; {steps} steps after {warmup} warm-up");
            foreach (var (name, batch) in Configurations)
            {
                var model = TrainableModel.Create(name, seed: 1);
                var rng = new Rng(0);
                var x = Tensor.Rand(new[] { batch, 784 }, rng);
                var y = new Labels(Enumerable.Range(0, batch).Select(_ => (int)(rng.NextUInt64() % 10)).ToArray());
                using var device = new DeviceModel(backend, model.Name, model.Module, model.DeviceLoss!,
                    new Dictionary<string, int[]> { ["x"] = new[] { batch, 784 }, ["y"] = new[] { batch } },
                    p => TrainingKernels.AppendUpdate(p, new Sgd(model.Module, 0.01, momentum: 0.5), batch));
                device.Upload("x", x);
                device.Upload("y", y);
                using var graph = device.Runner.Capture();
                var median = DeviceTimer.MedianMicroseconds(backend, graph.Replay, steps, warmup);
                Console.WriteLine($"differentiable  {name,-8} b{batch,-5} graph {median,7:F1} us/step   ({device.Program.LaunchCount} kernels, arena {device.Program.ArenaBytes / 1024.0:F0} KiB)");
            }
        }
        return 0;
    }
}
