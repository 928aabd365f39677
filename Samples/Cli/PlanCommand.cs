using System.CommandLine;
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
    public static Command Create()
    {
        var model = Options.Choice("model", "flatnet", TrainableModel.Names, "the model");
        var batch = Options.Int("batch", 100, 1, "samples per step");
        var optimizer = Options.Choice("optimizer", "sgd", new[] { "sgd", "adam" }, "the optimizer whose update ends the step");
        var show = Options.Choice("show", "steps", new[] { "steps", "cuda" }, "the launches and buffers, or the CUDA source");
        var command = new Command("plan", "the GPU training step as the runtime runs it: kernels and buffers, or its CUDA") { model, batch, optimizer, show };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(batch), r.GetValue(optimizer)!, r.GetValue(show)!));
        return command;
    }

    private static int Run(string name, int batch, string optimizerName, string show)
    {

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
