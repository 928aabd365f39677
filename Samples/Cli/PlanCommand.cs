using Differentiable.Samples.Training;
using Differentiable.Scheduling;
using Differentiable.Training;

namespace Differentiable.Samples.Cli;

/// <summary>
/// <c>plan</c>: the device training step of a sample model for one batch size, as the runtime would run it — each
/// kernel launch with the tensors it writes and reads, the arena after memory planning — or, with <c>--show cuda</c>,
/// the model's generated CUDA. Needs no GPU: it is how to read what the GPU will do.
/// </summary>
internal static class PlanCommand
{
    public const string Usage = "plan [--model flatnet] [--batch 100] [--optimizer sgd|adam] [--show steps|cuda]   the GPU training step: kernels and buffers, or its CUDA";

    public static int Run(Arguments args)
    {
        var name = args.Choice("model", "flatnet", TrainableModel.Names);
        var batch = args.Int("batch", 100, min: 1);
        var optimizerName = args.Choice("optimizer", "sgd", "sgd", "adam");
        var show = args.Choice("show", "steps", "steps", "cuda");
        args.EnsureAllUsed();

        var model = TrainableModel.Create(name, seed: 1);
        if (model.DeviceLoss is null) throw new UsageException($"{model.Name} has no device program.");
        Optimizer optimizer = optimizerName == "adam" ? new Adam(model.Module, 1e-3) : new Sgd(model.Module, 0.01, momentum: 0.5);
        var shapes = new Dictionary<string, int[]> { ["x"] = new[] { batch, 784 }, ["y"] = new[] { batch } };
        foreach (var (input, value) in model.DeviceExtraInputs?.Invoke(batch) ?? new Dictionary<string, Tensor>()) shapes[input] = value.Shape.ToArray();
        var program = DeviceModel.Record(model.Name, model.Module, model.DeviceLoss, shapes,
            extend: p => TrainingKernels.AppendUpdate(p, optimizer, batch)).Build();

        if (show == "steps")
        {
            Console.WriteLine($"{model.Name}, batch {batch}, {optimizerName}: {program.LaunchCount} kernel launches per training step (the batch gather adds 3 when training).");
            Console.WriteLine(program);
            return 0;
        }
        // The prelude (KernelPrelude.Source) opens every generated module; it is printed once, not per module.
        Console.WriteLine(KernelPrelude.Source);
        foreach (var (module, text) in program.Modules)
        {
            Console.WriteLine($"// ===== module {module}");
            Console.WriteLine(text.StartsWith(KernelPrelude.Source) ? text[KernelPrelude.Source.Length..] : text);
        }
        return 0;
    }
}
